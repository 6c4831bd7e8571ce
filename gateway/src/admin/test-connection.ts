import type { GatewayServices } from '../kernel/services';

export const SYSTEMS = ['infor-os', 'm3', 'ion', 'paytrace'] as const;
export type SystemName = (typeof SYSTEMS)[number];

/** One harmless call to each system with the running configuration: a read, never a write. */
export async function testConnection(services: GatewayServices, system: SystemName): Promise<{ system: SystemName; ok: boolean; ms: number; message: string }> {
  const started = performance.now();
  const done = (ok: boolean, message: string) => ({ system, ok, ms: Math.round(performance.now() - started), message });
  try {
    switch (system) {
      case 'infor-os': {
        if (!services.infor) return done(false, 'no .ionapi configured');
        await services.infor.tokens.getAccessToken();
        return done(true, `token issued for tenant ${services.infor.credentials.tenant}`);
      }
      case 'm3': {
        if (!services.infor) return done(false, 'no .ionapi configured');
        const result = await services.infor.m3.execute('CRS610MI', 'LstByNumber', {}, { maxrecs: 1 });
        return done(true, `CRS610MI/LstByNumber answered ${result.records.length} record(s)`);
      }
      case 'ion': {
        if (!services.infor) return done(false, 'no .ionapi configured');
        const reachable = await services.infor.ion.ping();
        return done(reachable, reachable ? 'ION Messaging Service answered the ping' : 'ION Messaging Service did not answer the ping');
      }
      case 'paytrace': {
        if (!services.paytrace) return done(false, 'PayTrace is not configured');
        const now = new Date();
        const batches = await services.paytrace.exportBatches(new Date(now.getTime() - 86_400_000), now);
        return done(true, batches.approved ? `signed in; ${batches.batches.length} batch(es) in the last day` : `signed in; ${batches.statusMessage}`);
      }
    }
  } catch (err) {
    return done(false, err instanceof Error ? err.message : String(err));
  }
}

import { countOpenDeadLetters } from '../../pipeline/dead-letters';
import type { GatewayServices } from '../../kernel/services';
import { runtimeHealth } from '../../platform/node-runtime';

type Status = 'ok' | 'degraded' | 'down';

async function timed<T>(fn: () => Promise<T>): Promise<{ ok: true; value: T; ms: number } | { ok: false; error: string; ms: number }> {
  const started = performance.now();
  try {
    const value = await fn();
    return { ok: true, value, ms: Math.round(performance.now() - started) };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err), ms: Math.round(performance.now() - started) };
  }
}

/** The health report: components with a status and the reason for it. */
export async function healthReport(services: GatewayServices) {
  const database = await timed(() => services.db.raw('select 1'));
  const queue = database.ok ? await timed(() => services.queue.depth()) : undefined;
  const deadLetters = database.ok ? await timed(() => countOpenDeadLetters(services.db)) : undefined;
  const connectors = services.connectors.snapshot();

  const components: Record<string, { status: Status; reason?: string; [k: string]: unknown }> = {
    database: database.ok
      ? { status: database.ms > 1000 ? 'degraded' : 'ok', latencyMs: database.ms, ...(database.ms > 1000 ? { reason: 'slow query round trip' } : {}) }
      : { status: 'down', reason: database.error, latencyMs: database.ms },
    queue: !queue
      ? { status: 'down', reason: 'database unreachable' }
      : queue.ok
        ? {
            status: queue.value.oldestWaitingSeconds !== null && queue.value.oldestWaitingSeconds > 300 ? 'degraded' : 'ok',
            ...queue.value,
            ...(queue.value.oldestWaitingSeconds !== null && queue.value.oldestWaitingSeconds > 300 ? { reason: 'jobs have waited more than 5 minutes' } : {}),
          }
        : { status: 'down', reason: queue.error },
    deadLetters: !deadLetters || !deadLetters.ok
      ? { status: 'down', reason: 'database unreachable' }
      : { status: deadLetters.value > 0 ? 'degraded' : 'ok', open: deadLetters.value, ...(deadLetters.value > 0 ? { reason: `${deadLetters.value} dead letter(s) wait for an operator` } : {}) },
  };
  // which Node runs the gateway, and whether that line still gets security fixes
  components.runtime = runtimeHealth();
  for (const [name, connector] of Object.entries(connectors)) {
    components[`connector:${name}`] = {
      status: connector.status === 'degraded' ? 'degraded' : 'ok',
      ...(connector.status === 'unknown' ? { reason: 'not contacted yet' } : connector.status === 'degraded' ? { reason: connector.lastError?.detail } : {}),
      lastContact: connector.lastContact,
      lastOk: connector.lastOk,
      lastError: connector.lastError,
    };
  }
  // PayTrace has no webhooks: a poller that stopped means payments go unseen
  if (services.config.poller.enabled && services.paytrace && database.ok) {
    const poller = await timed(() => services.db('poller_state').where({ name: 'paytrace-transactions' }).first<{ high_water_mark: Date | null; updated_at: Date } | undefined>());
    if (poller.ok) {
      const last = poller.value?.high_water_mark ?? null;
      const lagSeconds = last ? Math.round((Date.now() - new Date(last).getTime()) / 1000) : null;
      const limit = services.config.poller.intervalSeconds * 3;
      const sinceStart = (Date.now() - services.startedAt.getTime()) / 1000;
      components.poller = lagSeconds === null
        ? { status: sinceStart > limit ? 'degraded' : 'ok', lagSeconds, reason: sinceStart > limit ? 'the PayTrace poller has not completed a pass yet' : 'first pass pending' }
        : { status: lagSeconds > limit ? 'degraded' : 'ok', lagSeconds, lastPass: new Date(last!).toISOString(), ...(lagSeconds > limit ? { reason: `last PayTrace poll ${lagSeconds} s ago (expected every ${services.config.poller.intervalSeconds} s)` } : {}) };
    }
  }
  const inforOs = components['connector:infor-os'];
  if (inforOs && typeof inforOs.lastOk === 'string') inforOs.tokenAgeSeconds = Math.round((Date.now() - Date.parse(inforOs.lastOk)) / 1000);
  const statuses = Object.values(components).map((c) => c.status);
  const status: Status = components.database!.status === 'down' ? 'down' : statuses.includes('down') || statuses.includes('degraded') ? 'degraded' : 'ok';
  if (typeof deadLetters?.ok === 'boolean' && deadLetters.ok) services.metrics.deadLetters.set(deadLetters.value);
  return {
    status,
    mode: services.config.mode,
    version: services.version,
    node: process.version,
    uptimeSeconds: Math.round((Date.now() - services.startedAt.getTime()) / 1000),
    startedAt: services.startedAt.toISOString(),
    components,
  };
}


export type HealthReport = Awaited<ReturnType<typeof healthReport>>;

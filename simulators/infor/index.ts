import { createSimulatorKit, listen, type RunningSimulator, type SimulatorOptions } from '../common/sim-server';

/**
 * Infor simulator: Infor OS (token, JWKS, login), the M3 MI REST API and the ION Messaging
 * Service hub, on one port under the tenant path. Foundation: the /_sim API and a ping;
 * the systems themselves are built in their own issue.
 */
export async function startInforSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const kit = createSimulatorKit('infor', {
    state: () => ({ simulator: 'infor' }),
    routes: (app) => {
      app.get('/ping', (_req, res) => {
        res.json({ ok: true });
      });
    },
  });
  if (options.latencyMs) kit.faults.update({ latencyMs: options.latencyMs });
  return listen('infor', kit.app, options);
}

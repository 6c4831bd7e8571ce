import { createSimulatorKit, listen, type RunningSimulator, type SimulatorOptions } from '../common/sim-server';

/**
 * PayTrace JSON API v1 simulator. Foundation: the unauthenticated ping and the /_sim API;
 * the API itself (OAuth, transactions, vault, exports, Protect) is built in its own issue.
 */
export async function startPayTraceSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const kit = createSimulatorKit('paytrace', {
    state: () => ({ simulator: 'paytrace' }),
    routes: (app) => {
      app.post('/v1/ping', (_req, res) => {
        res.json({ success: true });
      });
    },
  });
  if (options.latencyMs) kit.faults.update({ latencyMs: options.latencyMs });
  return listen('paytrace', kit.app, options);
}

import express, { type Express, type Request, type Response } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CallLog } from './call-log';
import { ConcurrencyGauge } from './concurrency';
import { FaultInjector, faultsPatch } from './faults';

export interface RunningSimulator {
  name: string;
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface SimulatorOptions {
  port?: number;
  host?: string;
  /** default added latency (ms); sandbox uses a few hundred, tests zero */
  latencyMs?: number;
}

export interface SimulatorKit {
  app: Express;
  faults: FaultInjector;
  calls: CallLog;
  concurrency: ConcurrencyGauge;
}

/**
 * The shared shell of every simulator: call log and fault injection in front of the
 * simulator's own routes, and the /_sim inspection API:
 *   GET  /_sim/state    the simulator's state (from `state()`)
 *   GET  /_sim/calls    the call log (?path=regex&limit=N)
 *   DELETE /_sim/calls  clear it
 *   GET|PUT /_sim/faults  read / change fault injection (PUT merges the JSON body)
 *   GET|PUT /_sim/concurrency  requests served at once and the peak (PUT {pathPattern} starts a new count)
 *   POST /_sim/reset    faults and state back to the start
 */
export function createSimulatorKit(
  name: string,
  hooks: { state: () => unknown; reset?: () => void; routes?: (app: Express) => void },
): SimulatorKit {
  const app = express();
  app.disable('x-powered-by');
  const faults = new FaultInjector();
  const calls = new CallLog();
  const concurrency = new ConcurrencyGauge();
  app.use(calls.middleware());
  app.use(concurrency.middleware());
  app.use(faults.middleware());

  const sim = express.Router();
  sim.use(express.json());
  sim.get('/state', (_req, res) => {
    res.json(hooks.state());
  });
  sim.get('/calls', (req: Request, res: Response) => {
    const pattern = typeof req.query.path === 'string' ? new RegExp(req.query.path) : undefined;
    const limit = Number(req.query.limit ?? 1000);
    const selected = calls.calls.filter((c) => !pattern || pattern.test(c.path));
    res.json({ simulator: name, calls: selected.slice(-limit) });
  });
  sim.delete('/calls', (_req, res) => {
    calls.clear();
    res.status(204).end();
  });
  sim.get('/faults', (_req, res) => {
    res.json(faults.faults);
  });
  sim.put('/faults', (req: Request, res: Response) => {
    const checked = faultsPatch((req.body ?? {}) as Record<string, unknown>);
    if ('problem' in checked) {
      res.status(400).json({ error: checked.problem, allowed: Object.keys(faults.faults) });
      return;
    }
    res.json(faults.update(checked.patch));
  });
  sim.get('/concurrency', (_req, res) => {
    res.json(concurrency.reading());
  });
  sim.put('/concurrency', (req: Request, res: Response) => {
    const pathPattern = (req.body as { pathPattern?: unknown } | undefined)?.pathPattern ?? '';
    if (typeof pathPattern !== 'string' || 'problem' in faultsPatch({ pathPattern })) {
      res.status(400).json({ error: 'pathPattern must be a regular expression' });
      return;
    }
    res.json(concurrency.restart(pathPattern));
  });
  sim.post('/reset', (_req, res) => {
    faults.reset();
    calls.clear();
    concurrency.restart('');
    hooks.reset?.();
    res.status(204).end();
  });
  app.use('/_sim', sim);
  hooks.routes?.(app);
  return { app, faults, calls, concurrency };
}

export async function listen(name: string, app: Express, options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const host = options.host ?? '127.0.0.1';
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(options.port ?? 0, host, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    name,
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

import express, { type Express, type Request, type Response } from 'express';
import { createSimulatorKit, listen, type RunningSimulator, type SimulatorOptions } from '../common/sim-server';
import { bodyErrorHandler, mountTokenEndpoint, notFoundJson } from './auth';
import { mountCustomers } from './customers';
import { mountExports } from './exports';
import { mountProtect } from './protect';
import { PayTraceState, SimClock, type SimBatch } from './state';
import { mountTransactions } from './transactions';
import { captureBody, sendJson, type PayTraceConfig, type SimContext } from './wire';
import { mountChecks } from './checks';
import { mountChargebacks } from './chargebacks';

export { AMOUNT_TRIGGERS, ERROR, RESPONSE, TEST_CARDS, TEST_ROUTING_NUMBERS } from './codes';
export type { PayTraceConfig, SimContext } from './wire';
export type { SimChargeback } from './chargebacks';
export type { PayTraceState, SimTransaction, SimCustomer, SimBatch, SimCheck, SimBankAccount } from './state';

/**
 * PayTrace JSON API v1 simulator (reference: shared/reference/paytrace-api.md): OAuth, sales,
 * authorizations, captures, voids, refunds, vault, exports, batches, settlement, checks (ACH) and
 * Protect hosted fields, with the state rules of the real API on a simulated clock. See simulators/README.md.
 */

export interface PayTraceSimulatorOptions extends SimulatorOptions, Partial<PayTraceConfig> {
  /** the simulated clock's start (default: now) */
  startTime?: Date | string;
  /** the simulated clock stands still except when advanced (tests) */
  freezeClock?: boolean;
}

export interface PayTraceSimulator extends RunningSimulator {
  /** live context: state (replaced on reset), clock and the run-time configuration */
  context: SimContext;
  /** settle the open batch now (and originate pending checks); null when no card transaction was pending */
  settle(): SimBatch | null;
  /** move the simulated clock forward, running any nightly settlement that falls due */
  advanceClock(seconds: number): Date;
}

const CONFIG_KEYS = [
  'username',
  'password',
  'integratorIdRequired',
  'declineHttpStatus',
  'validationHttpStatus',
  'tokenLifetimeSeconds',
  'clientKeyLifetimeSeconds',
  'hpfTokenLifetimeSeconds',
  'autoVoidSuccess',
  'settleAt',
] as const satisfies ReadonlyArray<keyof PayTraceConfig>;

export function defaultPayTraceConfig(): PayTraceConfig {
  return {
    username: 'demo123',
    password: 'demo123',
    integratorIdRequired: false,
    declineHttpStatus: 200,
    validationHttpStatus: 400,
    tokenLifetimeSeconds: 7200,
    clientKeyLifetimeSeconds: 900,
    hpfTokenLifetimeSeconds: 900,
    autoVoidSuccess: true,
    settleAt: '02:00',
  };
}

/** Only known keys with the right types; the message names the bad key. */
function configPatch(input: Record<string, unknown>): Partial<PayTraceConfig> | string {
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) return `unknown setting ${key}`;
    const ok =
      key === 'declineHttpStatus'
        ? value === 200 || value === 400
        : key === 'settleAt'
          ? value === null || (typeof value === 'string' && /^([01]?\d|2[0-3]):[0-5]\d$/.test(value))
          : key === 'integratorIdRequired' || key === 'autoVoidSuccess'
            ? typeof value === 'boolean'
            : key === 'username' || key === 'password'
              ? typeof value === 'string' && value !== ''
              : typeof value === 'number' && Number.isInteger(value) && value > 0;
    if (!ok) return `bad value for ${key}`;
    patch[key] = value;
  }
  return patch as Partial<PayTraceConfig>;
}

function mountSimApi(app: Express, sim: { ctx: SimContext; settle: () => SimBatch | null; advance: (s: number) => Date }): void {
  const json = express.json();
  app.post('/_sim/settle', (_req, res) => {
    const { batch, checks } = sim.ctx.state.settleAll(sim.ctx.clock.now());
    res.json({ batch, checks: checks.map((c) => c.id) });
  });
  app.get('/_sim/clock', (_req, res) => {
    res.json({ now: sim.ctx.clock.now().toISOString() });
  });
  app.post('/_sim/clock/advance', json, (req: Request, res: Response) => {
    const seconds = (req.body as { seconds?: unknown } | undefined)?.seconds;
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
      res.status(400).json({ error: 'seconds must be a non-negative number' });
      return;
    }
    res.json({ now: sim.advance(seconds).toISOString() });
  });
  app.get('/_sim/config', (_req, res) => {
    const { password: _password, ...visible } = sim.ctx.config;
    res.json(visible);
  });
  app.put('/_sim/config', json, (req: Request, res: Response) => {
    const patch = configPatch((req.body ?? {}) as Record<string, unknown>);
    if (typeof patch === 'string') {
      res.status(400).json({ error: patch, allowed: CONFIG_KEYS });
      return;
    }
    Object.assign(sim.ctx.config, patch);
    const { password: _password, ...visible } = sim.ctx.config;
    res.json(visible);
  });
  app.get('/_sim/receipts', (_req, res) => {
    res.json({ receipts: sim.ctx.state.receipts });
  });
}

export async function startPayTraceSimulator(options: PayTraceSimulatorOptions = {}): Promise<PayTraceSimulator> {
  const { port, host, latencyMs, startTime, freezeClock, ...rest } = options;
  const given = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  const patch = configPatch(given);
  if (typeof patch === 'string') throw new Error(`startPayTraceSimulator: ${patch}`);
  const ctx: SimContext = {
    state: new PayTraceState(),
    clock: new SimClock(startTime === undefined ? undefined : new Date(startTime), freezeClock === true),
    config: { ...defaultPayTraceConfig(), ...patch },
  };
  ctx.state.settleDue(ctx.clock.now(), ctx.config.settleAt); // start the nightly schedule from now
  const settle = () => ctx.state.settleAll(ctx.clock.now()).batch;
  const advance = (seconds: number) => {
    const now = ctx.clock.advance(seconds);
    ctx.state.settleDue(now, ctx.config.settleAt);
    return now;
  };

  const kit = createSimulatorKit('paytrace', {
    state: () => {
      ctx.state.settleDue(ctx.clock.now(), ctx.config.settleAt); // show what real time has settled meanwhile
      return ctx.state.snapshot(ctx.clock.now());
    },
    reset: () => {
      ctx.state = new PayTraceState();
      ctx.state.settleDue(ctx.clock.now(), ctx.config.settleAt);
    },
    routes: (app) => {
      mountSimApi(app, { ctx, settle, advance });
      mountChargebacks(app, ctx);
      app.post('/v1/ping', (_req, res) => sendJson(res, 200, { success: true, status_message: 'pong' }));
      mountTokenEndpoint(app, ctx);
      mountTransactions(app, ctx);
      mountCustomers(app, ctx);
      mountChecks(app, ctx);
      mountExports(app, ctx);
      mountProtect(app, ctx);
    },
  });
  if (latencyMs) kit.faults.update({ latencyMs });
  // bodies are read before the kit's fault injection, so a client timeout cannot stop a request that arrived
  const server = express();
  server.disable('x-powered-by');
  server.use(captureBody(), kit.app, notFoundJson(), bodyErrorHandler());
  const running = await listen('paytrace', server, { port, host });
  return { ...running, context: ctx, settle, advanceClock: advance };
}

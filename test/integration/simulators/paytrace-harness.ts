import { startPayTraceSimulator, type PayTraceSimulator, type PayTraceSimulatorOptions } from '../../../simulators/paytrace';

/**
 * A small raw-HTTP harness for the PayTrace simulator tests: real requests, the body read whatever
 * the status (as a PayTrace client must), no client logic that could hide a simulator bug.
 */

export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export const VISA = '4012000098765439';
export const MASTERCARD = '5499740000000057';
export const DISCOVER = '6011000993026909';
export const AMEX = '371449635392376';

export function card(number = VISA, month: string | number = '12', year: string | number = '2030') {
  return { number, expiration_month: month, expiration_year: year };
}

export class PayTraceHarness {
  token = '';
  constructor(readonly sim: PayTraceSimulator) {}

  static async start(options: PayTraceSimulatorOptions = {}): Promise<PayTraceHarness> {
    const harness = new PayTraceHarness(await startPayTraceSimulator({ port: 0, startTime: '2026-03-10T15:00:00Z', freezeClock: true, ...options }));
    await harness.login();
    return harness;
  }

  get url(): string {
    return this.sim.url;
  }

  async login(username = 'demo123', password = 'demo123'): Promise<Answer> {
    const res = await this.raw('/oauth/token', new URLSearchParams({ grant_type: 'password', username, password }).toString(), {
      'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8',
    });
    if (res.status === 200) this.token = res.body.access_token as string;
    return res;
  }

  async raw<T = Record<string, unknown>>(path: string, body: string, headers: Record<string, string> = {}): Promise<Answer<T>> {
    const res = await fetch(`${this.url}${path}`, { method: 'POST', headers, body });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : {}) as T };
  }

  /** a v1 call with the Bearer token and integrator_id, as a real client sends it */
  async call<T = Record<string, unknown>>(path: string, body: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<Answer<T>> {
    return this.raw<T>(path, JSON.stringify({ integrator_id: '9999TESTINTG', ...body }), {
      'Content-Type': 'application/json',
      Authorization: `Bearer ${this.token}`,
      ...headers,
    });
  }

  async simState(): Promise<{ transactions: Array<Record<string, unknown>>; customers: Array<Record<string, unknown>>; batches: unknown[] }> {
    const res = await fetch(`${this.url}/_sim/state`);
    return (await res.json()) as never;
  }

  async simPost(path: string, body: unknown = {}): Promise<Record<string, unknown>> {
    const res = await fetch(`${this.url}${path}`, { method: path === '/_sim/faults' || path === '/_sim/config' ? 'PUT' : 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const text = await res.text();
    return (text ? JSON.parse(text) : {}) as Record<string, unknown>;
  }

  async sale(amount: string | number, extra: Record<string, unknown> = {}): Promise<Answer> {
    return this.call('/v1/transactions/sale/keyed', { amount, credit_card: card(), ...extra });
  }

  close(): Promise<void> {
    return this.sim.close();
  }
}

/** Run `act`, then prove the simulator's state is exactly as before. */
export async function expectNoStateChange(h: PayTraceHarness, act: () => Promise<unknown>): Promise<void> {
  const before = await h.simState();
  await act();
  const after = await h.simState();
  expect(after.transactions).toEqual(before.transactions);
  expect(after.customers).toEqual(before.customers);
  expect(after.batches).toEqual(before.batches);
}

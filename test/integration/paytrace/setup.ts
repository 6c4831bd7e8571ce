import { Secret } from '../../../gateway/src/config/secret';
import { ConnectorStatus } from '../../../gateway/src/observability/connector-status';
import { PayTraceClient, type PayTraceClientOptions } from '../../../gateway/src/paytrace/client';
import { PayTraceTransport } from '../../../gateway/src/paytrace/transport';
import type { ProtectTokens } from '../../../gateway/src/paytrace/transformers/card';
import { startPayTraceSimulator, type PayTraceSimulator, type PayTraceSimulatorOptions } from '../../../simulators/paytrace';

export const VISA = '4012000098765439';
export const MASTERCARD = '5499740000000057';
export const AMEX = '371449635392376';

export const card = (number = VISA, expirationMonth = '12', expirationYear = '2030', csc?: string) => ({
  number: new Secret(number),
  expirationMonth,
  expirationYear,
  ...(csc ? { csc: new Secret(csc) } : {}),
});

export interface ClientUnderTest {
  sim: PayTraceSimulator;
  client: PayTraceClient;
  transport: PayTraceTransport;
  connectors: ConnectorStatus;
  /** what the Protect iframe does with a typed card: its tokenize call on the simulator's origin */
  protectTokens(number?: string): Promise<ProtectTokens>;
  /** PUT /_sim/<what> on the simulator */
  simPut(what: 'faults' | 'config', body: Record<string, unknown>): Promise<void>;
  simState(): Promise<{ transactions: Array<Record<string, unknown>>; customers: Array<Record<string, unknown>> }>;
  close(): Promise<void>;
}

/** The simulator (no nightly settlement: tests settle on purpose) and our client wired to it. */
export async function startClientAndSimulator(
  options: { sim?: PayTraceSimulatorOptions; client?: PayTraceClientOptions; timeoutMs?: number; integratorId?: string | null; password?: string } = {},
): Promise<ClientUnderTest> {
  const sim = await startPayTraceSimulator({ settleAt: null, ...options.sim });
  const connectors = new ConnectorStatus(['paytrace']);
  const transport = new PayTraceTransport({
    baseUrl: sim.url,
    username: new Secret('demo123'),
    password: new Secret(options.password ?? 'demo123'),
    integratorId: options.integratorId === null ? undefined : (options.integratorId ?? 'M3PTSANDBOX1'),
    timeoutMs: options.timeoutMs ?? 5_000,
    connectors,
  });
  const client = new PayTraceClient(transport, { allowKeyedCard: true, ...options.client });
  const json = async (res: Response) => (await res.json()) as Record<string, unknown>;
  return {
    sim,
    client,
    transport,
    connectors,
    async protectTokens(number = VISA) {
      const { clientKey } = await client.paymentFieldsToken();
      const res = await fetch(`${sim.url}/protect/hpf/tokenize`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ clientKey: clientKey.reveal(), number, expiration_month: '12', expiration_year: '2030', csc: '999' }),
      });
      const body = await json(res);
      const message = body.message as { hpf_token: string; enc_key: string };
      if (!message) throw new Error(`tokenize failed: ${JSON.stringify(body)}`);
      return { hpfToken: new Secret(message.hpf_token), encKey: new Secret(message.enc_key) };
    },
    async simPut(what, body) {
      const res = await fetch(`${sim.url}/_sim/${what}`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`PUT /_sim/${what}: ${res.status} ${await res.text()}`);
    },
    async simState() {
      return (await json(await fetch(`${sim.url}/_sim/state`))) as never;
    },
    close: () => sim.close(),
  };
}

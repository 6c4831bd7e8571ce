/** Shared set-up for the Infor connector tests: a real Infor simulator and connectors built from its .ionapi. */
import { startInforSimulator, type InforSimulator } from '../../../simulators/infor';
import { parseIonApi, type IonApiCredentials } from '../../../gateway/src/infor/ionapi';
import { M3Client } from '../../../gateway/src/infor/m3/m3-client';
import { InforTokenClient, type TokenClientOptions } from '../../../gateway/src/infor/os/token-client';
import { ConnectorStatus } from '../../../gateway/src/observability/connector-status';

export interface InforFixture {
  sim: InforSimulator;
  credentials: IonApiCredentials;
  status: ConnectorStatus;
  tokens(options?: Partial<TokenClientOptions>): InforTokenClient;
  m3(options?: { timeoutMs?: number; readRetries?: number; tokens?: InforTokenClient }): M3Client;
  /** PUT /_sim/… with a JSON body */
  simPut(path: string, body: unknown): Promise<unknown>;
  simGet<T = unknown>(path: string): Promise<T>;
  simPost<T = unknown>(path: string, body?: unknown): Promise<T>;
}

export async function startInforFixture(options: Parameters<typeof startInforSimulator>[0] = {}): Promise<InforFixture> {
  const sim = await startInforSimulator({ port: 0, ...options });
  const credentials = parseIonApi(sim.ionapi);
  const status = new ConnectorStatus(['infor-os', 'm3', 'ion']);
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${sim.url}/_sim${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} /_sim${path}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  const tokens = (o: Partial<TokenClientOptions> = {}) => new InforTokenClient({ credentials, allowInsecureHttp: true, status, ...o });
  return {
    sim,
    credentials,
    status,
    tokens,
    m3: (o = {}) =>
      new M3Client({ baseUrl: `${credentials.apiBaseUrl}/M3/m3api-rest`, tokens: o.tokens ?? tokens(), timeoutMs: o.timeoutMs ?? 5_000, readRetries: o.readRetries ?? 2, retryDelayMs: 10, status }),
    simPut: (path, body) => call('PUT', path, body),
    simGet: (path) => call('GET', path),
    simPost: (path, body) => call('POST', path, body),
  };
}

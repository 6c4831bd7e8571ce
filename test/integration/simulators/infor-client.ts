import { startInforSimulator, type InforSimulator, type InforSimulatorOptions } from '../../../simulators/infor';

/** small helpers the Infor simulator tests share: real HTTP against a started simulator */

export interface InforTestClient {
  sim: InforSimulator;
  /** M3 MI base through the ION API: {iu}/{ti}/M3/m3api-rest */
  m3Base: string;
  imsBase: string;
  tokenUrl: string;
  token(): Promise<string>;
  /** v1 GET; `path` is 'PROG/TRANS;matrix', query the input fields */
  v1(path: string, query?: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }>;
  v2(path: string, query?: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }>;
  /** the first record of a v1 answer, trimmed, as {FIELD: value} */
  v1Record(path: string, query?: Record<string, string>): Promise<Record<string, string>>;
  /** records of a v2 answer, trimmed; fails the test on an error */
  v2Records(path: string, query?: Record<string, string>): Promise<Record<string, string>[]>;
  sim_(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
}

export async function passwordGrant(sim: InforSimulator): Promise<Response> {
  const i = sim.ionapi;
  return fetch(i.pu + i.ot, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', username: i.saak, password: i.sask, client_id: i.ci, client_secret: i.cs }),
  });
}

const trimRecord = (r: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.trimEnd()]));

export async function startInforTestClient(options: InforSimulatorOptions = {}): Promise<InforTestClient> {
  const sim = await startInforSimulator({ latencyMs: 0, ...options });
  const i = sim.ionapi;
  let cached: string | undefined;
  const token = async (): Promise<string> => {
    if (cached) return cached;
    const res = await passwordGrant(sim);
    if (res.status !== 200) throw new Error(`token: HTTP ${res.status} ${await res.text()}`);
    cached = ((await res.json()) as { access_token: string }).access_token;
    return cached;
  };
  const m3Base = `${i.iu}/${i.ti}/M3/m3api-rest`;
  const get = async (url: string) => {
    const res = await fetch(url, { headers: { authorization: `Bearer ${await token()}`, accept: 'application/json' } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const qs = (query?: Record<string, string>) => (query ? `?${new URLSearchParams(query).toString()}` : '');
  const client: InforTestClient = {
    sim,
    m3Base,
    imsBase: `${i.iu}/${i.ti}/IONSERVICES/api/ion/messaging/service`,
    tokenUrl: i.pu + i.ot,
    token,
    v1: (path, query) => get(`${m3Base}/execute/${path}${qs(query)}`),
    v2: (path, query) => get(`${m3Base}/v2/execute/${path}${qs(query)}`),
    async v1Record(path, query) {
      const { body } = await client.v1(path, query);
      if (!Array.isArray(body.MIRecord)) throw new Error(`not a record answer: ${JSON.stringify(body)}`);
      const first = (body.MIRecord as { NameValue: { Name: string; Value: string }[] }[])[0];
      return first ? Object.fromEntries(first.NameValue.map((nv) => [nv.Name, nv.Value.trimEnd()])) : {};
    },
    async v2Records(path, query) {
      const { status, body } = await client.v2(path, query);
      if (status !== 200) throw new Error(`v2 ${path}: HTTP ${status} ${JSON.stringify(body)}`);
      const results = body.results as { records: Record<string, string>[] }[];
      return results[0].records.map(trimRecord);
    },
    async sim_(method, path, body) {
      const res = await fetch(`${sim.url}/_sim${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
    },
  };
  return client;
}

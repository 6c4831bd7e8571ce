import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadIonApiFile, parseIonApi, type IonApiCredentials } from '../infor/ionapi';
import { M3Client } from '../infor/m3/m3-client';
import { InforTokenClient } from '../infor/os/token-client';
import { startInforSimulator } from '../../../simulators/infor';
import type { MetadataReader } from './targets/m3';

/**
 * Where the CLI and the benchmark read M3 metadata: the tenant's M3 when IONAPI_FILE names a
 * .ionapi file; else the sandbox's Infor simulator when one is running (`npm start` leaves its
 * .ionapi under .data/); else an Infor simulator started in this process (and stopped by close()).
 */
export interface M3Metadata {
  m3: MetadataReader;
  /** where it came from, for the user */
  source: string;
  close(): Promise<void>;
}

function clientFor(credentials: IonApiCredentials): M3Client {
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(new URL(credentials.tokenUrl).hostname);
  const tokens = new InforTokenClient({ credentials, grant: process.env.INFOR_GRANT === 'client_credentials' ? 'client_credentials' : 'password', allowInsecureHttp: local, timeoutMs: 30_000 });
  return new M3Client({ baseUrl: process.env.M3_BASE_URL ?? `${credentials.apiBaseUrl}/M3/m3api-rest`, tokens, timeoutMs: Number(process.env.M3_TIMEOUT_MS ?? 30_000), readRetries: 0 });
}

async function answers(m3: M3Client): Promise<boolean> {
  try {
    await m3.execute('MRS001MI', 'LstPrograms', {}, { maxrecs: 1, timeoutMs: 2000 });
    return true;
  } catch {
    return false;
  }
}

export async function openM3Metadata(options: { ionapiFile?: string; sandboxIonapi?: string } = {}): Promise<M3Metadata> {
  const file = options.ionapiFile ?? process.env.IONAPI_FILE;
  if (file) return { m3: clientFor(loadIonApiFile(file)), source: `M3 of ${file}`, close: async () => undefined };
  const sandbox = options.sandboxIonapi ?? path.resolve(process.env.EMBEDDED_PG_DATA_DIR ? path.dirname(path.resolve(process.env.EMBEDDED_PG_DATA_DIR)) : '.data', 'infor-sandbox.ionapi');
  if (existsSync(sandbox)) {
    const m3 = clientFor(loadIonApiFile(sandbox));
    if (await answers(m3)) return { m3, source: `the running sandbox (${sandbox})`, close: async () => undefined };
  }
  // no sandbox running: the simulator in this process, on a free port
  const sim = await startInforSimulator({ port: 0, latencyMs: 0 });
  return { m3: clientFor(parseIonApi(sim.ionapi)), source: 'an Infor simulator started for this command', close: () => sim.close() };
}

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Where a running sandbox tells local tools (npm run example) its addresses: written by
 * `npm start` in sandbox mode beside the embedded database (.data/), removed nowhere (the next
 * start overwrites it). Holds no secret, only the path of the webhook secret's file.
 */
export const SANDBOX_FILE = 'sandbox.json';

export interface SandboxInfo {
  gateway: string;
  paytrace?: string;
  infor?: string;
  ecommerceSecretFile?: string;
  startedAt: string;
}

export async function writeSandboxInfo(dataDir: string, info: SandboxInfo): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  await writeFile(path.join(dataDir, SANDBOX_FILE), `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
}

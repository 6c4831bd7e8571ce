import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { errorClassOf } from '../../errors';
import type { GatewayServices } from '../../kernel/services';
import { asSingleton } from '../../pipeline/advisory-lock';
import { importReport } from './intake';

export interface ReportWatcher {
  /** one look into the folder now (tests; the timer does the same) */
  scan(): Promise<number>;
  stop(): Promise<void>;
}

/** a file younger than this may still be being written */
const SETTLE_MS = 2_000;

/**
 * The watched folder of chargeback reports (flows.chargebackReportDir): every `*.csv` in it is
 * imported as an upload would be, then moved to `done/` (with `<name>.result.json`) or, when it
 * cannot be read, to `refused/` with `<name>.error.txt`. A file carrying a full card number is
 * deleted, never kept (card data must not rest on the gateway's disk): only the error note stays.
 * One gateway looks at a time (advisory lock); the same report twice is one set of cases.
 */
export function watchChargebackReports(services: GatewayServices, dir: string, intervalMs: number): ReportWatcher {
  let running: Promise<number> | undefined;
  const once = async (): Promise<number> => {
    let names: string[];
    try {
      names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.csv')).map((e) => e.name).sort();
    } catch (err) {
      services.logger.warn('chargeback report folder cannot be read', { dir, err });
      return 0;
    }
    let done = 0;
    for (const name of names) {
      const file = path.join(dir, name);
      const info = await stat(file).catch(() => undefined);
      if (!info || Date.now() - info.mtimeMs < SETTLE_MS) continue;
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      try {
        const result = await importReport(services, await readFile(file), { correlationId: `chargeback-report:${name}` });
        await mkdir(path.join(dir, 'done'), { recursive: true });
        await rename(file, path.join(dir, 'done', `${stamp}-${name}`));
        await writeFile(path.join(dir, 'done', `${stamp}-${name}.result.json`), JSON.stringify(result, null, 2));
        done += 1;
      } catch (err) {
        const c = errorClassOf(err);
        if (c.errorClass !== 'business') {
          services.logger.warn('chargeback report not imported; the next look tries again', { file: name, err });
          continue;
        }
        await mkdir(path.join(dir, 'refused'), { recursive: true });
        if (c.code === 'CHARGEBACK_REPORT_CARD_DATA') await rm(file, { force: true });
        else await rename(file, path.join(dir, 'refused', `${stamp}-${name}`));
        await writeFile(path.join(dir, 'refused', `${stamp}-${name}.error.txt`), `${c.code}: ${c.message}\n`);
        services.logger.warn('chargeback report refused', { file: name, errorCode: c.code, error: c.message });
      }
    }
    return done;
  };
  const scan = () => (running ??= asSingleton(services.db, 'chargeback-reports', once).then((r) => (r.ran ? r.value : 0)).finally(() => (running = undefined)));
  const timer = setInterval(() => void scan().catch((err: unknown) => services.logger.warn('chargeback report scan failed', { err })), intervalMs);
  timer.unref();
  return {
    scan,
    async stop() {
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}

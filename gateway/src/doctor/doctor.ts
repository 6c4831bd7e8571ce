import type { Config } from '../config';
import { loadRules } from '../domain/rules-loader';
import { errorClassOf } from '../errors';
import { inforConnectorsFromConfig, type InforConnectors } from '../infor/module';
import type { M3Scope } from '../infor/m3-programs/executor';
import { payTraceClientFromConfig } from '../paytrace/module';
import { M3_USAGE } from './m3-usage';

/**
 * `npm run doctor`: the installation checked from the gateway's side, in install order, each
 * failure with its fix. It reads; the one write is the GL interface probe (a GLS840MI batch
 * under key M3PT-DOCTOR-…, deleted again with DelBatch), skipped with --no-write-probes.
 * Settings M3 has no MI read for (CRS434, ARS075, card types) are listed as checks by hand.
 */

export type CheckStatus = 'ok' | 'fail' | 'warn' | 'manual';

export interface Check {
  area: string;
  title: string;
  status: CheckStatus;
  detail: string;
  /** what to do about a failure (and where), for fail / warn / manual */
  fix?: string;
}

export interface DoctorOptions {
  /** run the GL interface probe (creates and deletes one GLS840MI batch) */
  writeProbes?: boolean;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export async function runDoctor(config: Config, options: DoctorOptions = {}): Promise<Check[]> {
  const checks: Check[] = [];
  const add = (c: Check) => checks.push(c);

  // 1. configuration of the gateway itself
  add({ area: 'gateway', title: 'configuration', status: 'ok', detail: `mode ${config.mode}` });
  if (config.mode === 'connected' && !config.http.publicBaseUrl) add({ area: 'gateway', title: 'public URL', status: 'fail', detail: 'PUBLIC_BASE_URL is not set', fix: 'Set PUBLIC_BASE_URL to the https address the ION API suite targets and payment links point to.' });
  if (!config.links.apiSuiteKey) {
    add({
      area: 'gateway', title: 'ION API suite key', status: config.mode === 'connected' ? 'fail' : 'warn', detail: 'LINKS_API_SUITE_KEY is not set: the H5 script\'s calls through the ION API suite would be refused',
      fix: 'Make a long random secret (openssl rand -base64 32), set it as LINKS_API_SUITE_KEY and as the API Key of the M3PAYTRACE suite\'s endpoint (ion-bods/SETUP.md §2).',
    });
  } else if (config.links.apiSuiteKey.reveal().length < 24) {
    add({ area: 'gateway', title: 'ION API suite key', status: 'fail', detail: 'LINKS_API_SUITE_KEY is shorter than 24 characters', fix: 'Use a long random secret (openssl rand -base64 32), in the gateway and in the suite.' });
  } else {
    add({ area: 'gateway', title: 'ION API suite key', status: 'ok', detail: `set (header ${config.links.apiSuiteKeyHeader}); put the same value in the suite's API Key` });
  }
  try {
    const rules = await loadRules(config.rules.dir);
    add({ area: 'gateway', title: 'rules files', status: 'ok', detail: rules.files.map((f) => `${f.file}@v${f.version}`).join(', ') });
  } catch (err) {
    add({ area: 'gateway', title: 'rules files', status: 'fail', detail: message(err), fix: 'Correct the file and line named (mappings/README.md describes each file).' });
  }

  // 2. Infor OS: the authorized app's .ionapi and a token
  let infor: InforConnectors | undefined;
  try {
    infor = inforConnectorsFromConfig(config);
  } catch (err) {
    add({ area: 'infor-os', title: '.ionapi file', status: 'fail', detail: message(err), fix: 'Download the credentials of the Backend Service app again (Infor OS › API Gateway › Authorized Apps) and point IONAPI_FILE at it.' });
  }
  if (!infor) {
    if (!checks.some((c) => c.area === 'infor-os')) add({ area: 'infor-os', title: '.ionapi file', status: 'fail', detail: 'IONAPI_FILE is not set', fix: 'Register the authorized app (docs/install.md step 1) and set IONAPI_FILE.' });
  } else {
    try {
      await infor.tokens.getAccessToken();
      add({ area: 'infor-os', title: 'service account token', status: 'ok', detail: `tenant ${infor.credentials.tenant}, grant ${config.infor.grant}` });
    } catch (err) {
      add({ area: 'infor-os', title: 'service account token', status: 'fail', detail: message(err), fix: 'Check the .ionapi (saak/sask of the service account, ci/cs) and that the app is a Backend Service with a service account; for client credentials set INFOR_GRANT=client_credentials.' });
      infor = undefined;
    }
  }

  if (infor) await m3Checks(config, infor, options, add);
  if (infor) {
    // 5. ION: the messaging service, and our connection point's documents
    try {
      const reachable = await infor.ion.ping();
      add(reachable
        ? { area: 'ion', title: 'ION Messaging Service', status: 'ok', detail: 'answered the ping' }
        : { area: 'ion', title: 'ION Messaging Service', status: 'fail', detail: 'did not answer the ping', fix: 'Check ION_MESSAGING_URL and that the authorized app may call ION (ION API › IONSERVICES).' });
    } catch (err) {
      add({ area: 'ion', title: 'ION Messaging Service', status: 'fail', detail: message(err), fix: 'Check ION_MESSAGING_URL and the network path to the ION API gateway.' });
    }
  }

  // 6. PayTrace: sign-in and a read
  const paytrace = payTraceClientFromConfig(config);
  if (!paytrace) {
    add({ area: 'paytrace', title: 'API user', status: 'fail', detail: 'PayTrace is not configured', fix: 'Set PAYTRACE_BASE_URL, PAYTRACE_USERNAME, PAYTRACE_PASSWORD and PAYTRACE_INTEGRATOR_ID (docs/install.md step 8).' });
  } else {
    try {
      const now = new Date();
      const batches = await paytrace.exportBatches(new Date(now.getTime() - 86_400_000), now);
      add({ area: 'paytrace', title: 'API user', status: 'ok', detail: batches.approved ? `signed in; ${batches.batches.length} batch(es) in the last day` : `signed in; ${batches.statusMessage}` });
      const key = await paytrace.paymentFieldsToken();
      add({ area: 'paytrace', title: 'Protect (pay page card fields)', status: key.clientKey.reveal() ? 'ok' : 'fail', detail: 'a client key was issued', fix: 'Ask PayTrace to enable PayTrace Protect for the API user.' });
    } catch (err) {
      add({ area: 'paytrace', title: 'API user', status: 'fail', detail: message(err), fix: 'Check the API user and password in PayTrace (an API user, not a Virtual Terminal user) and the integrator id PayTrace issued.' });
    }
  }
  return checks;
}

async function m3Checks(config: Config, infor: InforConnectors, options: DoctorOptions, add: (c: Check) => void): Promise<void> {
  const m3 = infor.m3;
  const scope: M3Scope = { cono: config.flows.company, divi: config.flows.division };
  const user = infor.credentials.serviceAccountKey ? 'the service account' : 'the app';

  // 3a. the service account's company and division (MNS150)
  try {
    const { records } = await m3.execute('MNS150MI', 'GetUserData', {}, {});
    const u = records[0] ?? {};
    const same = Number(u.CONO) === config.flows.company && (u.DIVI ?? '').trim() === config.flows.division;
    add(same
      ? { area: 'm3', title: 'service account user', status: 'ok', detail: `${(u.USID ?? '').trim()}: company ${u.CONO}, division ${(u.DIVI ?? '').trim()}, time zone ${(u.TIZO ?? '').trim()}` }
      : { area: 'm3', title: 'service account user', status: 'warn', detail: `${(u.USID ?? '').trim()} works in company ${u.CONO} division ${(u.DIVI ?? '').trim()}; the gateway posts to ${config.flows.company}/${config.flows.division}`, fix: 'Set the user\'s default company/division in MNS150, or flows.company / flows.division to match; every call names its company and division anyway.' });
  } catch (err) {
    add({ area: 'm3', title: 'service account user', status: 'fail', detail: message(err), fix: authorityFix(err, 'MNS150MI', user) ?? 'Check that M3 is reachable through ION API (M3_BASE_URL).' });
    if (errorClassOf(err).errorClass === 'transient') return; // M3 is not there: the rest would say the same
  }

  // 3b. every program and transaction the gateway calls exists in this M3
  let served: Set<string> | undefined;
  try {
    const { records } = await m3.execute('MRS001MI', 'LstPrograms', {}, { ...scope, maxrecs: 0 });
    served = new Set(records.map((r) => (r.MINM ?? '').trim()));
  } catch (err) {
    add({ area: 'm3', title: 'API programs (MRS001MI)', status: 'fail', detail: message(err), fix: authorityFix(err, 'MRS001MI', user) ?? 'Check that M3 answers MRS001MI.' });
  }
  for (const use of M3_USAGE) {
    if (served && !served.has(use.program)) {
      add({ area: 'm3', title: `${use.program} (${use.why})`, status: 'fail', detail: `M3 does not offer ${use.program}`, fix: `This M3 release lacks ${use.program}; the gateway needs it for ${use.why}.` });
      continue;
    }
    if (served) {
      try {
        const { records } = await m3.execute('MRS001MI', 'LstTransactions', { MINM: use.program }, { ...scope, maxrecs: 0 });
        const have = new Set(records.map((r) => (r.TRNM ?? '').trim()));
        const missing = use.transactions.filter((t) => !have.has(t));
        if (missing.length) add({ area: 'm3', title: `${use.program} transactions`, status: 'fail', detail: `missing ${missing.join(', ')}`, fix: `The gateway calls ${use.program}/${missing.join(', ')} for ${use.why}; this M3 release does not offer ${missing.length === 1 ? 'it' : 'them'}.` });
      } catch {
        // LstTransactions refused: the authority check below says why
      }
    }
    // 4. MI authority: a harmless call per program
    try {
      await m3.execute(use.program, use.probe.transaction, use.probe.input, { ...scope, maxrecs: 1 });
      add({ area: 'm3 authority', title: use.program, status: 'ok', detail: `${use.probe.transaction} answered (${use.why})` });
    } catch (err) {
      const fix = authorityFix(err, use.program, user);
      if (fix) add({ area: 'm3 authority', title: use.program, status: 'fail', detail: message(err), fix });
      else if (errorClassOf(err).errorClass === 'business') add({ area: 'm3 authority', title: use.program, status: 'ok', detail: `${use.probe.transaction} reached M3 (${use.why})` });
      else add({ area: 'm3 authority', title: use.program, status: 'fail', detail: message(err), fix: 'M3 did not answer: check M3 and the ION API gateway, then run the doctor again.' });
    }
  }

  // 3c. settings the flows name
  try {
    const { records } = await m3.execute('CRS610MI', 'GetBasicData', { CUNO: config.flows.customerTemplate }, scope);
    add({ area: 'm3 settings', title: `customer template ${config.flows.customerTemplate} (CRS610)`, status: records.length ? 'ok' : 'fail', detail: records.length ? `exists: ${(records[0]!.CUNM ?? '').trim()}` : 'not found' });
  } catch (err) {
    add({
      area: 'm3 settings', title: `customer template ${config.flows.customerTemplate} (CRS610)`, status: 'fail', detail: message(err),
      fix: `Create customer ${config.flows.customerTemplate} in CRS610 (status 90, currency ${config.flows.localCurrency}, payment method ${config.flows.paymentMethod}, your order type and warehouse): storefront customers are copied from it (flows.customerTemplate).`,
    });
  }
  try {
    const { records } = await m3.execute('CRS055MI', 'GetBasicData', { CUCD: config.flows.localCurrency }, scope);
    add({ area: 'm3 settings', title: `local currency ${config.flows.localCurrency} (CRS055)`, status: 'ok', detail: `known, ${(records[0]?.DCCD ?? '2').trim()} decimals` });
  } catch (err) {
    add({ area: 'm3 settings', title: `local currency ${config.flows.localCurrency} (CRS055)`, status: 'fail', detail: message(err), fix: `Set flows.localCurrency to the division's local currency (MNS100), and make sure CRS055 knows it.` });
  }
  if (options.writeProbes !== false) await glInterfaceProbe(config, infor, scope, add);
  else add({ area: 'm3 settings', title: `GLS850 interface ${config.flows.glInterfaceName}`, status: 'manual', detail: 'not probed (--no-write-probes)', fix: `In GLS850 check interface ${config.flows.glInterfaceName}: usage type 1 (positioned API), GL vouchers, the record layout of gateway/src/infor/m3-programs/gl.ts.` });

  // settings M3 offers no read transaction for: the admin ticks them off
  add({ area: 'm3 settings', title: `3rd-party provider ${config.flows.provider} (CRS434)`, status: 'manual', detail: 'M3 has no MI read of CRS434 the gateway could use', fix: `In CRS434 check that provider ${config.flows.provider} exists for division ${config.flows.division} and currency USD, with your PayTrace merchant id as 3rd-party ID.` });
  add({ area: 'm3 settings', title: `batch payment type ${config.flows.receiptPaymentType} (ARS075)`, status: 'manual', detail: 'checked by M3 only when a receipt is added', fix: `In ARS075 check batch payment type ${config.flows.receiptPaymentType}: matching on invoice number, bank account of the card settlements.` });
  add({ area: 'm3 settings', title: 'card type codes (CRS436 / CTPY)', status: 'manual', detail: Object.entries(config.flows.cardTypeCodes).map(([brand, code]) => `${brand}=${code}`).join(', '), fix: 'Check that each card type code exists in M3 for the provider, or change flows.cardTypeCodes.' });
  add({ area: 'm3 settings', title: `payment method ${config.flows.paymentMethod} (CRS076)`, status: 'manual', detail: 'the AR payment method of card orders', fix: `In CRS076 check payment method ${config.flows.paymentMethod}: payment class 03, "Credit card" ticked.` });
}

/** The fix for a call refused by the ION API (no MI authority), or undefined when it was not that. */
function authorityFix(err: unknown, program: string, user: string): string | undefined {
  const code = errorClassOf(err).code;
  if (code === 'M3_FORBIDDEN') return `Give ${user}'s M3 user MI authority to ${program} (SES400/SES401, "API security" by user or role) [inferred screen names], then run the doctor again.`;
  if (code === 'M3_AUTH_FAILED') return `The ION API refused the token for ${program}: check that the authorized app may call M3 (ION API › Available APIs › M3) and that its service account maps to an M3 user.`;
  return undefined;
}

/** GLS850 interface and PARM layout: a balanced zero-amount batch is added, controlled and deleted. */
async function glInterfaceProbe(config: Config, infor: InforConnectors, scope: M3Scope, add: (c: Check) => void): Promise<void> {
  const intn = config.flows.glInterfaceName;
  const key1 = `M3PT-DR-${Date.now().toString(36).toUpperCase()}`.slice(0, 15);
  const title = `GLS850 interface ${intn} (GLS840MI probe)`;
  let added = false;
  try {
    await infor.m3.execute('GLS840MI', 'AddBatchHead', { CONO: String(scope.cono), KEY1: key1, INTN: intn, DESC: 'm3-paytrace doctor probe (deleted)', DIVI: scope.divi }, scope);
    added = true;
    add({ area: 'm3 settings', title, status: 'ok', detail: `GLS840MI accepted a batch for interface ${intn} (${key1}, deleted again)` });
  } catch (err) {
    add({
      area: 'm3 settings', title, status: 'fail', detail: message(err),
      fix: authorityFix(err, 'GLS840MI', 'the service account') ?? `Create interface ${intn} in GLS850 (usage type 1, positioned API; GL vouchers) with the record layout of gateway/src/infor/m3-programs/gl.ts, or set flows.glInterfaceName to yours.`,
    });
  } finally {
    if (added) {
      try {
        await infor.m3.execute('GLS840MI', 'DelBatch', { CONO: String(scope.cono), KEY1: key1, DIVI: scope.divi }, scope);
      } catch (err) {
        add({ area: 'm3 settings', title: 'GLS840MI probe clean-up', status: 'warn', detail: message(err), fix: `Delete batch ${key1} in GLS840 by hand (option 4).` });
      }
    }
  }
}

/** The report as text: one line per check, failures with their fix, a summary at the end. */
export function formatReport(checks: Check[]): string {
  const mark: Record<CheckStatus, string> = { ok: 'ok  ', fail: 'FAIL', warn: 'warn', manual: 'todo' };
  const lines: string[] = [];
  let area = '';
  for (const c of checks) {
    if (c.area !== area) {
      area = c.area;
      lines.push('', area);
    }
    lines.push(`  [${mark[c.status]}] ${c.title}: ${c.detail}`);
    if (c.fix && c.status !== 'ok') lines.push(`         fix: ${c.fix}`);
  }
  const count = (s: CheckStatus) => checks.filter((c) => c.status === s).length;
  lines.push('', `${count('ok')} ok, ${count('fail')} failed, ${count('warn')} warnings, ${count('manual')} to check by hand`);
  return lines.join('\n');
}

import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from 'knex';
import { z } from 'zod';
import { parseRules, RulesError, RULES_FILE_NAMES } from '../domain/rules-loader';
import { AppError } from '../errors';
import { IonApiFileError, parseIonApi } from '../infor/ionapi';
import { audit } from '../store/audit';

/**
 * Configuration changes from the operator app: validated, versioned in PostgreSQL and audited.
 * What is stored and shown is the non-secret summary plus a fingerprint of the secrets (so an
 * operator sees that a secret changed, never its value). Versions are not applied to the
 * running connectors: the gateway reads its configuration at start-up (see docs/operator-ui.md).
 */
export type ConfigKind = 'ionapi' | 'paytrace' | 'rules';

const fingerprint = (...secrets: Array<string | undefined>) =>
  createHash('sha256').update(secrets.map((s) => s ?? '').join('\u0000')).digest('hex').slice(0, 12);

async function saveVersion(db: Knex, kind: ConfigKind, summary: Record<string, unknown>, actor: string, reason: string | undefined) {
  return db.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`config_versions:${kind}`]);
    const last = await trx('config_versions').where({ kind }).max<{ max: number | null }>('version as max').first();
    const version = (last?.max ?? 0) + 1;
    const [row] = await trx('config_versions').insert({ kind, version, summary: JSON.stringify(summary), actor, reason: reason ?? null }).returning<Array<{ id: string; created_at: Date }>>(['id', 'created_at']);
    await audit(trx, { actor, action: `config.${kind}.saved`, subjectType: 'config', subjectId: `${kind}:v${version}`, reason, details: summary });
    return { kind, version, summary, createdAt: new Date(row!.created_at).toISOString() };
  });
}

/** A .ionapi file's shareable face: tenant and endpoints; secrets only as a fingerprint. */
export function ionapiSummary(text: string) {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // never echo the content: it holds secrets
    throw new AppError('the file is not valid JSON, so it is not a .ionapi file', { code: 'IONAPI_INVALID', errorClass: 'business', httpStatus: 422, details: { fieldErrors: [{ field: 'file', message: 'not valid JSON' }] } });
  }
  try {
    const c = parseIonApi(json, 'the uploaded .ionapi');
    return {
      tenant: c.tenant,
      appName: c.appName,
      clientId: c.clientId,
      ionApiUrl: c.ionApiUrl,
      authServerUrl: c.authServerUrl,
      tokenUrl: c.tokenUrl,
      authorizeUrl: c.authorizeUrl,
      revokeUrl: c.revokeUrl,
      apiBaseUrl: c.apiBaseUrl,
      serviceAccount: c.serviceAccountKey !== undefined,
      secretFingerprint: fingerprint(c.clientSecret.reveal(), c.serviceAccountKey?.reveal(), c.serviceAccountSecret?.reveal()),
    };
  } catch (err) {
    if (err instanceof IonApiFileError) {
      const problems = (err.details?.problems as string[] | undefined) ?? [err.message];
      throw new AppError(err.message, {
        code: 'IONAPI_INVALID', errorClass: 'business', httpStatus: 422,
        details: { fieldErrors: problems.map((p) => ({ field: p.split(':')[0] ?? 'file', message: p.split(':').slice(1).join(':').trim() || p })) },
      });
    }
    throw err;
  }
}

export async function saveIonapi(db: Knex, text: string, actor: string, reason?: string) {
  return saveVersion(db, 'ionapi', ionapiSummary(text), actor, reason);
}

export const payTraceCredentialsSchema = z.object({
  baseUrl: z.url({ protocol: /^https$|^http$/, error: 'must be an http(s) URL' }),
  username: z.string().min(1, 'must not be empty').max(100),
  password: z.string().min(1, 'must not be empty').max(200),
  integratorId: z.string().min(1, 'must not be empty').max(12, 'PayTrace integrator ids are at most 12 characters'),
});

/** PayTrace API-user credentials are write-only: the password goes in, only its fingerprint comes out. */
export async function savePayTraceCredentials(db: Knex, input: unknown, actor: string, reason?: string) {
  const parsed = payTraceCredentialsSchema.safeParse(input);
  if (!parsed.success) {
    throw new AppError('the PayTrace credentials are incomplete or malformed', {
      code: 'PAYTRACE_CREDENTIALS_INVALID', errorClass: 'business', httpStatus: 422,
      details: { fieldErrors: parsed.error.issues.map((i) => ({ field: i.path.join('.') || 'body', message: i.message })) },
    });
  }
  const c = parsed.data;
  return saveVersion(db, 'paytrace', { baseUrl: c.baseUrl, username: c.username, integratorId: c.integratorId, passwordFingerprint: fingerprint(c.password) }, actor, reason);
}

/** The rules folder's current texts, for the editor. */
export async function currentRuleTexts(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).filter((n) => RULES_FILE_NAMES.includes(n)).sort()) out[name] = await readFile(path.join(dir, name), 'utf8');
  return out;
}

/**
 * Validate changed rules files together with the unchanged ones (cross-file checks need all),
 * with the domain loader; each problem comes back as file:line path → message for inline display.
 */
export async function saveRules(db: Knex, dir: string, changed: Record<string, string>, actor: string, reason?: string) {
  const unknown = Object.keys(changed).filter((n) => !RULES_FILE_NAMES.includes(n));
  if (unknown.length) {
    throw new AppError(`not a rules file: ${unknown.join(', ')}`, { code: 'RULES_INVALID', errorClass: 'business', httpStatus: 422, details: { fieldErrors: unknown.map((n) => ({ field: n, message: `not a known rules file (expected ${RULES_FILE_NAMES.join(', ')})` })) } });
  }
  const texts = new Map(Object.entries({ ...(await currentRuleTexts(dir)), ...changed }));
  try {
    const rules = parseRules(texts, dir);
    return await saveVersion(db, 'rules', { files: rules.files, changed: Object.keys(changed), texts: changed }, actor, reason);
  } catch (err) {
    if (err instanceof RulesError) {
      throw new AppError('the rules are not valid', {
        code: 'RULES_INVALID', errorClass: 'business', httpStatus: 422,
        details: { fieldErrors: err.problems.map((p) => ({ field: `${p.file}${p.line !== undefined ? `:${p.line}:${p.column ?? 1}` : ''}${p.path ? ` ${p.path}` : ''}`, message: p.message })) },
      });
    }
    throw err;
  }
}

export async function listVersions(db: Knex, kind?: ConfigKind) {
  const rows = await db('config_versions').modify((q) => (kind ? q.where({ kind }) : q)).orderBy('id', 'desc').limit(100);
  return rows.map((r: { kind: string; version: number; summary: unknown; actor: string; reason: string | null; created_at: Date }) => ({
    kind: r.kind, version: r.version, summary: r.summary, actor: r.actor, reason: r.reason, createdAt: new Date(r.created_at).toISOString(),
  }));
}

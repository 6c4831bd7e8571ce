import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { Secret } from '../config/secret';
import { AppError } from '../errors';

/**
 * An Infor OS authorized-app credentials file (`.ionapi`, JSON), as downloaded from
 * ION API › Authorized Apps › Download Credentials. Secrets (cs, sask, saak) are wrapped.
 */
export interface IonApiCredentials {
  /** tenant id, e.g. ACME_PRD */
  tenant: string;
  /** application name (cn) */
  appName: string;
  clientId: string;
  clientSecret: Secret;
  /** ION API gateway base (iu), no trailing slash */
  ionApiUrl: string;
  /** authorization server base (pu), with its trailing slash */
  authServerUrl: string;
  /** pu + ot */
  tokenUrl: string;
  /** pu + oa */
  authorizeUrl: string;
  /** pu + or */
  revokeUrl: string;
  /** service account access key (saak), absent for client-credentials apps */
  serviceAccountKey?: Secret;
  /** service account secret key (sask) */
  serviceAccountSecret?: Secret;
  /** redirect uri (ru) of web apps */
  redirectUri?: string;
  /** `{iu}/{ti}`: where products live (M3, IONSERVICES, …) */
  apiBaseUrl: string;
}

const nonEmpty = z.string().trim().min(1, 'must not be empty');
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const ionapiSchema = z
  .object({
    ti: nonEmpty,
    cn: nonEmpty,
    ci: nonEmpty,
    cs: nonEmpty,
    iu: httpUrl,
    pu: httpUrl,
    oa: nonEmpty,
    ot: nonEmpty,
    or: nonEmpty,
    saak: nonEmpty.optional(),
    sask: nonEmpty.optional(),
    ru: z.string().optional(),
    dt: z.string().optional(),
    ev: z.string().optional(),
    v: z.string().optional(),
  })
  .loose()
  .superRefine((file, ctx) => {
    // the service account comes as a pair: one without the other is a broken download
    if ((file.saak === undefined) !== (file.sask === undefined)) {
      ctx.addIssue({ code: 'custom', path: [file.saak === undefined ? 'saak' : 'sask'], message: 'is required when the other service-account key is present' });
    }
  });

export class IonApiFileError extends AppError {
  constructor(message: string, details: Record<string, unknown>) {
    super(message, { code: 'IONAPI_INVALID', errorClass: 'configuration', details });
    this.name = 'IonApiFileError';
  }
}

/** Validate the parsed JSON of a `.ionapi` file; the error names every missing or bad key. */
export function parseIonApi(json: unknown, source = '.ionapi'): IonApiCredentials {
  const result = ionapiSchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map((i) => {
      const key = i.path.join('.') || '(root)';
      // zod says "expected string, received undefined" for a missing key: say it plainly
      return i.code === 'invalid_type' && (i as { input?: unknown }).input === undefined ? `${key}: is missing` : `${key}: ${i.message}`;
    });
    throw new IonApiFileError(`${source} is not a valid Infor .ionapi file: ${problems.join('; ')}`, { problems, keys: result.error.issues.map((i) => i.path.join('.')) });
  }
  const f = result.data;
  const pu = f.pu.endsWith('/') ? f.pu : `${f.pu}/`;
  const iu = f.iu.replace(/\/+$/, '');
  return {
    tenant: f.ti,
    appName: f.cn,
    clientId: f.ci,
    clientSecret: new Secret(f.cs),
    ionApiUrl: iu,
    authServerUrl: pu,
    tokenUrl: pu + f.ot,
    authorizeUrl: pu + f.oa,
    revokeUrl: pu + f.or,
    serviceAccountKey: f.saak === undefined ? undefined : new Secret(f.saak),
    serviceAccountSecret: f.sask === undefined ? undefined : new Secret(f.sask),
    redirectUri: f.ru || undefined,
    apiBaseUrl: `${iu}/${encodeURIComponent(f.ti)}`,
  };
}

/** Read and validate a `.ionapi` file. */
export function loadIonApiFile(file: string): IonApiCredentials {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new IonApiFileError(`cannot read the .ionapi file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { file });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // never echo the content: it holds secrets
    throw new IonApiFileError(`the .ionapi file ${file} is not valid JSON`, { file });
  }
  return parseIonApi(json, file);
}

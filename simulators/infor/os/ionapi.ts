import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';

/** the Infor OS authorized-app credentials file (.ionapi), keys as Infor writes them */
export interface IonapiFile {
  ti: string;
  cn: string;
  dt: string;
  ci: string;
  cs: string;
  iu: string;
  pu: string;
  oa: string;
  ot: string;
  or: string;
  ev: string;
  v: string;
  saak: string;
  sask: string;
}

/** an OAuth client of the simulated tenant */
export interface OAuthClient {
  clientId: string;
  clientSecret: string;
  name: string;
  /** the backend app owns the service account (password grant with saak/sask) */
  serviceAccount?: { accessKey: string; secretKey: string };
  redirectUris: string[];
}

/** base64url text of a given length, derived from the tenant so credentials are stable across starts */
function derived(tenant: string, label: string, length: number): string {
  let out = '';
  for (let i = 0; out.length < length; i += 1) {
    out += createHash('sha256').update(`${tenant}:${label}:${i}`).digest('base64url');
  }
  return out.slice(0, length);
}

export function createClients(tenant: string): { backend: OAuthClient; web: OAuthClient } {
  return {
    backend: {
      clientId: `${tenant}~${derived(tenant, 'ci', 43)}`,
      clientSecret: derived(tenant, 'cs', 86),
      name: 'm3-paytrace gateway',
      serviceAccount: { accessKey: `${tenant}#${derived(tenant, 'saak', 86)}`, secretKey: derived(tenant, 'sask', 86) },
      redirectUris: [],
    },
    web: {
      clientId: `${tenant}~${derived(tenant, 'web-ci', 43)}`,
      clientSecret: derived(tenant, 'web-cs', 86),
      name: 'm3-paytrace operator UI',
      redirectUris: [],
    },
  };
}

/** `.ionapi` of the backend-service app; pu ends with '/' so pu+ot is the token URL */
export function buildIonapi(url: string, tenant: string, backend: OAuthClient): IonapiFile {
  if (!backend.serviceAccount) throw new Error('the backend client needs a service account');
  return {
    ti: tenant,
    cn: backend.name,
    dt: '12',
    ci: backend.clientId,
    cs: backend.clientSecret,
    iu: url,
    pu: `${url}/${tenant}/as/`,
    oa: 'authorization.oauth2',
    ot: 'token.oauth2',
    or: 'revoke_token.oauth2',
    ev: 'U1482000001',
    v: '1.0',
    saak: backend.serviceAccount.accessKey,
    sask: backend.serviceAccount.secretKey,
  };
}

export async function writeIonapi(path: string, ionapi: IonapiFile): Promise<void> {
  await writeFile(path, `${JSON.stringify(ionapi, null, 2)}\n`, { mode: 0o600 });
}

import * as oidc from 'openid-client';
import { AppError } from '../../errors';
import type { ConnectorStatus } from '../../observability/connector-status';
import type { Logger } from '../../observability/logger';
import type { IonApiCredentials } from '../ionapi';
import { inforOsError, withOAuthBody } from './errors';

export type InforGrant = 'password' | 'client_credentials';

export interface TokenClientOptions {
  credentials: IonApiCredentials;
  /** `password` (service account saak/sask, the standard backend flow) or `client_credentials` */
  grant?: InforGrant;
  scope?: string;
  /** renew this long before expiry */
  renewBeforeSeconds?: number;
  /** per-request timeout of the token endpoint */
  timeoutMs?: number;
  /** send client id/secret as HTTP Basic instead of form fields */
  clientAuth?: 'post' | 'basic';
  /** plain http to the authorization server (sandbox/simulator only) */
  allowInsecureHttp?: boolean;
  status?: ConnectorStatus;
  logger?: Logger;
  now?: () => number;
}

interface CachedToken {
  accessToken: string;
  /** epoch ms after which we renew */
  renewAt: number;
  expiresAt: number;
  refreshToken?: string;
}

/**
 * Infor OS access tokens for the gateway's own calls (M3, ION). openid-client without
 * discovery: the token and revocation endpoints come from the .ionapi (pu+ot, pu+or).
 * One token is cached and renewed shortly before expiry; concurrent callers share one
 * request; after a 401 the caller invalidates and asks again once.
 */
export class InforTokenClient {
  readonly #config: oidc.Configuration;
  readonly #options: Required<Pick<TokenClientOptions, 'grant' | 'renewBeforeSeconds'>> & TokenClientOptions;
  #token: CachedToken | undefined;
  #inflight: Promise<CachedToken> | undefined;
  #requests = 0;

  constructor(options: TokenClientOptions) {
    this.#options = { grant: 'password', renewBeforeSeconds: 120, ...options };
    const { credentials } = options;
    if (this.#options.grant === 'password' && (!credentials.serviceAccountKey || !credentials.serviceAccountSecret)) {
      throw new AppError('the .ionapi file has no service account (saak/sask): use grant client_credentials, or download it again with "Create Service Account"', {
        code: 'IONAPI_NO_SERVICE_ACCOUNT',
        errorClass: 'configuration',
      });
    }
    const secret = credentials.clientSecret.reveal();
    this.#config = new oidc.Configuration(
      {
        issuer: credentials.authServerUrl.replace(/\/$/, ''),
        token_endpoint: credentials.tokenUrl,
        revocation_endpoint: credentials.revokeUrl,
        authorization_endpoint: credentials.authorizeUrl,
      },
      credentials.clientId,
      undefined,
      options.clientAuth === 'basic' ? oidc.ClientSecretBasic(secret) : oidc.ClientSecretPost(secret),
    );
    this.#config.timeout = Math.ceil((options.timeoutMs ?? 30_000) / 1000);
    if (options.allowInsecureHttp) oidc.allowInsecureRequests(this.#config);
  }

  /** how many token requests were made (for tests and metrics) */
  get requestCount(): number {
    return this.#requests;
  }

  #now(): number {
    return this.#options.now?.() ?? Date.now();
  }

  /** A valid access token: the cached one, or a fresh one (one request however many callers wait). */
  async getAccessToken(): Promise<string> {
    const cached = this.#token;
    if (cached && this.#now() < cached.renewAt) return cached.accessToken;
    this.#inflight ??= this.#renew().finally(() => {
      this.#inflight = undefined;
    });
    return (await this.#inflight).accessToken;
  }

  /** The API refused `token` (401): forget it so the next getAccessToken() fetches a new one. */
  invalidate(token?: string): void {
    if (!token || this.#token?.accessToken === token) {
      // keep the refresh token: renewing by refresh is cheaper than a new password grant
      if (this.#token) this.#token = { ...this.#token, renewAt: 0 };
    }
  }

  async #renew(): Promise<CachedToken> {
    const previous = this.#token;
    let response: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
    try {
      response = await this.#request(previous?.refreshToken);
      this.#options.status?.record('infor-os', true);
    } catch (err) {
      const classified = inforOsError(await withOAuthBody(err), 'token request');
      this.#options.status?.record('infor-os', false, `${classified.code}: ${classified.message}`);
      throw classified;
    }
    const lifetime = response.expiresIn() ?? 3600;
    const now = this.#now();
    const renewBefore = Math.min(this.#options.renewBeforeSeconds, Math.floor(lifetime / 2));
    this.#token = {
      accessToken: response.access_token,
      expiresAt: now + lifetime * 1000,
      renewAt: now + (lifetime - renewBefore) * 1000,
      refreshToken: response.refresh_token ?? previous?.refreshToken,
    };
    return this.#token;
  }

  async #request(refreshToken: string | undefined): Promise<oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers> {
    const scope: Record<string, string> = this.#options.scope ? { scope: this.#options.scope } : {};
    if (refreshToken) {
      this.#requests++;
      try {
        return await oidc.refreshTokenGrant(this.#config, refreshToken, scope);
      } catch (err) {
        // an expired or revoked refresh token: start a new grant below
        this.#options.logger?.debug('Infor OS refresh failed, requesting a new grant', { error: (err as Error).message });
        if (this.#token) this.#token = { ...this.#token, refreshToken: undefined };
      }
    }
    this.#requests++;
    if (this.#options.grant === 'client_credentials') return oidc.clientCredentialsGrant(this.#config, scope);
    const { serviceAccountKey, serviceAccountSecret } = this.#options.credentials;
    return oidc.genericGrantRequest(this.#config, 'password', {
      username: serviceAccountKey!.reveal(),
      password: serviceAccountSecret!.reveal(),
      ...scope,
    });
  }

  /** Revoke the grant (the refresh token, else the access token) and forget it: on shutdown. */
  async revoke(): Promise<void> {
    const token = this.#token;
    this.#token = undefined;
    if (!token) return;
    try {
      if (token.refreshToken) await oidc.tokenRevocation(this.#config, token.refreshToken, { token_type_hint: 'refresh_token' });
      else await oidc.tokenRevocation(this.#config, token.accessToken, { token_type_hint: 'access_token' });
      this.#options.status?.record('infor-os', true);
    } catch (err) {
      const classified = inforOsError(err, 'token revocation');
      this.#options.status?.record('infor-os', false, `${classified.code}: ${classified.message}`);
      throw classified;
    }
  }
}

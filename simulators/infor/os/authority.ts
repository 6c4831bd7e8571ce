import { randomBytes, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import type { OAuthClient } from './ionapi';

export interface OsSettings {
  /** access-token lifetime; 0 issues tokens that are already expired (tests) */
  tokenLifetimeSeconds: number;
  /** the authorized app's "Issue Refresh Token(s)" switch */
  refreshTokens: boolean;
  refreshTokenLifetimeSeconds: number;
  /** whether the backend app may use the client-credentials grant */
  clientCredentials: boolean;
}

export const defaultOsSettings = (tokenLifetimeSeconds = 7200): OsSettings => ({
  tokenLifetimeSeconds,
  refreshTokens: true,
  refreshTokenLifetimeSeconds: 8 * 3600,
  clientCredentials: true,
});

/** Infor OS roles of the demo users: the operator app's three, and the M3 users' (payment links) */
export type Role = 'm3-user' | 'viewer' | 'operator' | 'admin';

export interface DemoUser {
  username: string;
  password: string;
  name: string;
  email: string;
  roles: Role[];
}

export const DEMO_USERS: DemoUser[] = [
  { username: 'clerk', password: 'clerk', name: 'Cora Clerk', email: 'clerk@m3pt.example', roles: ['m3-user'] },
  { username: 'viewer', password: 'viewer', name: 'Vera Viewer', email: 'viewer@m3pt.example', roles: ['viewer'] },
  { username: 'operator', password: 'operator', name: 'Otto Operator', email: 'operator@m3pt.example', roles: ['operator'] },
  { username: 'admin', password: 'admin', name: 'Ada Admin', email: 'admin@m3pt.example', roles: ['admin'] },
];

/** the M3 user the service account is mapped to (the token's subject) */
export const SERVICE_ACCOUNT_USER = 'M3SRVADM';

/** audience of access tokens: the ION API gateway */
export const ACCESS_TOKEN_AUDIENCE = 'infor-ionapi';

/** one authorization: every access token and the refresh token issued from it share its fate */
interface Grant {
  id: string;
  clientId: string;
  subject: string;
  scope: string;
  user?: DemoUser;
  revoked: boolean;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  user: DemoUser;
  scope: string;
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  expiresAt: number;
}

export interface IssuedTokens {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token?: string;
  id_token?: string;
}

export type TokenCheck = { ok: true; claims: JWTPayload } | { ok: false; reason: string };

/**
 * Infor OS as an authorization server: signs RS256 access tokens, remembers grants, refresh
 * tokens, authorization codes and revocations.
 */
export class Authority {
  settings: OsSettings;
  readonly clients: OAuthClient[];
  #grants = new Map<string, Grant>();
  #refreshTokens = new Map<string, { grantId: string; expiresAt: number }>();
  #codes = new Map<string, PendingCode>();
  #revokedJti = new Set<string>();
  #issued = 0;

  private constructor(
    readonly issuer: string,
    readonly tenant: string,
    clients: OAuthClient[],
    settings: OsSettings,
    private readonly privateKey: CryptoKey,
    readonly publicKey: CryptoKey,
    readonly jwk: JWK,
  ) {
    this.clients = clients;
    this.settings = settings;
  }

  static async create(issuer: string, tenant: string, clients: OAuthClient[], settings: OsSettings): Promise<Authority> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: `sim-${randomUUID().slice(0, 8)}`, alg: 'RS256', use: 'sig' };
    return new Authority(issuer, tenant, clients, settings, privateKey, publicKey, jwk);
  }

  /** settings back to the start; issued tokens and grants stay valid, as a restart of M3 would not log anyone out */
  reset(settings: OsSettings): void {
    this.settings = settings;
  }

  client(clientId: string): OAuthClient | undefined {
    return this.clients.find((c) => c.clientId === clientId);
  }

  authenticateClient(clientId: string, clientSecret: string): OAuthClient | undefined {
    const client = this.client(clientId);
    return client && client.clientSecret === clientSecret ? client : undefined;
  }

  get stats(): { tokensIssued: number; grants: number; revokedGrants: number } {
    const grants = [...this.#grants.values()];
    return { tokensIssued: this.#issued, grants: grants.length, revokedGrants: grants.filter((g) => g.revoked).length };
  }

  async issue(client: OAuthClient, subject: string, scope: string, options: { user?: DemoUser; nonce?: string; refresh: boolean }): Promise<IssuedTokens> {
    const grant: Grant = { id: randomUUID(), clientId: client.clientId, subject, scope, user: options.user, revoked: false };
    this.#grants.set(grant.id, grant);
    const tokens = await this.#accessToken(grant);
    if (options.refresh && this.settings.refreshTokens) {
      const refreshToken = randomBytes(32).toString('base64url');
      this.#refreshTokens.set(refreshToken, { grantId: grant.id, expiresAt: Date.now() + this.settings.refreshTokenLifetimeSeconds * 1000 });
      tokens.refresh_token = refreshToken;
    }
    if (options.user && scope.split(' ').includes('openid')) {
      tokens.id_token = await this.#sign(
        { name: options.user.name, email: options.user.email, roles: options.user.roles, nonce: options.nonce, tenant: this.tenant },
        options.user.username,
        client.clientId,
        this.settings.tokenLifetimeSeconds,
      );
    }
    return tokens;
  }

  /** a new access token for a live refresh token of this client; undefined when it is unknown, expired or revoked */
  async refresh(client: OAuthClient, refreshToken: string): Promise<IssuedTokens | undefined> {
    const entry = this.#refreshTokens.get(refreshToken);
    if (!entry || entry.expiresAt <= Date.now()) return undefined;
    const grant = this.#grants.get(entry.grantId);
    if (!grant || grant.revoked || grant.clientId !== client.clientId) return undefined;
    return { ...(await this.#accessToken(grant)), refresh_token: refreshToken };
  }

  /** RFC 7009: a refresh token revokes its grant; an access token revokes itself; unknown tokens are ignored */
  async revoke(client: OAuthClient, token: string): Promise<void> {
    const entry = this.#refreshTokens.get(token);
    if (entry) {
      const grant = this.#grants.get(entry.grantId);
      if (grant && grant.clientId === client.clientId) {
        grant.revoked = true;
        this.#refreshTokens.delete(token);
      }
      return;
    }
    const check = await this.verifyAccessToken(token);
    if (check.ok && check.claims.client_id === client.clientId && typeof check.claims.jti === 'string') this.#revokedJti.add(check.claims.jti);
  }

  createCode(pending: Omit<PendingCode, 'expiresAt'>): string {
    const code = randomBytes(24).toString('base64url');
    this.#codes.set(code, { ...pending, expiresAt: Date.now() + 60_000 });
    return code;
  }

  /** authorization codes are single-use */
  takeCode(code: string): PendingCode | undefined {
    const pending = this.#codes.get(code);
    this.#codes.delete(code);
    return pending && pending.expiresAt > Date.now() ? pending : undefined;
  }

  async verifyAccessToken(token: string): Promise<TokenCheck> {
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, this.publicKey, { issuer: this.issuer, audience: ACCESS_TOKEN_AUDIENCE, algorithms: ['RS256'] }));
    } catch (error) {
      const code = (error as { code?: string }).code;
      return { ok: false, reason: code === 'ERR_JWT_EXPIRED' ? 'The access token expired' : 'The access token is invalid' };
    }
    const grant = typeof claims.gid === 'string' ? this.#grants.get(claims.gid) : undefined;
    if (!grant || grant.revoked || (typeof claims.jti === 'string' && this.#revokedJti.has(claims.jti))) {
      return { ok: false, reason: 'The access token was revoked' };
    }
    return { ok: true, claims };
  }

  async #accessToken(grant: Grant): Promise<IssuedTokens> {
    const lifetime = this.settings.tokenLifetimeSeconds;
    const extra: Record<string, unknown> = { client_id: grant.clientId, tenant: this.tenant, scope: grant.scope, gid: grant.id };
    if (grant.user) extra.roles = grant.user.roles;
    const token = await this.#sign(extra, grant.subject, ACCESS_TOKEN_AUDIENCE, lifetime);
    this.#issued += 1;
    return { access_token: token, token_type: 'Bearer', expires_in: lifetime, scope: grant.scope };
  }

  async #sign(claims: Record<string, unknown>, subject: string, audience: string, lifetimeSeconds: number): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: this.jwk.kid, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setSubject(subject)
      .setAudience(audience)
      .setIssuedAt(now)
      .setExpirationTime(now + lifetimeSeconds)
      .setJti(randomUUID())
      .sign(this.privateKey);
  }
}

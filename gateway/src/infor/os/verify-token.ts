import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { AppError } from '../../errors';

export interface InforTokenVerifierOptions {
  /** Infor OS JWKS URL (the simulator: `{pu}jwks.json`; on a real tenant configure it) */
  jwksUrl: string;
  /** expected `iss`; unset = not checked */
  issuer?: string;
  /** expected `aud`: the ION API gateway's (an ID token's audience is a web client: refused) */
  audience: string;
  /** client ids (`client_id`/`azp`) accepted; unset = any, but the token must name one */
  clients?: readonly string[];
  clockToleranceSeconds?: number;
}

export type InforTokenVerifier = (authorizationHeaderOrToken: string | undefined) => Promise<JWTPayload>;

const invalid = (reason: string) => new AppError(`the bearer token is ${reason}`, { code: 'INFOR_TOKEN_INVALID', errorClass: 'business', httpStatus: 401, details: { reason } });

/**
 * An access token, not an ID token: ID tokens carry a `nonce` or no client claim (OpenID Connect
 * Core §2), and are meant for the web client that signed the user in, never as an API credential.
 */
function checkAccessToken(payload: JWTPayload, clients: readonly string[] | undefined): void {
  const client = payload.client_id ?? payload.azp;
  if (payload.nonce !== undefined || typeof client !== 'string' || !client) throw invalid('an ID token, not an access token');
  if (clients && !clients.includes(client)) throw invalid('issued to a client this gateway does not accept');
}

/**
 * Verify an Infor OS-issued bearer token (an ION push, an H5 script's call through ION API)
 * against the Infor OS JWKS: signature, expiry, issuer and audience. Keys are cached and
 * refetched when an unknown `kid` appears (jose's remote key set).
 */
export function createInforTokenVerifier(options: InforTokenVerifierOptions): InforTokenVerifier {
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl), { timeoutDuration: 10_000, cooldownDuration: 30_000 });
  return async (header) => {
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : header?.trim();
    if (!token) throw new AppError('a bearer token is required', { code: 'INFOR_TOKEN_MISSING', errorClass: 'business', httpStatus: 401 });
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: options.issuer,
        audience: options.audience,
        clockTolerance: options.clockToleranceSeconds ?? 30,
        algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'ES256'],
      });
      checkAccessToken(payload, options.clients);
      return payload;
    } catch (err) {
      if (err instanceof AppError) throw err;
      const code = (err as { code?: string }).code ?? '';
      if (code === 'ERR_JWKS_TIMEOUT' || /fetch|ECONN|network/i.test((err as Error).message ?? '') || code === 'ERR_JOSE_GENERIC') {
        throw new AppError('the Infor OS key set could not be fetched', { code: 'INFOR_OS_UNAVAILABLE', errorClass: 'transient', cause: err });
      }
      const claim = (err as { claim?: string }).claim;
      const reason =
        code === 'ERR_JWT_EXPIRED' ? 'expired'
        : code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' || code === 'ERR_JWKS_NO_MATCHING_KEY' ? 'bad signature'
        : code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && claim === 'aud' ? 'for another audience'
        : code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && claim === 'iss' ? 'from another issuer'
        : 'invalid';
      throw new AppError(`the bearer token is ${reason}`, { code: 'INFOR_TOKEN_INVALID', errorClass: 'business', httpStatus: 401, details: { reason }, cause: err });
    }
  };
}

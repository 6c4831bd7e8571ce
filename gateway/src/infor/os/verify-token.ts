import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { AppError } from '../../errors';

export interface InforTokenVerifierOptions {
  /** Infor OS JWKS URL (the simulator: `{pu}jwks.json`; on a real tenant configure it) */
  jwksUrl: string;
  /** expected `iss`; unset = not checked */
  issuer?: string;
  /** expected `aud`; unset = not checked */
  audience?: string;
  clockToleranceSeconds?: number;
}

export type InforTokenVerifier = (authorizationHeaderOrToken: string | undefined) => Promise<JWTPayload>;

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
      return payload;
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (code === 'ERR_JWKS_TIMEOUT' || /fetch|ECONN|network/i.test((err as Error).message ?? '') || code === 'ERR_JOSE_GENERIC') {
        throw new AppError('the Infor OS key set could not be fetched', { code: 'INFOR_OS_UNAVAILABLE', errorClass: 'transient', cause: err });
      }
      const reason = code === 'ERR_JWT_EXPIRED' ? 'expired' : code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' || code === 'ERR_JWKS_NO_MATCHING_KEY' ? 'bad signature' : 'invalid';
      throw new AppError(`the bearer token is ${reason}`, { code: 'INFOR_TOKEN_INVALID', errorClass: 'business', httpStatus: 401, details: { reason }, cause: err });
    }
  };
}

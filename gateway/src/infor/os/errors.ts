import { AppError } from '../../errors';

interface OAuthFailure {
  name?: string;
  message?: string;
  status?: number;
  error?: string;
  error_description?: string;
  code?: string;
  cause?: unknown;
  response?: { status?: number };
}

/** HTTP status of an openid-client/oauth4webapi failure, wherever that library put it. */
function statusOf(e: OAuthFailure): number | undefined {
  if (typeof e.status === 'number') return e.status;
  if (typeof e.response?.status === 'number') return e.response.status;
  const cause = e.cause as { status?: unknown } | undefined;
  return typeof cause?.status === 'number' ? cause.status : undefined;
}

/** The RFC 6749 `error` code: from the JSON body or from a WWW-Authenticate challenge. */
function oauthErrorOf(e: OAuthFailure): string | undefined {
  if (typeof e.error === 'string') return e.error;
  if (Array.isArray(e.cause)) {
    const challenge = e.cause[0] as { parameters?: { error?: string } } | undefined;
    return challenge?.parameters?.error;
  }
  return undefined;
}

/**
 * A 401 with a WWW-Authenticate challenge arrives as a challenge error whose RFC 6749 body
 * is still unread: read its `error` so the classification can name it.
 */
export async function withOAuthBody(err: unknown): Promise<unknown> {
  const e = err as OAuthFailure & { response?: Response };
  if (!e || typeof e !== 'object' || typeof e.error === 'string' || !(e.response instanceof Response) || e.response.bodyUsed) return err;
  try {
    const body = (await e.response.clone().json()) as { error?: unknown; error_description?: unknown };
    if (typeof body.error === 'string') e.error = body.error;
    if (typeof body.error_description === 'string') e.error_description = body.error_description;
  } catch {
    // not JSON: keep what we have
  }
  return err;
}

/** Classify a failure of a call to the Infor OS authorization server (token / revoke). */
export function inforOsError(err: unknown, what: string): AppError {
  if (err instanceof AppError) return err;
  const e = (err ?? {}) as OAuthFailure;
  const status = statusOf(e);
  if (status !== undefined) {
    if (status >= 500 || status === 429) {
      return new AppError(`Infor OS ${what} failed: HTTP ${status}`, { code: 'INFOR_OS_UNAVAILABLE', errorClass: 'transient', details: { status }, cause: err });
    }
    if (status === 400 || status === 401 || status === 403) {
      // invalid_client / invalid_grant / unauthorized_client: wrong or revoked credentials, not worth retrying
      const error = oauthErrorOf(e);
      return new AppError(`Infor OS refused the ${what}: ${error ?? `HTTP ${status}`}${e.error_description ? ` (${e.error_description})` : ''}`, {
        code: 'INFOR_OS_AUTH_REJECTED',
        errorClass: 'configuration',
        details: { status, error },
        cause: err,
      });
    }
    return new AppError(`Infor OS ${what} answered HTTP ${status}`, { code: 'INFOR_OS_BAD_RESPONSE', errorClass: 'transient', details: { status }, cause: err });
  }
  if (e.name === 'OperationProcessingError' || (typeof e.code === 'string' && e.code.startsWith('OAUTH_'))) {
    // a response we could not use (not JSON, no access_token, …): the server is misbehaving, try later
    return new AppError(`Infor OS ${what} answered something unusable: ${e.message ?? ''}`, { code: 'INFOR_OS_BAD_RESPONSE', errorClass: 'transient', cause: err });
  }
  // fetch failures (connection refused/reset, DNS, timeout)
  return new AppError(`Infor OS ${what} failed: ${e.message ?? String(err)}`, { code: 'INFOR_OS_UNAVAILABLE', errorClass: 'transient', cause: err });
}

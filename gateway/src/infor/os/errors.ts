import { AppError } from '../../errors';

/** Classify a failure of a call to the Infor OS authorization server (token / revoke). */
export function inforOsError(err: unknown, what: string): AppError {
  if (err instanceof AppError) return err;
  const e = err as { name?: string; status?: number; error?: string; error_description?: string; code?: string; cause?: unknown; message?: string };
  if (e?.name === 'ResponseBodyError' && typeof e.status === 'number') {
    if (e.status >= 500 || e.status === 429) {
      return new AppError(`Infor OS ${what} failed: HTTP ${e.status}`, { code: 'INFOR_OS_UNAVAILABLE', errorClass: 'transient', details: { status: e.status }, cause: err });
    }
    // invalid_client / invalid_grant / unauthorized_client: wrong or revoked credentials, not worth retrying
    return new AppError(`Infor OS refused the ${what}: ${e.error ?? 'error'}${e.error_description ? ` (${e.error_description})` : ''}`, {
      code: 'INFOR_OS_AUTH_REJECTED',
      errorClass: 'configuration',
      details: { status: e.status, error: e.error },
      cause: err,
    });
  }
  // fetch failures (connection refused/reset, DNS, timeout) surface as TypeError/AbortError/TimeoutError
  if (e?.name === 'TypeError' || e?.name === 'AbortError' || e?.name === 'TimeoutError' || (e?.cause as { code?: string } | undefined)?.code) {
    return new AppError(`Infor OS ${what} failed: ${e.message ?? String(err)}`, { code: 'INFOR_OS_UNAVAILABLE', errorClass: 'transient', cause: err });
  }
  if (e?.name === 'OperationProcessingError' || e?.name === 'ClientError' || (typeof e?.code === 'string' && e.code.startsWith('OAUTH_'))) {
    // a response we could not use (not JSON, no access_token, …): the server is misbehaving, try later
    return new AppError(`Infor OS ${what} answered something unusable: ${e.message ?? ''}`, { code: 'INFOR_OS_BAD_RESPONSE', errorClass: 'transient', cause: err });
  }
  return new AppError(`Infor OS ${what} failed: ${e?.message ?? String(err)}`, { code: 'INFOR_OS_UNAVAILABLE', errorClass: 'transient', cause: err });
}

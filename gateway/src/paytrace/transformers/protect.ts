import { Secret } from '../../config/secret';
import type { PayTraceHttpResponse } from '../transport';
import { readString, type WireRequest } from './common';

/** The Protect.js client key for one pay page (reference §6.1): `{"clientKey":"…"}`. */
export function paymentFieldsToken(): WireRequest {
  return { path: '/v1/payment_fields/token/create', body: {} };
}

export function parseClientKey(response: PayTraceHttpResponse): Secret | undefined {
  const key = readString(response.body, 'clientKey');
  return key ? new Secret(key) : undefined;
}

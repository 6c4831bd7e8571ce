import { Secret } from '../../config/secret';
import { classify, fieldErrorsOf, type FieldError, type OutcomeClass } from '../codes';
import { PayTraceErrorCode, payTraceError } from '../errors';
import type { PayTraceHttpResponse } from '../transport';

/** Every PayTrace answer, read the same way: by `success` + `response_code`, not the HTTP status. */
export interface PayTraceResult {
  outcome: OutcomeClass;
  /** outcome is approved: the operation did what was asked */
  approved: boolean;
  /** a legacy TEST code (104/105/108/111/114): no money moved either way */
  testMode: boolean;
  responseCode: number;
  statusMessage: string;
  /** field-level messages when response_code is 1 */
  fieldErrors: FieldError[];
  httpStatus: number;
  /** PayTrace's X-Request-Id, for support */
  paytraceRequestId?: string;
}

export interface BillingAddress {
  name?: string;
  streetAddress?: string;
  streetAddress2?: string;
  city?: string;
  /** two-letter state code for the US */
  state?: string;
  zip?: string;
  /** two-letter country code */
  country?: string;
}

/** Options every transaction body may carry. */
export interface TransactionExtras {
  /** our reference (≤ 50 chars): the key of the unknown-outcome lookup, so always set it */
  invoiceId?: string;
  description?: string;
  customerReferenceId?: string;
  email?: string;
  billingAddress?: BillingAddress;
  /** merchant-defined fields, e.g. {"M3 invoice": "…"} */
  discretionaryData?: Record<string, string>;
}

export interface WireRequest {
  path: string;
  body: Record<string, unknown>;
}

export function addressToWire(address: BillingAddress | undefined): Record<string, unknown> | undefined {
  if (!address) return undefined;
  return dropUndefined({
    name: address.name,
    street_address: address.streetAddress,
    street_address2: address.streetAddress2,
    city: address.city,
    state: address.state,
    zip: address.zip,
    country: address.country,
  });
}

export function extrasToWire(extras: TransactionExtras): Record<string, unknown> {
  if (extras.invoiceId !== undefined) checkText('invoiceId', extras.invoiceId, 50);
  if (extras.customerReferenceId !== undefined) checkText('customerReferenceId', extras.customerReferenceId, 50);
  return dropUndefined({
    invoice_id: extras.invoiceId,
    description: extras.description,
    customer_reference_id: extras.customerReferenceId,
    email: extras.email,
    billing_address: addressToWire(extras.billingAddress),
    discretionary_data: extras.discretionaryData,
  });
}

export function dropUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

export function invalidRequest(field: string, message: string) {
  return payTraceError(`PayTrace request field ${field} ${message}`, PayTraceErrorCode.invalidRequest, 'business', { fieldErrors: [{ field, message }] });
}

export function checkText(field: string, value: string, max: number): void {
  if (typeof value !== 'string' || value.trim() === '') throw invalidRequest(field, 'must be a non-empty string');
  if (value.length > max) throw invalidRequest(field, `must be at most ${max} characters (got ${value.length})`);
}

export function transactionIdToWire(value: unknown, field = 'transactionId'): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) throw invalidRequest(field, 'must be a positive integer');
  return value;
}

export function secretToWire(value: Secret | string | undefined): Secret | undefined {
  if (value === undefined) return undefined;
  return value instanceof Secret ? value : new Secret(value);
}

export function readString(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

export function readInteger(body: Record<string, unknown>, key: string): number | undefined {
  const value = body[key];
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

/** The common part of every envelope (reference §3.2–§3.3). */
export function readEnvelope(response: PayTraceHttpResponse): PayTraceResult {
  const { body } = response;
  const { outcome, testMode } = classify(body);
  return {
    outcome,
    approved: outcome === 'approved',
    testMode,
    responseCode: readInteger(body, 'response_code') ?? 0,
    statusMessage: readString(body, 'status_message') ?? '',
    fieldErrors: fieldErrorsOf(body.errors),
    httpStatus: response.status,
    paytraceRequestId: response.requestId,
  };
}

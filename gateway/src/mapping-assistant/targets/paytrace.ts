import { AppError } from '../../errors';
import type { FieldType, TargetSchema } from '../types';

/**
 * PayTrace v1 request bodies as mapping targets: per operation (the endpoint path after
 * /v1/transactions/ or /v1/), the JSON fields it takes with a description, type, limit and
 * whether it is required — the same facts docs/paytrace.md and gateway/src/paytrace/transformers
 * are built on (PayTrace v1 has no published schema; lengths we enforce are the ones given).
 * `integrator_id` is left out: the client adds it to every call.
 */

interface FieldSpec {
  description: string;
  type?: FieldType;
  length?: number;
  required?: boolean;
}

const f = (description: string, more: Omit<FieldSpec, 'description'> = {}): FieldSpec => ({ description, ...more });

const address = (prefix: 'billing_address' | 'shipping_address', who: string): Record<string, FieldSpec> => ({
  [`${prefix}.name`]: f(`${who} name on the address`),
  [`${prefix}.street_address`]: f(`${who} street address line 1`),
  [`${prefix}.street_address2`]: f(`${who} street address line 2`),
  [`${prefix}.city`]: f(`${who} city`),
  [`${prefix}.state`]: f(`${who} state code (two letters in the US)`, { length: 2 }),
  [`${prefix}.zip`]: f(`${who} postal code (zip)`, { length: 10 }),
  [`${prefix}.country`]: f(`${who} country code (two letters)`, { length: 2 }),
});

const amount = f('Amount in US dollars', { type: 'numeric', required: true });
const extras: Record<string, FieldSpec> = {
  invoice_id: f('Invoice number, our reference for the lookup of an unknown outcome', { length: 50 }),
  description: f('Description of the transaction'),
  customer_reference_id: f('Customer reference, PO number (level 2)', { length: 50 }),
  email: f('Customer e-mail address for the receipt'),
  tax_amount: f('Tax amount (level 2)', { type: 'numeric' }),
  ...address('billing_address', 'Billing'),
};
const keyedCard: Record<string, FieldSpec> = {
  'credit_card.number': f('Credit card number', { required: true }),
  'credit_card.expiration_month': f('Credit card expiration month', { length: 2, required: true }),
  'credit_card.expiration_year': f('Credit card expiration year', { length: 4, required: true }),
  csc: f('Card security code (CSC, CVV)', { length: 4 }),
};
const protectTokens: Record<string, FieldSpec> = {
  hpf_token: f('PayTrace Protect card token from the hosted payment fields', { required: true }),
  enc_key: f('PayTrace Protect card encryption key', { required: true }),
};
const transactionId = f('PayTrace transaction id of the earlier transaction', { type: 'numeric', required: true });
const customerId = f('Customer id of the vault profile', { length: 50, required: true });
const profile: Record<string, FieldSpec> = {
  customer_id: customerId,
  email: f('Customer e-mail address'),
  phone: f('Customer phone number'),
  ...address('billing_address', 'Billing'),
  ...address('shipping_address', 'Shipping'),
};

const OPERATIONS: Record<string, { path: string; title: string; fields: Record<string, FieldSpec> }> = {
  'sale/keyed': { path: '/v1/transactions/sale/keyed', title: 'Sale with a keyed card', fields: { amount, ...keyedCard, ...extras } },
  'sale/by_customer': { path: '/v1/transactions/sale/by_customer', title: 'Sale on a vault profile', fields: { amount, customer_id: customerId, ...extras } },
  'sale/pt_protect': { path: '/v1/transactions/sale/pt_protect', title: 'Sale with PayTrace Protect card tokens', fields: { amount, ...protectTokens, ...extras } },
  'authorization/keyed': { path: '/v1/transactions/authorization/keyed', title: 'Authorization with a keyed card', fields: { amount, ...keyedCard, ...extras } },
  'authorization/by_customer': { path: '/v1/transactions/authorization/by_customer', title: 'Authorization on a vault profile', fields: { amount, customer_id: customerId, ...extras } },
  'authorization/capture': {
    path: '/v1/transactions/authorization/capture',
    title: 'Capture an authorization (all or part)',
    fields: { transaction_id: transactionId, amount: f('Amount to capture in US dollars (omit for all)', { type: 'numeric' }), invoice_id: extras.invoice_id! },
  },
  void: { path: '/v1/transactions/void', title: 'Void an unsettled transaction', fields: { transaction_id: transactionId } },
  'refund/for_transaction': {
    path: '/v1/transactions/refund/for_transaction',
    title: 'Refund a settled transaction (all or part)',
    fields: { transaction_id: transactionId, amount: f('Amount to refund in US dollars (omit for all)', { type: 'numeric' }) },
  },
  'refund/to_customer': { path: '/v1/transactions/refund/to_customer', title: 'Refund to a vault profile', fields: { amount, customer_id: customerId, ...extras } },
  email_receipt: {
    path: '/v1/transactions/email_receipt',
    title: 'E-mail a receipt of a transaction',
    fields: { transaction_id: transactionId, email: f('E-mail address the receipt goes to', { required: true }) },
  },
  'customer/create': { path: '/v1/customer/create', title: 'Create a vault profile with a keyed card', fields: { ...profile, ...keyedCard } },
  'customer/pt_protect_create': { path: '/v1/customer/pt_protect_create', title: 'Create a vault profile from PayTrace Protect tokens', fields: { ...profile, ...protectTokens } },
  'customer/update': { path: '/v1/customer/update', title: 'Update a vault profile', fields: profile },
  'customer/delete': { path: '/v1/customer/delete', title: 'Delete a vault profile', fields: { customer_id: customerId } },
  'export/by_id': { path: '/v1/transactions/export/by_id', title: 'Export one transaction', fields: { transaction_id: transactionId } },
  'export/by_date_range': {
    path: '/v1/transactions/export/by_date_range',
    title: 'Export transactions of a date range',
    fields: {
      start_date: f('Start date of the range (MM/DD/YYYY)', { type: 'date', required: true }),
      end_date: f('End date of the range (MM/DD/YYYY)', { type: 'date', required: true }),
      transaction_type: f('Transaction type to export (SALE, REFUND …)'),
    },
  },
};

export const PAYTRACE_OPERATIONS: readonly string[] = Object.keys(OPERATIONS);

export function payTraceTarget(operation: string): TargetSchema {
  const op = Object.hasOwn(OPERATIONS, operation) ? OPERATIONS[operation] : undefined;
  if (!op) {
    throw new AppError(`"${operation.slice(0, 60)}" is not a PayTrace operation (${PAYTRACE_OPERATIONS.join(', ')})`, { code: 'MAPPING_TARGET_NOT_FOUND', errorClass: 'business', httpStatus: 404 });
  }
  return {
    target: `paytrace:${operation}`,
    kind: 'paytrace',
    title: `${op.title} (POST ${op.path})`,
    fields: Object.entries(op.fields).map(([name, spec]) => ({ name, description: spec.description, type: spec.type ?? 'alpha', length: spec.length, mandatory: spec.required === true })),
  };
}

import type { PayTraceHttpResponse } from '../transport';
import { cardToWire, protectToWire, type KeyedCard, type ProtectTokens } from './card';
import { bankAccountToWire, type BankAccount } from './checks';
import { addressToWire, checkText, dropUndefined, readEnvelope, readString, type BillingAddress, type PayTraceResult, type WireRequest } from './common';

/** Vault profile fields other than the card. */
export interface CustomerProfile {
  /** our key for the profile (unique; PayTrace answers 171 on a duplicate) */
  customerId: string;
  billingAddress?: BillingAddress;
  shippingAddress?: BillingAddress;
  email?: string;
  phone?: string;
  discretionaryData?: Record<string, string>;
}

export interface KeyedCustomerRequest extends CustomerProfile {
  card: KeyedCard;
}

export interface ProtectCustomerRequest extends CustomerProfile {
  tokens: ProtectTokens;
}

/** A profile that holds a bank account, for checks (ACH) by customer. */
export interface BankCustomerRequest extends CustomerProfile {
  bankAccount: BankAccount;
}

export interface UpdateCustomerRequest extends Partial<Omit<CustomerProfile, 'customerId'>> {
  customerId: string;
  /** test-only, like every keyed card */
  card?: KeyedCard;
  /** replace the profile's bank account */
  bankAccount?: BankAccount;
}

export interface CustomerResult extends PayTraceResult {
  customerId?: string;
  maskedCardNumber?: string;
}

export interface ExportedCustomer {
  customerId: string;
  maskedCardNumber?: string;
  /** a profile with a bank account: its masked number and routing number */
  maskedAccountNumber?: string;
  routingNumber?: string;
  expirationMonth?: string;
  expirationYear?: string;
  billingAddress?: BillingAddress;
  email?: string;
  raw: Record<string, unknown>;
}

export interface CustomerExportResult extends PayTraceResult {
  customers: ExportedCustomer[];
}

function profileToWire(profile: Partial<CustomerProfile>): Record<string, unknown> {
  return dropUndefined({
    customer_id: profile.customerId,
    billing_address: addressToWire(profile.billingAddress),
    shipping_address: addressToWire(profile.shippingAddress),
    email: profile.email,
    phone: profile.phone,
    discretionary_data: profile.discretionaryData,
  });
}

export function createCustomer(request: KeyedCustomerRequest): WireRequest {
  checkText('customerId', request.customerId, 50);
  return { path: '/v1/customer/create', body: { ...profileToWire(request), ...cardToWire(request.card) } };
}

export function createCustomerWithBankAccount(request: BankCustomerRequest): WireRequest {
  checkText('customerId', request.customerId, 50);
  return { path: '/v1/customer/create', body: { ...profileToWire(request), ...bankAccountToWire(request.bankAccount) } };
}

export function createCustomerProtect(request: ProtectCustomerRequest): WireRequest {
  checkText('customerId', request.customerId, 50);
  return { path: '/v1/customer/pt_protect_create', body: { ...profileToWire(request), ...protectToWire(request.tokens) } };
}

export function updateCustomer(request: UpdateCustomerRequest): WireRequest {
  checkText('customerId', request.customerId, 50);
  return {
    path: '/v1/customer/update',
    body: { ...profileToWire(request), ...(request.card ? cardToWire(request.card) : {}), ...(request.bankAccount ? bankAccountToWire(request.bankAccount) : {}) },
  };
}

/** Replace a profile's card with one entered in the Protect fields. */
export function updateCustomerProtect(request: Partial<Omit<CustomerProfile, 'customerId'>> & { customerId: string; tokens: ProtectTokens }): WireRequest {
  checkText('customerId', request.customerId, 50);
  return { path: '/v1/customer/pt_protect_update', body: { ...profileToWire(request), ...protectToWire(request.tokens) } };
}

export function deleteCustomer(customerId: string): WireRequest {
  checkText('customerId', customerId, 50);
  return { path: '/v1/customer/delete', body: { customer_id: customerId } };
}

export function exportCustomers(customerId?: string): WireRequest {
  if (customerId !== undefined) checkText('customerId', customerId, 50);
  return { path: '/v1/customer/export', body: dropUndefined({ customer_id: customerId }) };
}

export function parseCustomer(response: PayTraceHttpResponse): CustomerResult {
  return { ...readEnvelope(response), customerId: readString(response.body, 'customer_id'), maskedCardNumber: readString(response.body, 'masked_card_number') };
}

function parseExportedCustomer(record: Record<string, unknown>): ExportedCustomer | undefined {
  const customerId = readString(record, 'customer_id');
  if (customerId === undefined) return undefined;
  const card = typeof record.credit_card === 'object' && record.credit_card !== null ? (record.credit_card as Record<string, unknown>) : {};
  const address = typeof record.billing_address === 'object' && record.billing_address !== null ? (record.billing_address as Record<string, unknown>) : undefined;
  const bank = typeof record.check === 'object' && record.check !== null ? (record.check as Record<string, unknown>) : {};
  return {
    customerId,
    maskedCardNumber: readString(card, 'masked_number'),
    maskedAccountNumber: readString(bank, 'masked_account_number'),
    routingNumber: readString(bank, 'routing_number'),
    expirationMonth: readString(card, 'expiration_month'),
    expirationYear: readString(card, 'expiration_year'),
    billingAddress: address && {
      name: readString(address, 'name'),
      streetAddress: readString(address, 'street_address'),
      streetAddress2: readString(address, 'street_address2'),
      city: readString(address, 'city'),
      state: readString(address, 'state'),
      zip: readString(address, 'zip'),
      country: readString(address, 'country'),
    },
    email: readString(record, 'email'),
    raw: record,
  };
}

export function parseCustomerExport(response: PayTraceHttpResponse): CustomerExportResult {
  const envelope = readEnvelope(response);
  const ok = response.body.success === true && Array.isArray(response.body.customers);
  const customers = (Array.isArray(response.body.customers) ? response.body.customers : [])
    .filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null)
    .map(parseExportedCustomer)
    .filter((c): c is ExportedCustomer => c !== undefined);
  return { ...envelope, outcome: ok ? 'approved' : envelope.outcome, approved: ok || envelope.approved, customers };
}

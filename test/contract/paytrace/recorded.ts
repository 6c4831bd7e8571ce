/**
 * The recorded PayTrace v1 request/response pairs of reference/paytrace-api.md (§2.1, §3.3,
 * §4.1, §4.3, §4.6, §4.7, §4.8, §4.11), and the checks (ACH) answers and the $0.29 authorization
 * of ActiveMerchant's PayTrace fixtures (reference §4.14, §5.4; the request bodies are the ones its
 * unit tests assert). The reference blanks the transaction and customer ids of the recordings; the
 * ids here are stand-ins of the same JSON type. HTTP statuses the reference marks
 * [inferred]/[unconfirmed] (validation 400, decline 200) are noted.
 */
export interface RecordedPair {
  name: string;
  path: string;
  /** the request body as recorded (card numbers are the public sandbox test cards) */
  request: Record<string, unknown>;
  status: number;
  response: Record<string, unknown>;
}

export const TEST_VISA = '4012000098765439';

export const recordedToken = {
  path: '/oauth/token',
  request: 'grant_type=password&username=demo123&password=demo123',
  status: 200,
  response: {
    access_token: '3c6b3e4a8f2d1e0b:9a7c5d3e1f2b4a6c:bm90LWEtcmVhbC10b2tlbi1qdXN0LWEtc2hhcGU',
    token_type: 'Bearer',
    expires_in: 7200,
    created_at: 1733760000,
  },
};

export const recordedPairs: RecordedPair[] = [
  {
    name: 'keyed sale approved',
    path: '/v1/transactions/sale/keyed',
    request: { amount: '1.00', credit_card: { number: TEST_VISA, expiration_month: '12', expiration_year: '2030' }, billing_address: { name: 'Nathan Williams', street_address: '8320 E. West St.', city: 'Spokane', state: 'WA', zip: '85284' }, integrator_id: 'M3PTSANDBOX1' },
    status: 200,
    response: { success: true, response_code: 101, status_message: 'Your transaction was successfully approved.', transaction_id: 1000001, approval_code: 'TAS445', approval_message: '  NO  MATCH - Approved and completed', avs_response: 'No Match', csc_response: '', external_transaction_id: '', masked_card_number: 'xxxxxxxxxxxx5439' },
  },
  {
    name: 'keyed sale declined',
    path: '/v1/transactions/sale/keyed',
    request: { amount: '0.29', credit_card: { number: TEST_VISA, expiration_month: '12', expiration_year: '2030' }, integrator_id: 'M3PTSANDBOX1' },
    // decline status is [unconfirmed]: 200 is the documented default
    status: 200,
    response: { success: false, response_code: 102, status_message: 'Your transaction was not approved.', transaction_id: 1000002, approval_code: '', approval_message: '    DECLINE - Do not honor', avs_response: 'No Match', csc_response: '', external_transaction_id: '', masked_card_number: 'xxxxxxxxxxxx5439' },
  },
  {
    name: 'customer create',
    path: '/v1/customer/create',
    request: { customer_id: 'contract-cust-1', credit_card: { number: TEST_VISA, expiration_month: '12', expiration_year: '2030' }, billing_address: { name: 'Nathan Williams' }, integrator_id: 'M3PTSANDBOX1' },
    status: 200,
    response: { success: true, response_code: 160, status_message: 'The customer profile for contract-cust-1/Nathan Williams was successfully created.', customer_id: 'contract-cust-1', masked_card_number: 'xxxxxxxxxxxx5439' },
  },
  {
    name: 'sale by customer',
    path: '/v1/transactions/sale/by_customer',
    request: { amount: '19.95', customer_id: 'contract-cust-1', integrator_id: 'M3PTSANDBOX1' },
    status: 200,
    response: { success: true, response_code: 101, status_message: 'Your transaction was successfully approved.', transaction_id: 1000003, approval_code: 'TAS446', approval_message: '  NO  MATCH - Approved and completed', avs_response: 'No Match', csc_response: '', external_transaction_id: '' },
  },
  {
    name: 'capture',
    path: '/v1/transactions/authorization/capture',
    request: { transaction_id: 1000004, integrator_id: 'M3PTSANDBOX1' },
    status: 200,
    response: { success: true, response_code: 112, status_message: 'Your transaction was successfully captured.', transaction_id: 1000004, external_transaction_id: '' },
  },
  {
    name: 'void',
    path: '/v1/transactions/void',
    request: { transaction_id: 1000005, integrator_id: 'M3PTSANDBOX1' },
    status: 200,
    response: { success: true, response_code: 109, status_message: 'Your transaction was successfully voided.', transaction_id: 1000005 },
  },
  {
    name: 'refund of an unsettled transaction (817)',
    path: '/v1/transactions/refund/for_transaction',
    request: { transaction_id: 1000006, integrator_id: 'M3PTSANDBOX1' },
    // validation-error status is [inferred] 400
    status: 400,
    response: { success: false, response_code: 1, status_message: 'One or more errors has occurred.', errors: { '817': ['The Transaction ID that you provided could not be refunded. Only settled transactions can be refunded.  Please try to void the transaction instead.'] } },
  },
  {
    name: 'validation errors 35 + 43',
    path: '/v1/transactions/sale/keyed',
    request: { amount: '250.00', credit_card: { number: '4012000098765438', expiration_month: '14', expiration_year: '2030' }, integrator_id: 'M3PTSANDBOX1' },
    status: 400,
    response: { success: false, response_code: 1, status_message: 'One or more errors has occurred.', errors: { '35': ['Please provide a valid Credit Card Number.'], '43': ['Please provide a valid Expiration Month.'] }, external_transaction_id: '', masked_card_number: 'xxxxxxxxxxxx5438' },
  },
  {
    name: 'keyed authorization declined at $0.29 (expired card)',
    path: '/v1/transactions/authorization/keyed',
    request: { amount: '0.29', credit_card: { number: TEST_VISA, expiration_month: '12', expiration_year: '2030' }, integrator_id: 'M3PTSANDBOX1' },
    status: 200,
    response: { success: false, response_code: 102, status_message: 'Your transaction was not approved.', transaction_id: 1000007, approval_code: '', approval_message: '  EXPIRED CARD - Expired card', avs_response: 'No Match', csc_response: '', external_transaction_id: '', masked_card_number: 'xxxxxxxxxxxx5439' },
  },
  {
    name: 'check sale by account',
    path: '/v1/checks/sale/by_account',
    request: { amount: '1.00', check: { account_number: '123456', routing_number: '325070760' }, billing_address: { name: 'Jim Smith', street_address: '456 My Street', city: 'Ottawa', state: 'ON', zip: 'K1C2N6' }, integrator_id: 'M3PTSANDBOX1' },
    status: 200,
    response: { success: true, response_code: 120, status_message: 'Your check was successfully processed.', check_transaction_id: 981619 },
  },
  {
    name: 'check sale declined (125)',
    path: '/v1/checks/sale/by_account',
    request: { amount: '0.29', check: { account_number: '123456', routing_number: '325070760' }, integrator_id: 'M3PTSANDBOX1' },
    // decline status is [unconfirmed]: 200 is the documented default
    status: 200,
    response: { success: false, response_code: 125, status_message: 'Your check was NOT successfully processed.', check_transaction_id: 981610, ach_code: 0, ach_message: '' },
  },
  {
    name: 'check errors 30 + 45 + 46',
    path: '/v1/checks/hold/by_customer',
    request: { amount: '1.00', customer_id: 'customerid123', integrator_id: 'M3PTSANDBOX1' },
    status: 400,
    response: { success: false, response_code: 1, status_message: 'One or more errors has occurred.', errors: { '30': ['Customer ID, customerid123, was not found or is incomplete.'], '45': ['Please provide a valid Checking Account Number.'], '46': ['Please provide a valid Transit Routing Number.'] } },
  },
  {
    name: 'check fund',
    path: '/v1/checks/manage/fund',
    request: { check_transaction_id: 9981615, amount: '1.00', integrator_id: 'M3PTSANDBOX1' },
    status: 200,
    response: { success: true, response_code: 124, status_message: 'Your check was successfully managed.', check_transaction_id: 9981614 },
  },
  {
    name: 'check refund by transaction',
    path: '/v1/checks/refund/by_transaction',
    request: { check_transaction_id: 9981615, amount: '1.00', integrator_id: 'M3PTSANDBOX1' },
    status: 200,
    response: { success: true, response_code: 122, status_message: 'Your check was successfully refunded.', check_transaction_id: 9981632 },
  },
  {
    name: 'check refund of an unknown check (80)',
    path: '/v1/checks/refund/by_transaction',
    request: { check_transaction_id: 9981699, amount: '1.00', integrator_id: 'M3PTSANDBOX1' },
    status: 400,
    response: { success: false, response_code: 1, status_message: 'One or more errors has occurred.', errors: { '80': ['The Check ID that you provided was not found in the PayTrace record.'] } },
  },
  {
    name: 'check void of an unknown check (80)',
    path: '/v1/checks/manage/void',
    request: { check_transaction_id: 9981698, integrator_id: 'M3PTSANDBOX1' },
    status: 400,
    response: { success: false, response_code: 1, status_message: 'One or more errors has occurred.', errors: { '80': ['The Check ID that you have provided was not found in the PayTrace records. It may already be voided or settled.'] } },
  },
];

/** The JSON type of every key of a body, for "same shape" comparisons. */
export function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.length ? [shapeOf(value[0])] : [];
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, shapeOf(v)]).sort(([a], [b]) => String(a).localeCompare(String(b))));
  }
  return value === null ? 'null' : typeof value;
}

import { randomBytes } from 'node:crypto';
import { startPayTraceSimulator, type PayTraceSimulator } from '../../../simulators/paytrace';

/**
 * PayTrace's best-known Ruby client, ActiveMerchant's PayTraceGateway, ran its own remote test suite
 * (test/remote/gateways/remote_pay_trace_test.rb, 33 tests) unchanged against this simulator: 26
 * passed. The seven that failed were the six ACH tests (the simulator answered Express's HTML to
 * /v1/checks/*, "Unparsable response") and the $0.29 authorization (the recorded sandbox answers
 * "EXPIRED CARD - Expired card", the simulator said "Do not honor").
 *
 * Ruby is not part of this project, so the client is replayed here request for request: the same
 * paths, the same bodies (amount as "1.00", card, check, billing_address, and username, password and
 * integrator_id in every body, as its post_data adds them), the same headers, and its way of reading
 * an answer (success, status_message + approval_message, "Errors- code:…"). Each test below is one of
 * the remote tests, with the remote test's own assertions. The 33rd (transcript scrubbing) is a
 * client-side string test and touches no server.
 */

interface AmResponse {
  success: boolean;
  message: string;
  params: Record<string, unknown>;
  authorization: unknown;
}

type Check = { accountNumber: string; routingNumber: string; name: string };
type Card = { number: string; month: number; year: number; verificationValue: string; name: string };
type Options = Record<string, unknown> & { check_transaction?: string; visa_or_mastercard?: string };

const ENDPOINTS = {
  customer_id_sale: 'transactions/sale/by_customer',
  keyed_sale: 'transactions/sale/keyed',
  customer_id_auth: 'transactions/authorization/by_customer',
  keyed_auth: 'transactions/authorization/keyed',
  capture: 'transactions/authorization/capture',
  transaction_refund: 'transactions/refund/for_transaction',
  transaction_void: 'transactions/void',
  store: 'customer/create',
  redact: 'customer/delete',
  level_3_visa: 'level_three/visa',
  level_3_mastercard: 'level_three/mastercard',
  ach_sale: 'checks/sale/by_account',
  ach_customer_sale: 'checks/sale/by_customer',
  ach_authorize: 'checks/hold/by_account',
  ach_customer_authorize: 'checks/hold/by_customer',
  ach_refund: 'checks/refund/by_transaction',
  ach_capture: 'checks/manage/fund',
  ach_void: 'checks/manage/void',
} as const;

const isCheck = (p: unknown): p is Check => typeof p === 'object' && p !== null && 'routingNumber' in p;
const isCustomerId = (p: unknown): p is string => typeof p === 'string';

/** ActiveMerchant::Billing::PayTraceGateway, request for request (pay_trace.rb). */
class PayTraceGatewayReplay {
  accessToken = '';
  constructor(
    readonly baseUrl: string,
    readonly options: { username: string; password: string; integrator_id: string },
  ) {}

  async acquireAccessToken(): Promise<Record<string, unknown>> {
    const data = `grant_type=password&username=${encodeURIComponent(this.options.username)}&password=${encodeURIComponent(this.options.password)}`;
    const res = await fetch(`${this.baseUrl}/oauth/token`, { method: 'POST', headers: { Accept: '*/*', 'Content-Type': 'application/x-www-form-urlencoded' }, body: data });
    const json = (await res.json()) as Record<string, unknown>;
    if (!('error' in json) && typeof json.access_token === 'string') this.accessToken = json.access_token;
    return json;
  }

  purchase(money: number, payment: Card | Check | string, options: Options = {}): Promise<AmResponse> {
    if (this.#visaOrMastercard(options)) return this.#withLevel3(ENDPOINTS[isCustomerId(payment) ? 'customer_id_sale' : 'keyed_sale'], this.#purchaseRequest(money, payment, options), options);
    const post = this.#purchaseRequest(money, payment, options);
    const endpoint = isCheck(payment) ? ENDPOINTS.ach_sale : options.check_transaction ? ENDPOINTS.ach_customer_sale : post.customer_id ? ENDPOINTS.customer_id_sale : ENDPOINTS.keyed_sale;
    return this.#commit(endpoint, post);
  }

  authorize(money: number, payment: Card | Check | string, options: Options = {}): Promise<AmResponse> {
    const post: Record<string, unknown> = { amount: amount(money) };
    let endpoint: string;
    if (isCustomerId(payment)) {
      post.customer_id = payment;
      endpoint = options.check_transaction ? ENDPOINTS.ach_customer_authorize : ENDPOINTS.customer_id_auth;
    } else {
      this.#addPayment(post, payment);
      this.#addAddress(post, payment, options);
      if (options.email) post.email = options.email;
      endpoint = isCheck(payment) ? ENDPOINTS.ach_authorize : ENDPOINTS.keyed_auth;
    }
    return this.#commit(endpoint, post);
  }

  capture(money: number, authorization: unknown, options: Options = {}): Promise<AmResponse> {
    const post: Record<string, unknown> = options.check_transaction ? { check_transaction_id: authorization } : { transaction_id: authorization };
    post.amount = amount(money);
    if (this.#visaOrMastercard(options)) return this.#withLevel3(ENDPOINTS.capture, post, options);
    return this.#commit(options.check_transaction ? ENDPOINTS.ach_capture : ENDPOINTS.capture, post);
  }

  refund(money: number, authorization: unknown, options: Options = {}): Promise<AmResponse> {
    const post: Record<string, unknown> = { amount: amount(money) };
    if (options.check_transaction) post.check_transaction_id = authorization;
    else post.transaction_id = authorization;
    return this.#commit(options.check_transaction ? ENDPOINTS.ach_refund : ENDPOINTS.transaction_refund, post);
  }

  void(authorization: unknown, options: Options = {}): Promise<AmResponse> {
    const post = options.check_transaction ? { check_transaction_id: authorization } : { transaction_id: authorization };
    return this.#commit(options.check_transaction ? ENDPOINTS.ach_void : ENDPOINTS.transaction_void, post);
  }

  verify(card: Card, options: Options = {}): Promise<AmResponse> {
    return this.authorize(0, card, options);
  }

  store(payment: Card | Check, options: Options = {}): Promise<AmResponse> {
    const post: Record<string, unknown> = { customer_id: options.customer_id ?? randomBytes(12).toString('hex') };
    this.#addPayment(post, payment);
    this.#addAddress(post, payment, options);
    return this.#commit(ENDPOINTS.store, post);
  }

  unstore(customerId: string): Promise<AmResponse> {
    return this.#commit(ENDPOINTS.redact, { customer_id: customerId });
  }

  /** settle, as the remote test's monkey patch adds it */
  settle(): Promise<AmResponse> {
    return this.#commit('transactions/settle', {});
  }

  #visaOrMastercard(options: Options): boolean {
    return options.visa_or_mastercard === 'visa' || options.visa_or_mastercard === 'mastercard';
  }

  /** MultiResponse.run(:use_first_response): the call, then the Level 3 data on its transaction */
  async #withLevel3(endpoint: string, post: Record<string, unknown>, options: Options): Promise<AmResponse> {
    const first = await this.#commit(endpoint, post);
    if (!first.success) return first;
    const level3 = await this.#commit(options.visa_or_mastercard === 'visa' ? ENDPOINTS.level_3_visa : ENDPOINTS.level_3_mastercard, { transaction_id: first.authorization, ...level3Data(options) });
    return { ...level3, success: first.success && level3.success, params: first.params, authorization: first.authorization };
  }

  #purchaseRequest(money: number, payment: Card | Check | string, options: Options): Record<string, unknown> {
    const post: Record<string, unknown> = { amount: amount(money) };
    if (isCustomerId(payment)) {
      post.customer_id = payment;
    } else {
      this.#addPayment(post, payment);
      this.#addAddress(post, payment, options);
      if (options.email) post.email = options.email;
    }
    return post;
  }

  #addPayment(post: Record<string, unknown>, payment: Card | Check): void {
    if (isCheck(payment)) {
      post.check = { account_number: payment.accountNumber, routing_number: payment.routingNumber };
    } else {
      post.credit_card = { number: payment.number, expiration_month: payment.month, expiration_year: payment.year };
      post.csc = payment.verificationValue;
    }
  }

  #addAddress(post: Record<string, unknown>, payment: Card | Check, options: Options): void {
    const address = (options.billing_address ?? options.address) as Record<string, string> | undefined;
    post.billing_address = {
      ...(address ? { street_address: address.address1, city: address.city, state: address.state, zip: address.zip } : {}),
      name: payment.name,
    };
  }

  async #commit(action: string, parameters: Record<string, unknown>): Promise<AmResponse> {
    const body = JSON.stringify({ ...parameters, password: this.options.password, username: this.options.username, integrator_id: this.options.integrator_id });
    const res = await fetch(`${this.baseUrl}/v1/${action}`, { method: 'POST', headers: { 'Content-type': 'application/json', Authorization: `Bearer ${this.accessToken}` }, body });
    const raw = await res.text();
    let response: Record<string, unknown>;
    try {
      response = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return { success: false, message: `Unparsable response received from PayTrace. (The raw response returned by the API was ${JSON.stringify(raw)})`, params: {}, authorization: undefined };
    }
    if (response.error === 'invalid_token') {
      await this.acquireAccessToken(); // check_token_response
      return this.#commit(action, parameters);
    }
    const success = response.success === true;
    return { success, message: messageFrom(success, response), params: response, authorization: action === ENDPOINTS.store ? response.customer_id : (response.transaction_id ?? response.check_transaction_id) };
  }
}

const amount = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

function messageFrom(success: boolean, response: Record<string, unknown>): string {
  if (success) return String(response.status_message);
  const errors = response.errors as Record<string, string[]> | undefined;
  if (errors) return Object.entries(errors).reduce((m, [k, v]) => `${m} code:${k}, message:${JSON.stringify(v)}`, 'Errors-');
  return `${String(response.status_message ?? '')} ${String(response.approval_message ?? '')}`;
}

function level3Data(options: Options): Record<string, unknown> {
  const post: Record<string, unknown> = {};
  for (const key of ['invoice_id', 'customer_reference_id', 'merchant_tax_id', 'customer_tax_id', 'commodity_code']) if (options[key] !== undefined) post[key] = options[key];
  for (const key of ['tax_amount', 'national_tax_amount', 'discount_amount', 'freight_amount', 'duty_amount', 'additional_tax_amount', 'additional_tax_rate']) if (options[key] !== undefined) post[key] = Math.trunc(Number(options[key]));
  const source = (options.source_address ?? options.billing_address ?? options.address) as { zip?: string } | undefined;
  if (source) post.source_address = source.zip ? { zip: source.zip } : {};
  if (options.shipping_address) post.shipping_address = options.shipping_address;
  if (Array.isArray(options.line_items)) post.line_items = options.line_items;
  return post;
}

// the remote test's fixtures (test_helper's credit_card / check helpers)
const nextYear = new Date().getUTCFullYear() + 1;
const creditCard = (number: string, extra: Partial<Card> = {}): Card => ({ number, month: 9, year: nextYear, verificationValue: '123', name: 'Longbob Longsen', ...extra });
const randomAccount = () => String(Math.floor(Math.random() * 900_000) + 100_000); // rand.to_s[2..7]: six digits

describe('ActiveMerchant PayTraceGateway remote suite, replayed against the simulator (33 tests, the 32 that reach a server)', () => {
  let sim: PayTraceSimulator;
  let gateway: PayTraceGatewayReplay;
  const visa = creditCard('4012000098765439');
  const mastercard = creditCard('5499740000000057');
  const invalidCard = creditCard('54545454545454', { month: 14, year: 1999 });
  const discover = creditCard('6011000993026909');
  const amex = creditCard('371449635392376');
  let echeck: Check;
  const options: Options = { billing_address: { address1: '8320 This Way Lane', city: 'Placeville', state: 'CA', zip: '85284' }, description: 'Store Purchase' };

  beforeAll(async () => {
    sim = await startPayTraceSimulator({ port: 0 });
    gateway = new PayTraceGatewayReplay(sim.url, { username: 'demo123', password: 'demo123', integrator_id: '9999TESTINTG' });
    await gateway.acquireAccessToken();
  });
  beforeEach(() => {
    echeck = { accountNumber: '123456', routingNumber: '325070760', name: 'Jim Smith' };
  });
  afterAll(async () => {
    await sim.close();
  });

  test('test_acquire_token', async () => {
    expect((await gateway.acquireAccessToken()).access_token).toEqual(expect.any(String));
  });

  test('test_successful_purchase', async () => {
    const response = await gateway.purchase(1000, visa, options);
    expect(response.success).toBe(true);
    expect(response.message).toBe('Your transaction was successfully approved.');
  });

  test('test_successful_purchase_with_customer_id', async () => {
    const create = await gateway.store(mastercard, options);
    const response = await gateway.purchase(500, create.params.customer_id as string, options);
    expect(response.success).toBe(true);
    expect(response.message).toBe('Your transaction was successfully approved.');
  });

  test('test_successful_purchase_with_ach', async () => {
    echeck.accountNumber = randomAccount();
    const response = await gateway.purchase(1000, echeck, options);
    expect(response.success).toBe(true);
    expect(response.message).toBe('Your check was successfully processed.');
  });

  test('test_successful_purchase_by_customer_with_ach', async () => {
    echeck.accountNumber = randomAccount();
    const create = await gateway.store(echeck, options);
    expect(create.success).toBe(true);
    const response = await gateway.purchase(500, create.params.customer_id as string, { ...options, check_transaction: 'true' });
    expect(response.success).toBe(true);
  });

  test('test_successful_purchase_with_more_options', async () => {
    const response = await gateway.purchase(200, discover, { email: 'joe@example.com' });
    expect(response.success).toBe(true);
    expect(response.message).toBe('Your transaction was successfully approved.');
  });

  test('test_successful_purchase_with_level_3_data_visa', async () => {
    const response = await gateway.purchase(3000, visa, {
      visa_or_mastercard: 'visa', invoice_id: 'inv12345', customer_reference_id: '123abcd', tax_amount: 499, national_tax_amount: 172, merchant_tax_id: '3456defg',
      customer_tax_id: '3456test', commodity_code: '4321', discount_amount: 99, freight_amount: 75, duty_amount: 32, source_address: { zip: '94947' },
      shipping_address: { zip: '94948', country: 'US' }, additional_tax_amount: 4, additional_tax_rate: 1,
      line_items: [{ additional_tax_amount: 0, additional_tax_rate: 8, amount: 1999, commodity_code: '123commodity', description: 'plumbing', discount_amount: 327, product_id: 'skucode123', quantity: 4, unit_of_measure: 'EACH', unit_cost: 424 }],
    });
    expect(response.success).toBe(true);
    expect(response.params.response_code).toBe(101);
    expect(response.authorization).toEqual(expect.any(Number));
  });

  test('test_successful_purchase_with_level_3_data_mastercard', async () => {
    const response = await gateway.purchase(250, mastercard, {
      visa_or_mastercard: 'mastercard', invoice_id: 'inv1234', customer_reference_id: 'PO123456', tax_amount: 810, source_address: { zip: '99201' },
      shipping_address: { zip: '85284', country: 'US' }, additional_tax_amount: 40, additional_tax_included: true,
      line_items: [{ additional_tax_amount: 40, additional_tax_included: true, additional_tax_rate: 8, amount: 1999, debit_or_credit: 'D', description: 'business services', discount_amount: 327, discount_rate: 1, discount_included: true, merchant_tax_id: '12-123456', product_id: 'sku1245', quantity: 4, tax_included: true, unit_of_measure: 'EACH', unit_cost: 524 }],
    });
    expect(response.success).toBe(true);
    expect(response.params.response_code).toBe(101);
  });

  test('test_successful_purchase_with_attempted_level_3', async () => {
    const response = await gateway.purchase(300, discover, { ...options, visa_or_mastercard: 'discover', invoice_id: 'inv1234', customer_reference_id: 'PO123456' });
    expect(response.success).toBe(true);
  });

  test('test_failed_purchase', async () => {
    const response = await gateway.purchase(29, amex, options);
    expect(response.success).toBe(false);
  });

  test('test_failed_purchase_with_multiple_errors', async () => {
    const response = await gateway.purchase(25000, invalidCard, options);
    expect(response.success).toBe(false);
    expect(response.message).toBe('Errors- code:35, message:["Please provide a valid Credit Card Number."] code:43, message:["Please provide a valid Expiration Month."]');
  });

  test('test_successful_authorize_and_full_capture', async () => {
    const auth = await gateway.authorize(4000, visa, options);
    expect(auth.success).toBe(true);
    const capture = await gateway.capture(4000, auth.authorization, options);
    expect(capture.success).toBe(true);
    expect(capture.message).toBe('Your transaction was successfully captured.');
  });

  test('test_successful_authorize_with_customer_id', async () => {
    const store = await gateway.store(mastercard, options);
    expect(store.success).toBe(true);
    const response = await gateway.authorize(200, store.params.customer_id as string, options);
    expect(response.success).toBe(true);
    expect(response.message).toBe('Your transaction was successfully approved.');
  });

  test('test_successful_authorize_with_ach', async () => {
    echeck.accountNumber = randomAccount();
    const response = await gateway.authorize(1000, echeck, options);
    expect(response.success).toBe(true);
    expect(response.message).toBe('Your check was successfully processed.');
  });

  test('test_successful_authorize_by_customer_with_ach', async () => {
    echeck.accountNumber = randomAccount();
    const store = await gateway.store(echeck, options);
    expect(store.success).toBe(true);
    const response = await gateway.authorize(200, store.params.customer_id as string, { ...options, check_transaction: 'true' });
    expect(response.success).toBe(true);
  });

  test('test_successful_authorize_and_capture_with_level_3_data', async () => {
    const level3 = { visa_or_mastercard: 'mastercard', address: { zip: '99201' }, shipping_address: { zip: '85284', country: 'US' }, line_items: [{ description: 'office supplies', product_id: 'sku9876' }, { description: 'business services', product_id: 'sku3456' }] };
    const auth = await gateway.authorize(100, mastercard, level3);
    expect(auth.success).toBe(true);
    const capture = await gateway.capture(100, auth.authorization, level3);
    expect(capture.success).toBe(true);
    expect(capture.message).toBe(`Visa/MasterCard enhanced data was successfully added to Transaction ID ${String(auth.authorization)}. 2 line item records were created.`);
  });

  test('test_failed_authorize: $0.29 authorization answers the recorded "EXPIRED CARD - Expired card"', async () => {
    const response = await gateway.authorize(29, mastercard, options);
    expect(response.success).toBe(false);
    expect(response.message).toBe('Your transaction was not approved.   EXPIRED CARD - Expired card');
  });

  test('test_partial_capture', async () => {
    const auth = await gateway.authorize(500, amex, options);
    expect(auth.success).toBe(true);
    const capture = await gateway.capture(200, auth.authorization, options);
    expect(capture.success).toBe(true);
  });

  test('test_authorize_and_capture_with_ach', async () => {
    echeck.accountNumber = randomAccount();
    const auth = await gateway.authorize(500, echeck, options);
    expect(auth.success).toBe(true);
    const capture = await gateway.capture(500, auth.authorization, { ...options, check_transaction: 'true' });
    expect(capture.success).toBe(true);
  });

  test('test_failed_capture', async () => {
    const response = await gateway.capture(100, '');
    expect(response.success).toBe(false);
    expect(response.message).toBe('Errors- code:58, message:["Please provide a valid Transaction ID."]');
  });

  test('test_successful_refund', async () => {
    const purchase = await gateway.purchase(200, visa, options);
    expect(purchase.success).toBe(true);
    expect((await gateway.settle()).success).toBe(true);
    const refund = await gateway.refund(200, purchase.authorization, options);
    expect(refund.success).toBe(true);
    expect(refund.message).toBe('Your transaction was successfully refunded.');
  });

  test('test_partial_refund', async () => {
    const purchase = await gateway.purchase(400, mastercard, options);
    expect(purchase.success).toBe(true);
    expect((await gateway.settle()).success).toBe(true);
    const refund = await gateway.refund(300, purchase.authorization, options);
    expect(refund.success).toBe(true);
    expect(refund.message).toBe('Your transaction was successfully refunded.');
  });

  test('test_refund_without_amount', async () => {
    const purchase = await gateway.purchase(100, discover, options);
    expect(purchase.success).toBe(true);
    expect((await gateway.settle()).success).toBe(true);
    const refund = await gateway.refund(100, purchase.authorization);
    expect(refund.success).toBe(true);
    expect(refund.message).toBe('Your transaction was successfully refunded.');
  });

  test('test_failed_refund', async () => {
    const purchase = await gateway.purchase(2000, visa, options);
    expect(purchase.success).toBe(true);
    const response = await gateway.refund(2000, purchase.authorization, options);
    expect(response.success).toBe(false);
    expect(response.message).toBe('Errors- code:817, message:["The Transaction ID that you provided could not be refunded. Only settled transactions can be refunded.  Please try to void the transaction instead."]');
  });

  test('test_successful_void', async () => {
    const auth = await gateway.authorize(100, amex, options);
    expect(auth.success).toBe(true);
    const voided = await gateway.void(auth.authorization);
    expect(voided.success).toBe(true);
    expect(voided.message).toBe('Your transaction was successfully voided.');
  });

  test('test_successful_void_with_ach', async () => {
    echeck.accountNumber = randomAccount();
    const auth = await gateway.authorize(100, echeck, options);
    expect(auth.success).toBe(true);
    const voided = await gateway.void(auth.authorization, { check_transaction: 'true' });
    expect(voided.success).toBe(true);
  });

  test('test_failed_void', async () => {
    const response = await gateway.void('');
    expect(response.success).toBe(false);
    expect(response.message).toBe('Errors- code:58, message:["Please provide a valid Transaction ID."]');
  });

  test('test_successful_verify', async () => {
    const response = await gateway.verify(mastercard, options);
    expect(response.success).toBe(true);
    expect(response.message).toBe('Your transaction was successfully approved.');
  });

  test('test_successful_store', async () => {
    expect((await gateway.store(visa, options)).success).toBe(true);
  });

  test('test_successful_store_and_redact_customer_profile', async () => {
    const response = await gateway.store(mastercard, options);
    expect(response.success).toBe(true);
    const redact = await gateway.unstore(response.params.customer_id as string);
    expect(redact.success).toBe(true);
  });

  test('test_duplicate_customer_creation', async () => {
    const create = await gateway.store(discover, options);
    const response = await gateway.store(discover, { ...options, customer_id: create.params.customer_id });
    expect(response.success).toBe(false);
  });

  test('test_invalid_login', async () => {
    const other = new PayTraceGatewayReplay(sim.url, { username: 'username', password: 'password', integrator_id: 'integrator_id' });
    expect(JSON.stringify(await other.acquireAccessToken())).toMatch('invalid_grant');
  });

  test('an unknown path answers JSON the client can read, not Express HTML ("Unparsable response")', async () => {
    const res = await fetch(`${sim.url}/v1/checks/sale/by_routing`, { method: 'POST', headers: { 'Content-type': 'application/json', Authorization: `Bearer ${gateway.accessToken}` }, body: '{}' });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toEqual({ success: false, status_message: 'No route matches [POST] "/v1/checks/sale/by_routing"', error: 'not_found' });
  });
});

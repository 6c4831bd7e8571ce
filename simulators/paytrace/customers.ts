import type { Express } from 'express';
import { mountApi, type Handler } from './auth';
import { checkCard, readCsc, readKeyedCard } from './cards';
import { ERROR, maskCard, RESPONSE } from './codes';
import { takeProtectCard } from './protect';
import type { Address, SimCard, SimCustomer } from './state';
import { errorReply, FieldErrors, object, ok, text, type JsonBody, type SimContext } from './wire';

/**
 * The customer vault: profiles keyed by the merchant's own `customer_id` string (unique: 171),
 * created from a keyed card or from Protect tokens, updated, deleted and exported.
 */

function profileMessage(c: SimCustomer, verb: 'created' | 'updated' | 'deleted'): string {
  return `The customer profile for ${c.customerId}/${c.billingAddress.name ?? ''} was successfully ${verb}.`;
}

function optionalFields(body: JsonBody): Partial<SimCustomer> {
  const fields: Partial<SimCustomer> = {};
  const billing = object(body, 'billing_address');
  const shipping = object(body, 'shipping_address');
  if (billing) fields.billingAddress = billing as Address;
  if (shipping) fields.shippingAddress = shipping as Address;
  for (const [key, field] of [['email', 'email'], ['phone', 'phone'], ['fax', 'fax']] as const) {
    const v = text(body, key);
    if (v !== undefined) fields[field] = v;
  }
  const discretionary = object(body, 'discretionary_data');
  if (discretionary) fields.discretionaryData = discretionary;
  return fields;
}

/** `customer_id`: the merchant's key, 1–50 characters; on create it must be new */
export function readNewCustomerId(body: JsonBody, ctx: SimContext, errors: FieldErrors): string | undefined {
  const id = text(body, 'customer_id');
  if (id === undefined || id.length > 50) {
    errors.add(ERROR.customerId);
    return undefined;
  }
  if (ctx.state.customers.has(id)) errors.add(ERROR.customerIdNotUnique);
  return id;
}

export function created(ctx: SimContext, id: string, card: SimCard, body: JsonBody): JsonBody {
  const now = ctx.clock.now();
  const customer: SimCustomer = { customerId: id, card, billingAddress: {}, createdAt: now, updatedAt: now, ...optionalFields(body) };
  ctx.state.customers.set(id, customer);
  return {
    success: true,
    response_code: RESPONSE.customerCreated.code,
    status_message: profileMessage(customer, 'created'),
    customer_id: id,
    masked_card_number: maskCard(card.number),
  };
}

const createCustomer: Handler = (body, ctx) => {
  const errors = new FieldErrors();
  const id = readNewCustomerId(body, ctx, errors);
  const { card } = readKeyedCard(body, ctx.clock.now(), errors);
  readCsc(body, errors);
  if (errors.any || !id || !card) return errorReply(ctx, errors);
  return ok(created(ctx, id, card, body));
};

const protectCreateCustomer: Handler = (body, ctx) => {
  const errors = new FieldErrors();
  const id = readNewCustomerId(body, ctx, errors);
  const entry = takeProtectCard(body, ctx, errors);
  if (errors.any || !id || !entry) return errorReply(ctx, errors);
  entry.used = true;
  return ok(created(ctx, id, entry.card, body));
};

function existing(body: JsonBody, ctx: SimContext, errors: FieldErrors): SimCustomer | undefined {
  const id = text(body, 'customer_id');
  const customer = id === undefined ? undefined : ctx.state.customers.get(id);
  if (!customer) errors.add(ERROR.customerNotFound, id);
  return customer;
}

/** Apply an update only when every part of it is valid, so a bad request changes nothing. */
function applyUpdate(ctx: SimContext, customer: SimCustomer, card: SimCard | undefined, body: JsonBody, errors: FieldErrors) {
  const newId = text(body, 'new_customer_id');
  if (newId !== undefined && newId !== customer.customerId && (newId.length > 50 || ctx.state.customers.has(newId))) errors.add(ERROR.customerIdNotUnique);
  if (errors.any) return errorReply(ctx, errors);
  Object.assign(customer, optionalFields(body), { updatedAt: ctx.clock.now() });
  if (card) customer.card = card;
  if (newId !== undefined && newId !== customer.customerId) {
    ctx.state.customers.delete(customer.customerId);
    customer.customerId = newId;
    ctx.state.customers.set(newId, customer);
  }
  return ok({
    success: true,
    response_code: RESPONSE.customerUpdated.code,
    status_message: profileMessage(customer, 'updated'),
    customer_id: customer.customerId,
    masked_card_number: maskCard(customer.card.number),
  });
}

const updateCustomer: Handler = (body, ctx) => {
  const errors = new FieldErrors();
  const customer = existing(body, ctx, errors);
  const cc = object(body, 'credit_card');
  let card: SimCard | undefined;
  if (cc && customer) {
    // a partial card update (new expiry only) keeps the stored number
    card = checkCard(
      { number: cc.number ?? customer.card.number, month: cc.expiration_month ?? customer.card.expirationMonth, year: cc.expiration_year ?? customer.card.expirationYear },
      ctx.clock.now(),
      errors,
    );
  }
  readCsc(body, errors);
  if (!customer) return errorReply(ctx, errors);
  return applyUpdate(ctx, customer, card, body, errors);
};

const protectUpdateCustomer: Handler = (body, ctx) => {
  const errors = new FieldErrors();
  const customer = existing(body, ctx, errors);
  const entry = takeProtectCard(body, ctx, errors);
  if (!customer || !entry) return errorReply(ctx, errors);
  const reply = applyUpdate(ctx, customer, entry.card, body, errors);
  if (reply.status === 200) entry.used = true;
  return reply;
};

const deleteCustomer: Handler = (body, ctx) => {
  const errors = new FieldErrors();
  const customer = existing(body, ctx, errors);
  if (!customer) return errorReply(ctx, errors);
  ctx.state.customers.delete(customer.customerId);
  return ok({ success: true, response_code: RESPONSE.customerDeleted.code, status_message: profileMessage(customer, 'deleted'), customer_id: customer.customerId });
};

export function customerRecord(c: SimCustomer): JsonBody {
  return {
    customer_id: c.customerId,
    credit_card: {
      masked_number: maskCard(c.card.number),
      expiration_month: String(c.card.expirationMonth).padStart(2, '0'),
      expiration_year: String(c.card.expirationYear),
    },
    billing_address: c.billingAddress,
    ...(c.shippingAddress ? { shipping_address: c.shippingAddress } : {}),
    email: c.email ?? '',
    phone: c.phone ?? '',
    fax: c.fax ?? '',
    discretionary_data: c.discretionaryData ?? {},
  };
}

/** one profile by `customer_id`, or all; an unknown id gives an empty list, not an error */
const exportCustomers: Handler = (body, ctx) => {
  const id = text(body, 'customer_id');
  const all = [...ctx.state.customers.values()];
  const selected = id === undefined ? all : all.filter((c) => c.customerId === id);
  return ok({ success: true, response_code: RESPONSE.exported.code, status_message: RESPONSE.exported.message, customers: selected.map(customerRecord) });
};

export function mountCustomers(app: Express, ctx: SimContext): void {
  mountApi(app, ctx, '/v1/customer/create', createCustomer);
  mountApi(app, ctx, '/v1/customer/update', updateCustomer);
  mountApi(app, ctx, '/v1/customer/delete', deleteCustomer);
  mountApi(app, ctx, '/v1/customer/export', exportCustomers);
  mountApi(app, ctx, '/v1/customer/pt_protect_create', protectCreateCustomer);
  mountApi(app, ctx, '/v1/customer/pt_protect_update', protectUpdateCustomer);
}

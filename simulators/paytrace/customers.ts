import type { Express } from 'express';
import { mountApi, type Handler } from './auth';
import { readBankAccount } from './bank';
import { checkCard, readCsc, readKeyedCard } from './cards';
import { ERROR, maskAccount, maskCard, RESPONSE } from './codes';
import { takeProtectCard } from './protect';
import type { Address, SimBankAccount, SimCard, SimCustomer } from './state';
import { errorReply, FieldErrors, object, ok, text, type JsonBody, type SimContext } from './wire';

/**
 * The customer vault: profiles keyed by the merchant's own `customer_id` string (unique: 171),
 * created from a keyed card, a bank account (`check{account_number, routing_number}`, for ACH) or
 * Protect tokens, updated, deleted and exported. A profile holds a card, a bank account, or both.
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

/** the masked card of a profile, when it has one (bank-only profiles answer without it) */
function maskedCard(customer: SimCustomer): JsonBody {
  return customer.card ? { masked_card_number: maskCard(customer.card.number) } : {};
}

export function created(ctx: SimContext, id: string, payment: { card?: SimCard; bank?: SimBankAccount }, body: JsonBody): JsonBody {
  const now = ctx.clock.now();
  const customer: SimCustomer = { customerId: id, ...payment, billingAddress: {}, createdAt: now, updatedAt: now, ...optionalFields(body) };
  ctx.state.customers.set(id, customer);
  return {
    success: true,
    response_code: RESPONSE.customerCreated.code,
    status_message: profileMessage(customer, 'created'),
    customer_id: id,
    ...maskedCard(customer),
  };
}

/**
 * From a card, a bank account, or both. Without `check` the card is required (its errors 35/43/44 as
 * before); with `check` alone no card error may come back: ACH clients store bank accounts only.
 */
const createCustomer: Handler = (body, ctx) => {
  const errors = new FieldErrors();
  const id = readNewCustomerId(body, ctx, errors);
  const wantsBank = object(body, 'check') !== undefined;
  const wantsCard = object(body, 'credit_card') !== undefined || !wantsBank;
  const card = wantsCard ? readKeyedCard(body, ctx.clock.now(), errors).card : undefined;
  const bank = wantsBank ? readBankAccount(object(body, 'check'), errors) : undefined;
  readCsc(body, errors);
  if (errors.any || !id || (wantsCard && !card) || (wantsBank && !bank)) return errorReply(ctx, errors);
  return ok(created(ctx, id, { card, bank }, body));
};

const protectCreateCustomer: Handler = (body, ctx) => {
  const errors = new FieldErrors();
  const id = readNewCustomerId(body, ctx, errors);
  const entry = takeProtectCard(body, ctx, errors);
  if (errors.any || !id || !entry) return errorReply(ctx, errors);
  entry.used = true;
  return ok(created(ctx, id, { card: entry.card }, body));
};

function existing(body: JsonBody, ctx: SimContext, errors: FieldErrors): SimCustomer | undefined {
  const id = text(body, 'customer_id');
  const customer = id === undefined ? undefined : ctx.state.customers.get(id);
  if (!customer) errors.add(ERROR.customerNotFound, id);
  return customer;
}

/** Apply an update only when every part of it is valid, so a bad request changes nothing. */
function applyUpdate(ctx: SimContext, customer: SimCustomer, card: SimCard | undefined, body: JsonBody, errors: FieldErrors, bank?: SimBankAccount) {
  const newId = text(body, 'new_customer_id');
  if (newId !== undefined && newId !== customer.customerId && (newId.length > 50 || ctx.state.customers.has(newId))) errors.add(ERROR.customerIdNotUnique);
  if (errors.any) return errorReply(ctx, errors);
  Object.assign(customer, optionalFields(body), { updatedAt: ctx.clock.now() });
  if (card) customer.card = card;
  if (bank) customer.bank = bank;
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
    ...maskedCard(customer),
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
      { number: cc.number ?? customer.card?.number, month: cc.expiration_month ?? customer.card?.expirationMonth, year: cc.expiration_year ?? customer.card?.expirationYear },
      ctx.clock.now(),
      errors,
    );
  }
  const check = object(body, 'check');
  // likewise a new routing number alone keeps the stored account number
  const bank = check && customer ? readBankAccount({ account_number: customer.bank?.accountNumber, routing_number: customer.bank?.routingNumber, ...check }, errors) : undefined;
  readCsc(body, errors);
  if (!customer) return errorReply(ctx, errors);
  return applyUpdate(ctx, customer, card, body, errors, bank);
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
    ...(c.card
      ? {
          credit_card: {
            masked_number: maskCard(c.card.number),
            expiration_month: String(c.card.expirationMonth).padStart(2, '0'),
            expiration_year: String(c.card.expirationYear),
          },
        }
      : {}),
    // field names ours (the v1 export of a bank profile is unconfirmed); never the full account number
    ...(c.bank ? { check: { masked_account_number: maskAccount(c.bank.accountNumber), routing_number: c.bank.routingNumber } } : {}),
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

import type { Express } from 'express';
import { mountApi, type Handler } from './auth';
import { readBankAccount } from './bank';
import { CHECK_DECLINE_CENTS, ERROR, maskAccount, RESPONSE, returnTriggerOf } from './codes';
import type { CheckStatus, SimBankAccount, SimCheck } from './state';
import {
  dollarsNumber, errorReply, exportDate, FieldErrors, object, ok, readAmount, readDateRange, readId, singleError, text,
  type JsonBody, type Reply, type SimContext,
} from './wire';

/**
 * PayTrace's checks (ACH) API, v1 (reference §4.14): sale and hold by bank account or by customer
 * profile, refund by check id, by account or by customer, fund (release) a hold and void a check, with
 * the card API's state rules carried over: a check is voided before it settles and refunded after it.
 * Check ids (`check_transaction_id`) are a sequence of their own. The response bodies follow the
 * recorded ones (ActiveMerchant's fixtures); what the reference could not confirm is marked "ours".
 */

type Source = 'by_account' | 'by_customer';

const DAY_MS = 86_400_000;

/** the bank account a sale, hold or refund debits or credits: given in `check{}` or held by a profile */
function readAccount(source: Source, body: JsonBody, ctx: SimContext, errors: FieldErrors): { account?: SimBankAccount; customerId?: string } {
  if (source === 'by_account') return { account: readBankAccount(object(body, 'check'), errors) };
  const id = text(body, 'customer_id');
  const customer = id === undefined ? undefined : ctx.state.customers.get(id);
  // a card-only profile is "incomplete" for a check
  if (!customer?.bank) {
    errors.add(ERROR.customerNotFound, id);
    return {};
  }
  return { account: customer.bank, customerId: customer.customerId };
}

/** a new check record with the request's references; the caller sets type, status and code */
function record(ctx: SimContext, fields: Pick<SimCheck, 'type' | 'method' | 'amountCents' | 'status' | 'responseCode' | 'account'> & Partial<SimCheck>, body: JsonBody): SimCheck {
  const now = ctx.clock.now();
  const description = text(body, 'description');
  const returns = returnTriggerOf(description);
  const check: SimCheck = {
    id: ctx.state.nextCheckId(),
    refundedCents: 0,
    invoiceId: text(body, 'invoice_id'),
    description,
    email: text(body, 'email'),
    billingAddress: object(body, 'billing_address') as SimCheck['billingAddress'],
    discretionaryData: object(body, 'discretionary_data'),
    createdAt: now,
    ...(returns && fields.status !== 'declined' ? { returnDue: { at: new Date(now.getTime() + returns.days * DAY_MS), code: returns.code } } : {}),
    ...fields,
  };
  ctx.state.checks.set(check.id, check);
  return check;
}

/** 125 "NOT successfully processed", with the check id when there is one (the recorded decline carries ach_code 0 and an empty ach_message) */
function notProcessed(ctx: SimContext, check?: SimCheck): Reply {
  return {
    status: ctx.config.declineHttpStatus,
    body: {
      success: false,
      response_code: RESPONSE.checkNotProcessed.code,
      status_message: RESPONSE.checkNotProcessed.message,
      ...(check ? { check_transaction_id: check.id } : {}),
      ach_code: check?.achCode ?? 0,
      ach_message: check?.achMessage ?? '',
    },
  };
}

function answer(code: { code: number; message: string }, check: SimCheck): Reply {
  return ok({ success: true, response_code: code.code, status_message: code.message, check_transaction_id: check.id });
}

/** sale or hold: the account is debited when the check settles (a hold only once it is funded) */
function payment(type: 'SALE' | 'HOLD', source: Source): Handler {
  return (body, ctx) => {
    const errors = new FieldErrors();
    const { account, customerId } = readAccount(source, body, ctx, errors);
    const amount = readAmount(body);
    if (amount.kind !== 'cents' || amount.cents === 0) errors.add(ERROR.amount);
    if (errors.any || !account || amount.kind !== 'cents') return errorReply(ctx, errors);
    const declined = CHECK_DECLINE_CENTS.has(amount.cents);
    const check = record(ctx, {
      type,
      method: source,
      amountCents: amount.cents,
      status: declined ? 'declined' : type === 'HOLD' ? 'held' : 'pending',
      responseCode: declined ? RESPONSE.checkNotProcessed.code : RESPONSE.checkProcessed.code,
      account,
      customerId,
      ...(declined ? { achCode: 0, achMessage: '' } : {}),
    }, body);
    return declined ? notProcessed(ctx, check) : answer(RESPONSE.checkProcessed, check);
  };
}

function findCheck(body: JsonBody, ctx: SimContext): SimCheck | undefined {
  const id = readId(body, 'check_transaction_id');
  return id === undefined ? undefined : ctx.state.checks.get(id);
}

/** what a check moved: the funded amount of a hold, the amount of a sale */
function chargedCents(check: SimCheck): number {
  return check.type === 'HOLD' ? (check.fundedCents ?? 0) : check.amountCents;
}

/** A refund credits the account; it needs no earlier check (by account, by customer). */
function refund(source: Source): Handler {
  return (body, ctx) => {
    const errors = new FieldErrors();
    const { account, customerId } = readAccount(source, body, ctx, errors);
    const amount = readAmount(body);
    if (amount.kind !== 'cents' || amount.cents === 0) errors.add(ERROR.amount);
    if (errors.any || !account || amount.kind !== 'cents') return errorReply(ctx, errors);
    const check = record(ctx, { type: 'REFUND', method: source, amountCents: amount.cents, status: 'pending', responseCode: RESPONSE.checkRefunded.code, account, customerId }, body);
    return answer(RESPONSE.checkRefunded, check);
  };
}

/**
 * Refund (part of) an earlier check. As with cards, only a settled check can be refunded; an unsettled
 * one answers error 817 ("void it instead": the code for checks is ours, the real one is unconfirmed),
 * and refunds never total more than the check.
 */
const refundByTransaction: Handler = (body, ctx) => {
  const original = findCheck(body, ctx);
  const errors = new FieldErrors();
  if (!original || original.type === 'REFUND') errors.add(ERROR.checkId);
  const amount = readAmount(body);
  if (amount.kind === 'invalid' || (amount.kind === 'cents' && amount.cents === 0)) errors.add(ERROR.amount);
  if (errors.any || !original) return errorReply(ctx, errors);
  if (original.status === 'pending' || original.status === 'held') return singleError(ctx, ERROR.refundUnsettled);
  if (original.status !== 'settled') return notProcessed(ctx); // voided, declined or returned: nothing to refund
  const left = chargedCents(original) - original.refundedCents;
  const cents = amount.kind === 'cents' ? amount.cents : left;
  if (cents <= 0 || cents > left) return notProcessed(ctx);
  original.refundedCents += cents;
  const check = record(ctx, {
    type: 'REFUND', method: 'by_transaction', amountCents: cents, status: 'pending', responseCode: RESPONSE.checkRefunded.code,
    account: original.account, customerId: original.customerId, originalCheckId: original.id, invoiceId: text(body, 'invoice_id') ?? original.invoiceId,
  }, body);
  return answer(RESPONSE.checkRefunded, check);
};

/** Fund (release) a hold, all of it or less: from then on it settles like a sale. */
const fund: Handler = (body, ctx) => {
  const check = findCheck(body, ctx);
  if (!check || check.type !== 'HOLD' || check.status !== 'held') return singleError(ctx, ERROR.checkId, 'manage');
  const amount = readAmount(body);
  if (amount.kind === 'invalid' || (amount.kind === 'cents' && amount.cents === 0)) return singleError(ctx, ERROR.amount);
  const cents = amount.kind === 'cents' ? amount.cents : check.amountCents;
  if (cents > check.amountCents) return notProcessed(ctx, check);
  check.fundedCents = cents;
  check.status = 'pending';
  return answer(RESPONSE.checkManaged, check);
};

/** Void a check that has not settled (a sale, a hold, a refund); a refund's amount becomes refundable again. */
const voidCheck: Handler = (body, ctx) => {
  const check = findCheck(body, ctx);
  if (!check || (check.status !== 'pending' && check.status !== 'held')) return singleError(ctx, ERROR.checkId, 'manage');
  check.status = 'voided';
  if (check.type === 'REFUND' && check.originalCheckId !== undefined) {
    const original = ctx.state.checks.get(check.originalCheckId);
    if (original) original.refundedCents -= check.amountCents;
  }
  return answer(RESPONSE.checkManaged, check);
};

// ---- exports (paths and record fields ours: the v1 check export is unconfirmed; the legacy API had ExportCheck by CHECKID or SDATE/EDATE) ----

const STATUS_MESSAGE: Record<CheckStatus, string> = {
  pending: 'Pending Settlement',
  held: 'Hold',
  voided: 'Voided',
  declined: 'Declined',
  settled: 'Settled',
  returned: 'Returned',
};

export function checkRecord(check: SimCheck, username: string): JsonBody {
  return {
    check_transaction_id: check.id,
    transaction_type: check.type,
    amount: dollarsNumber(check.type === 'HOLD' && check.fundedCents !== undefined ? check.fundedCents : check.amountCents),
    status: check.status.toUpperCase(),
    status_message: STATUS_MESSAGE[check.status],
    response_code: check.responseCode,
    ach_code: check.achCode ?? null,
    ach_message: check.achMessage ?? '',
    return_code: check.returnCode ?? '',
    created: { at: exportDate(check.createdAt), by: username, through: 'API' },
    settled: check.settledAt ? exportDate(check.settledAt) : '',
    returned: check.returnedAt ? exportDate(check.returnedAt) : '',
    invoice_id: check.invoiceId ?? '',
    description: check.description ?? '',
    customer_id: check.customerId ?? '',
    email: check.email ?? '',
    original_check_transaction_id: check.originalCheckId ?? null,
    refunded_amount: dollarsNumber(check.refundedCents),
    check: { masked_account_number: maskAccount(check.account.accountNumber), routing_number: check.account.routingNumber },
    billing_address: check.billingAddress ?? {},
    discretionary_data: check.discretionaryData ?? {},
  };
}

function exported(checks: SimCheck[], ctx: SimContext): Reply {
  return ok({ success: true, response_code: RESPONSE.exported.code, status_message: RESPONSE.exported.message, checks: checks.map((c) => checkRecord(c, ctx.config.username)) });
}

const exportById: Handler = (body, ctx) => {
  const check = findCheck(body, ctx);
  if (!check) return singleError(ctx, ERROR.checkId);
  return exported([check], ctx);
};

const TYPE_FILTERS: Record<string, (c: SimCheck) => boolean> = {
  SALE: (c) => c.type === 'SALE',
  HOLD: (c) => c.type === 'HOLD',
  REFUND: (c) => c.type === 'REFUND',
  VOID: (c) => c.status === 'voided',
  SETTLED: (c) => c.status === 'settled',
  PENDING: (c) => c.status === 'pending' || c.status === 'held',
  DECLINED: (c) => c.status === 'declined',
  RETURNED: (c) => c.status === 'returned',
};

/** by creation date (MM/DD/YYYY, end day included), optionally by type, customer and free text (our invoice_id too) */
const exportByDateRange: Handler = (body, ctx) => {
  const range = readDateRange(body);
  if (typeof range === 'string') return singleError(ctx, range);
  const type = text(body, 'transaction_type')?.toUpperCase();
  const typeFilter = type === undefined ? undefined : TYPE_FILTERS[type];
  if (type !== undefined && !typeFilter) return singleError(ctx, ERROR.dateRange);
  const customerId = text(body, 'customer_id');
  const needle = text(body, 'including_text')?.toLowerCase();
  const selected = [...ctx.state.checks.values()].filter(
    (c) =>
      c.createdAt >= range.from &&
      c.createdAt <= range.to &&
      (!typeFilter || typeFilter(c)) &&
      (customerId === undefined || c.customerId === customerId) &&
      (needle === undefined || [String(c.id), c.invoiceId, c.description, c.customerId, c.email, c.billingAddress?.name].some((h) => h?.toLowerCase().includes(needle))),
  );
  return exported(selected, ctx);
};

export function mountChecks(app: Express, ctx: SimContext): void {
  const base = '/v1/checks';
  for (const source of ['by_account', 'by_customer'] as const) {
    mountApi(app, ctx, `${base}/sale/${source}`, payment('SALE', source));
    mountApi(app, ctx, `${base}/hold/${source}`, payment('HOLD', source));
    mountApi(app, ctx, `${base}/refund/${source}`, refund(source));
  }
  mountApi(app, ctx, `${base}/refund/by_transaction`, refundByTransaction);
  mountApi(app, ctx, `${base}/manage/fund`, fund);
  mountApi(app, ctx, `${base}/manage/void`, voidCheck);
  mountApi(app, ctx, `${base}/export/by_id`, exportById);
  mountApi(app, ctx, `${base}/export/by_date_range`, exportByDateRange);
}

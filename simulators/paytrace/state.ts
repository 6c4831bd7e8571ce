import { randomBytes, randomUUID } from 'node:crypto';
import { brandOf, maskAccount, maskCard, type CardBrand } from './codes';

/** A dispute the simulator raised on a settled sale (served by chargebacks.ts, netted in settlement). */
export const SIM_CHARGEBACK_STAGES = ['received', 'evidence_submitted', 'won', 'lost', 'accepted'] as const;
export type SimChargebackStage = (typeof SIM_CHARGEBACK_STAGES)[number];

export interface SimChargeback {
  caseNumber: string;
  transactionId: number;
  amountCents: number;
  feeCents: number;
  reasonCode: string;
  reason: string;
  stage: SimChargebackStage;
  receivedAt: Date;
  respondBy: Date;
  /** the batch that took the money (and, when won, the one that gave it back) */
  debitBatch?: number;
  creditBatch?: number;
}

/**
 * The simulator's in-memory merchant: transactions, customer vault, batches, OAuth tokens and
 * Protect tokens, on a simulated clock. Amounts are integer cents; card numbers stay in here and
 * are only ever shown masked.
 */

export interface SimCard {
  number: string;
  expirationMonth: number;
  expirationYear: number;
  brand: CardBrand;
}

export interface Address {
  name?: string;
  street_address?: string;
  street_address2?: string;
  city?: string;
  state?: string;
  zip?: string;
  country?: string;
}

export type TransactionType = 'SALE' | 'AUTHORIZATION' | 'REFUND';
/** pending = settles tonight; authOnly = authorized, not captured; autoVoided = 103 */
export type TransactionStatus = 'pending' | 'authOnly' | 'voided' | 'declined' | 'autoVoided' | 'settled';

export interface SimTransaction {
  id: number;
  type: TransactionType;
  /** how it was entered: keyed, swiped, by_customer, by_transaction, pt_protect, for_transaction, to_customer */
  method: string;
  /** amount asked for (authorized amount for an authorization) */
  amountCents: number;
  /** for a captured authorization: what was captured */
  capturedCents?: number;
  /** sum of refunds against this transaction (pending or settled, not voided) */
  refundedCents: number;
  status: TransactionStatus;
  responseCode: number;
  approvalCode: string;
  approvalMessage: string;
  avsResponse: string;
  cscResponse: string;
  card: SimCard;
  customerId?: string;
  invoiceId?: string;
  description?: string;
  email?: string;
  billingAddress?: Address;
  discretionaryData?: Record<string, unknown>;
  /** for a refund: the transaction it refunds */
  originalTransactionId?: number;
  createdAt: Date;
  settledAt?: Date;
  batchNumber?: number;
  levelThree?: { kind: 'visa' | 'mastercard'; lineItems: number };
}

/** A US bank account (ACH). The account number is as sensitive as a card number: never shown unmasked. */
export interface SimBankAccount {
  routingNumber: string;
  accountNumber: string;
}

export type CheckType = 'SALE' | 'HOLD' | 'REFUND';
/** pending = originates with the next settlement; held = a hold not yet funded; returned = the bank sent it back after settlement */
export type CheckStatus = 'pending' | 'held' | 'voided' | 'declined' | 'settled' | 'returned';

/** An ACH ("check") transaction. Check ids are their own sequence, apart from card transaction ids. */
export interface SimCheck {
  id: number;
  type: CheckType;
  /** by_account, by_customer, by_transaction (refunds of an earlier check) */
  method: string;
  amountCents: number;
  /** a funded hold: what was funded (at most the held amount) */
  fundedCents?: number;
  /** sum of refunds against this check (not voided) */
  refundedCents: number;
  status: CheckStatus;
  responseCode: number;
  achCode?: number;
  achMessage?: string;
  account: SimBankAccount;
  customerId?: string;
  invoiceId?: string;
  description?: string;
  email?: string;
  billingAddress?: Address;
  discretionaryData?: Record<string, unknown>;
  /** for a refund: the check it refunds */
  originalCheckId?: number;
  createdAt: Date;
  settledAt?: Date;
  /** sandbox return trigger ("Day2R03" in the description): when and with which NACHA return code */
  returnDue?: { at: Date; code: string };
  returnCode?: string;
  returnedAt?: Date;
}

export interface SimCustomer {
  customerId: string;
  /** a profile holds a card, a bank account, or both */
  card?: SimCard;
  bank?: SimBankAccount;
  billingAddress: Address;
  shippingAddress?: Address;
  email?: string;
  phone?: string;
  fax?: string;
  discretionaryData?: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export interface SimBatch {
  number: number;
  settledAt: Date;
  transactionIds: number[];
  /** chargebacks taken from the merchant in this batch (case numbers), and won ones given back */
  chargebacksDebited?: string[];
  chargebacksCredited?: string[];
}

export interface IssuedToken {
  token: string;
  issuedAt: Date;
  expiresAt: Date;
}

export interface ProtectClientKey {
  key: string;
  expiresAt: Date;
}

export interface ProtectCard {
  hpfToken: string;
  encKey: string;
  card: SimCard;
  csc?: string;
  expiresAt: Date;
  used: boolean;
}

export interface EmailReceipt {
  transactionId: number;
  email: string;
  sentAt: Date;
}

/**
 * A clock that runs with real time from a chosen start, and can be pushed forward. Frozen, it only
 * moves when pushed: tests use that so expiry and dates do not depend on how busy the machine is.
 */
export class SimClock {
  #offsetMs: number;
  #frozenAt: number | undefined;
  constructor(start?: Date, frozen = false) {
    this.#offsetMs = start ? start.getTime() - Date.now() : 0;
    this.#frozenAt = frozen ? Date.now() + this.#offsetMs : undefined;
  }
  now(): Date {
    return new Date(this.#frozenAt ?? Date.now() + this.#offsetMs);
  }
  advance(seconds: number): Date {
    if (this.#frozenAt !== undefined) this.#frozenAt += seconds * 1000;
    else this.#offsetMs += seconds * 1000;
    return this.now();
  }
}

export class PayTraceState {
  transactions = new Map<number, SimTransaction>();
  checks = new Map<number, SimCheck>();
  customers = new Map<string, SimCustomer>();
  batches: SimBatch[] = [];
  tokens = new Map<string, IssuedToken>();
  clientKeys = new Map<string, ProtectClientKey>();
  protectCards = new Map<string, ProtectCard>();
  receipts: EmailReceipt[] = [];
  chargebacks = new Map<string, SimChargeback>();
  #nextChargeback = 1;
  #nextTransactionId = 1000001;
  #nextCheckId = 5000001;
  #nextBatchNumber = 1001;
  #nextApproval = 100;

  nextTransactionId(): number {
    return this.#nextTransactionId++;
  }

  /** case numbers as the portal shows them (CB + year + sequence) */
  nextChargebackCase(): string {
    return `CB${new Date().getUTCFullYear()}${String(this.#nextChargeback++).padStart(6, '0')}`;
  }

  nextCheckId(): number {
    return this.#nextCheckId++;
  }

  /** `TAS` + three digits, as the sandbox returns */
  nextApprovalCode(): string {
    const code = `TAS${String(this.#nextApproval).padStart(3, '0')}`;
    this.#nextApproval = this.#nextApproval >= 999 ? 100 : this.#nextApproval + 1;
    return code;
  }

  issueToken(now: Date, lifetimeSeconds: number): IssuedToken {
    // three colon-separated segments, like the real opaque tokens
    const token = `${randomBytes(16).toString('hex')}:${randomBytes(16).toString('hex')}:${randomBytes(24).toString('base64url')}`;
    const issued = { token, issuedAt: now, expiresAt: new Date(now.getTime() + lifetimeSeconds * 1000) };
    this.tokens.set(token, issued);
    return issued;
  }

  issueClientKey(now: Date, lifetimeSeconds: number): ProtectClientKey {
    const key = { key: randomBytes(32).toString('base64url'), expiresAt: new Date(now.getTime() + lifetimeSeconds * 1000) };
    this.clientKeys.set(key.key, key);
    return key;
  }

  storeProtectCard(card: SimCard, csc: string | undefined, now: Date, lifetimeSeconds: number): ProtectCard {
    const entry: ProtectCard = {
      hpfToken: randomUUID(),
      encKey: randomBytes(32).toString('base64'), // 44 characters, like the real enc_key
      card,
      csc,
      expiresAt: new Date(now.getTime() + lifetimeSeconds * 1000),
      used: false,
    };
    this.protectCards.set(entry.hpfToken, entry);
    return entry;
  }

  /**
   * Settlement of everything pending: card transactions (and captured authorizations) into a new
   * batch, and pending checks (they originate to the ACH network; they are not part of card batches).
   */
  settleAll(now: Date): { batch: SimBatch | null; checks: SimCheck[] } {
    const checks = [...this.checks.values()].filter((c) => c.status === 'pending');
    for (const c of checks) {
      c.status = 'settled';
      c.settledAt = now;
    }
    return { batch: this.settle(now), checks };
  }

  /** ACH returns that fell due by `now` (the sandbox's DayNRxx trigger): settled or pending checks come back */
  returnsDue(now: Date): SimCheck[] {
    const returned: SimCheck[] = [];
    for (const c of this.checks.values()) {
      if (!c.returnDue || c.returnDue.at > now || (c.status !== 'settled' && c.status !== 'pending')) continue;
      c.status = 'returned';
      c.returnCode = c.returnDue.code;
      c.returnedAt = c.returnDue.at;
      returned.push(c);
    }
    return returned;
  }

  /** pending card transactions (and captured authorizations) into a new batch; null when nothing is pending */
  settle(now: Date): SimBatch | null {
    const pending = [...this.transactions.values()].filter((t) => t.status === 'pending');
    // chargebacks are netted into the next batch: taken when received, given back when won
    const debit = [...this.chargebacks.values()].filter((c) => c.debitBatch === undefined);
    const credit = [...this.chargebacks.values()].filter((c) => c.stage === 'won' && c.debitBatch !== undefined && c.creditBatch === undefined);
    if (pending.length === 0 && debit.length === 0 && credit.length === 0) return null;
    const batch: SimBatch = { number: this.#nextBatchNumber++, settledAt: now, transactionIds: pending.map((t) => t.id) };
    if (debit.length) batch.chargebacksDebited = debit.map((c) => ((c.debitBatch = batch.number), c.caseNumber));
    if (credit.length) batch.chargebacksCredited = credit.map((c) => ((c.creditBatch = batch.number), c.caseNumber));
    for (const t of pending) {
      t.status = 'settled';
      t.settledAt = now;
      t.batchNumber = batch.number;
    }
    this.batches.push(batch);
    return batch;
  }

  #lastSettlementCheck: Date | undefined;

  /**
   * The nightly settlement, run lazily: every `settleAt` (HH:MM UTC) the simulated clock passed since the
   * last check settles what is pending then. Lazy, so no timers run and advancing the clock is enough.
   */
  settleDue(now: Date, settleAt: string | null): SimBatch[] {
    const last = this.#lastSettlementCheck ?? now;
    this.#lastSettlementCheck = now;
    const m = settleAt ? /^(\d{1,2}):(\d{2})$/.exec(settleAt) : null;
    if (!m) {
      this.returnsDue(now);
      return [];
    }
    const settled: SimBatch[] = [];
    const day = new Date(Date.UTC(last.getUTCFullYear(), last.getUTCMonth(), last.getUTCDate(), Number(m[1]), Number(m[2])));
    for (let at = day; at <= now; at = new Date(at.getTime() + 86_400_000)) {
      if (at <= last) continue;
      this.returnsDue(at);
      const { batch } = this.settleAll(at);
      if (batch) settled.push(batch);
    }
    this.returnsDue(now);
    return settled;
  }

  /** the number the next batch will get: what export_one reports as the open batch */
  openBatchNumber(): number {
    return this.#nextBatchNumber;
  }

  /** what is shown on /_sim/state: never a full card number */
  snapshot(now: Date): unknown {
    const card = (c: SimCard) => ({ masked_number: maskCard(c.number), brand: c.brand, expiration_month: c.expirationMonth, expiration_year: c.expirationYear });
    const bank = (b: SimBankAccount) => ({ masked_account_number: maskAccount(b.accountNumber), routing_number: b.routingNumber });
    return {
      simulator: 'paytrace',
      now: now.toISOString(),
      transactions: [...this.transactions.values()].map((t) => ({ ...t, card: card(t.card) })),
      checks: [...this.checks.values()].map((c) => ({ ...c, account: bank(c.account) })),
      customers: [...this.customers.values()].map((c) => ({ ...c, card: c.card && card(c.card), bank: c.bank && bank(c.bank) })),
      batches: this.batches,
      openBatchNumber: this.openBatchNumber(),
      tokens: { active: [...this.tokens.values()].filter((t) => t.expiresAt > now).length },
      protect: {
        clientKeys: this.clientKeys.size,
        hpfTokens: [...this.protectCards.values()].map((p) => ({ hpf_token: p.hpfToken, used: p.used, expiresAt: p.expiresAt, masked_number: maskCard(p.card.number) })),
      },
      receipts: this.receipts,
      chargebacks: [...this.chargebacks.values()],
    };
  }
}

export function makeCard(number: string, month: number, year: number): SimCard {
  return { number, expirationMonth: month, expirationYear: year, brand: brandOf(number) };
}

/**
 * PayTrace v1 response codes, error keys, messages, test cards and the simulator's amount triggers.
 * Facts follow /work/shared/reference/paytrace-api.md §5 and §7; entries marked "ours" are the
 * simulator's own choice where the reference could not confirm the real value (kept in one place so
 * they are easy to change when the real value becomes known).
 */

/** `response_code` values with their `status_message` (reference §5.1). */
export const RESPONSE = {
  errors: { code: 1, message: 'One or more errors has occurred.' },
  approved: { code: 101, message: 'Your transaction was successfully approved.' },
  declined: { code: 102, message: 'Your transaction was not approved.' },
  /** approved, then voided automatically because AVS/CSC failed the merchant's fraud settings */
  autoVoided: { code: 103, message: 'Your transaction was successfully approved. However, it was voided because your address and/or CSC did not match.' }, // message: ours
  refunded: { code: 106, message: 'Your transaction was successfully refunded.' },
  refundFailed: { code: 107, message: 'Your transaction was not successfully refunded.' }, // message: ours
  voided: { code: 109, message: 'Your transaction was successfully voided.' },
  voidFailed: { code: 110, message: 'Your transaction was not successfully voided.' }, // message: ours
  captured: { code: 112, message: 'Your transaction was successfully captured.' },
  captureFailed: { code: 113, message: 'Your transaction was not successfully captured.' },
  checkProcessed: { code: 120, message: 'Your check was successfully processed.' },
  checkRefunded: { code: 122, message: 'Your check was successfully refunded.' },
  checkManaged: { code: 124, message: 'Your check was successfully managed.' },
  checkNotProcessed: { code: 125, message: 'Your check was NOT successfully processed.' },
  receiptSent: { code: 149, message: 'Your receipt was successfully sent.' }, // message: ours
  customerCreated: { code: 160 },
  customerUpdated: { code: 161 },
  customerDeleted: { code: 162 },
  levelThreeAdded: { code: 170 },
  /** exports, batches and settlement: the real code is unconfirmed (reference §12); ours */
  exported: { code: 101, message: 'Your request has been successfully completed.' },
} as const;

/** Keys of the `errors` map that come with response_code 1 (reference §5.2). */
export const ERROR = {
  customerNotFound: '30',
  cardNumber: '35',
  expirationMonth: '43',
  expirationYear: '44',
  accountNumber: '45',
  routingNumber: '46',
  transactionId: '58',
  checkId: '80',
  customerIdNotUnique: '171',
  refundUnsettled: '817',
  permissions: '981',
  // ours: the reference has no confirmed key for these
  amount: '40',
  csc: '148',
  customerId: '31',
  protectToken: '2001',
  integratorId: '2002',
  dateRange: '2003',
  email: '2004',
  batchNumber: '2005',
  malformedBody: '2006',
} as const;

export type ErrorKey = (typeof ERROR)[keyof typeof ERROR];

export const ERROR_MESSAGES: Record<ErrorKey, (detail?: string) => string> = {
  '30': (id) => `Customer ID, ${id ?? ''}, was not found or is incomplete.`,
  '35': () => 'Please provide a valid Credit Card Number.',
  '43': () => 'Please provide a valid Expiration Month.',
  '44': () => 'Please provide a valid Expiration Year.',
  '45': () => 'Please provide a valid Checking Account Number.',
  '46': () => 'Please provide a valid Transit Routing Number.',
  '58': () => 'Please provide a valid Transaction ID.',
  // two wordings seen (reference §4.14 / ActiveMerchant fixtures): refunds, and managing (fund/void) a check
  '80': (context) =>
    context === 'manage'
      ? 'The Check ID that you have provided was not found in the PayTrace records. It may already be voided or settled.'
      : 'The Check ID that you provided was not found in the PayTrace record.',
  '171': () => 'Please provide a unique customer ID.',
  '817': () =>
    'The Transaction ID that you provided could not be refunded. Only settled transactions can be refunded.  Please try to void the transaction instead.',
  '981': () => 'Log in failed for insufficient permissions.',
  '40': () => 'Please provide a valid Transaction Amount.',
  '148': () => 'Please provide a valid CSC.',
  '31': () => 'Please provide a valid Customer ID.',
  '2001': () => 'The Protect token (hpf_token/enc_key) is invalid, expired or has already been used.',
  '2002': () => 'Please provide a valid Integrator ID.',
  '2003': () => 'Please provide a valid date range (start_date and end_date as MM/DD/YYYY).',
  '2004': () => 'Please provide a valid Email Address.',
  '2005': () => 'Please provide a valid Batch Number.',
  '2006': () => 'The request body is not valid JSON.',
};

/** Processor texts passed through `approval_message`, leading spaces included (reference §5.4). */
export const APPROVAL_MESSAGE = {
  approved: '  NO  MATCH - Approved and completed',
  doNotHonor: '    DECLINE - Do not honor',
  expiredCard: '  EXPIRED CARD - Expired card',
  insufficientFunds: '  NSF - Insufficient funds', // ours, same "  <CODE> - <text>" form
  pickUpCard: '  PICK UP - Pick up card', // ours
  cscMismatch: '  NO  MATCH - Approved and completed', // approved by the issuer, then auto-voided (103)
  avsMismatch: '  NO  MATCH - Approved and completed',
} as const;

export interface AmountTrigger {
  cents: number;
  outcome: 'decline' | 'autoVoid';
  approvalMessage: string;
  /** the processor's text when the same amount is an authorization, where it differs from a sale's */
  authorizationMessage?: string;
  avsResponse?: string;
  cscResponse?: string;
  reason: string;
}

/**
 * Amounts that force an outcome, whatever the card (reference §7: the sandbox declines by amount).
 * $0.29 and $1.12 are PayTrace's own; the rest is the simulator's documented table. At $0.29 the
 * recorded sandbox traffic declines a sale with "DECLINE - Do not honor" but an authorization with
 * "EXPIRED CARD - Expired card" (reference §5.4; ActiveMerchant's remote test asserts exactly that).
 */
export const AMOUNT_TRIGGERS: readonly AmountTrigger[] = [
  { cents: 29, outcome: 'decline', approvalMessage: APPROVAL_MESSAGE.doNotHonor, authorizationMessage: APPROVAL_MESSAGE.expiredCard, reason: 'do not honor (PayTrace sandbox; an authorization: expired card)' },
  { cents: 112, outcome: 'decline', approvalMessage: APPROVAL_MESSAGE.doNotHonor, reason: 'do not honor (legacy PayTrace demo)' },
  { cents: 51, outcome: 'decline', approvalMessage: APPROVAL_MESSAGE.insufficientFunds, reason: 'insufficient funds' },
  { cents: 54, outcome: 'decline', approvalMessage: APPROVAL_MESSAGE.expiredCard, reason: 'expired card' },
  { cents: 57, outcome: 'decline', approvalMessage: APPROVAL_MESSAGE.pickUpCard, reason: 'pick up card' },
  { cents: 63, outcome: 'autoVoid', approvalMessage: APPROVAL_MESSAGE.cscMismatch, cscResponse: 'No Match', reason: 'CSC mismatch, auto-voided' },
  { cents: 62, outcome: 'autoVoid', approvalMessage: APPROVAL_MESSAGE.avsMismatch, avsResponse: 'No Match', reason: 'AVS mismatch, auto-voided' },
];

/**
 * Card numbers that force a decline, whatever the amount: a simulator extension (PayTrace's sandbox
 * declines only by amount), so a test can show a declined card and then a good one on the same
 * payment, as a customer retrying with another card would.
 */
export const CARD_TRIGGERS: ReadonlyArray<{ number: string } & AmountTrigger> = [
  { number: '4000000000000002', cents: -1, outcome: 'decline', approvalMessage: APPROVAL_MESSAGE.doNotHonor, reason: 'do not honor (simulator decline card)' },
  { number: '4000000000009995', cents: -1, outcome: 'decline', approvalMessage: APPROVAL_MESSAGE.insufficientFunds, reason: 'insufficient funds (simulator decline card)' },
];

export function triggerFor(cents: number, cardNumber?: string): AmountTrigger | undefined {
  return AMOUNT_TRIGGERS.find((t) => t.cents === cents) ?? (cardNumber ? CARD_TRIGGERS.find((t) => t.number === cardNumber) : undefined);
}

/**
 * ACH ("check") outcomes forced by the amount, as for cards: $0.29 and $1.12 are "NOT successfully
 * processed" (125). The real sandbox's ACH decline amounts are unconfirmed (ours); `ach_code` 0 and an
 * empty `ach_message` are what the recorded 125 answer carries.
 */
export const CHECK_DECLINE_CENTS: ReadonlySet<number> = new Set([29, 112]);

/**
 * Routing numbers of PayTrace's sandbox for Trace ACH ("Testing Trace ACH inside sandbox"); any other
 * routing number with a valid ABA check digit works too (ActiveMerchant's tests use 325070760).
 */
export const TEST_ROUTING_NUMBERS = ['130000006', '140000009', '150000002', '160000005', '170000008', '180000001', '190000004'] as const;

/** The ABA check digit: 3·d1 + 7·d2 + d3 + 3·d4 + 7·d5 + d6 + 3·d7 + 7·d8 + d9 ≡ 0 (mod 10). */
export function routingNumberValid(routing: string): boolean {
  if (!/^\d{9}$/.test(routing)) return false;
  const weights = [3, 7, 1, 3, 7, 1, 3, 7, 1];
  const sum = weights.reduce((total, w, i) => total + w * (routing.charCodeAt(i) - 48), 0);
  return sum % 10 === 0 && routing !== '000000000';
}

/** NACHA allows up to 17 characters; the sandbox takes "any 7 or 8-digit number", ActiveMerchant's tests send 6. */
export function accountNumberValid(account: string): boolean {
  return /^\d{4,17}$/.test(account);
}

/** `xxxxxx1234`: an account number shown like a card, last four only. */
export function maskAccount(account: string): string {
  return `${'x'.repeat(Math.max(account.length - 4, 2))}${account.slice(-4)}`;
}

/**
 * The sandbox's ACH return trigger: "DayNRxx" in the description returns the check N days (1–9) after
 * it was created with NACHA return reason Rxx ("Day2R03": account not found, two days later).
 */
export function returnTriggerOf(description: string | undefined): { days: number; code: string } | undefined {
  const m = description === undefined ? null : /\bDay([1-9])(R\d{2})\b/.exec(description);
  return m ? { days: Number(m[1]), code: m[2]! } : undefined;
}

/** Test cards of the current PayTrace sandbox and older samples (reference §7); any Luhn-valid number works. */
export const TEST_CARDS = [
  { brand: 'VISA', number: '4012000098765439' },
  { brand: 'MASTERCARD', number: '5499740000000057' },
  { brand: 'DISCOVER', number: '6011000993026909' },
  { brand: 'AMEX', number: '371449635392376' },
  { brand: 'VISA', number: '4111111111111111' },
  { brand: 'VISA', number: '4012881888818888' },
  { brand: 'MASTERCARD', number: '5454545454545454' },
] as const;

export type CardBrand = 'VISA' | 'MASTERCARD' | 'AMEX' | 'DISCOVER' | 'JCB' | 'DINERS' | 'UNKNOWN';

export function brandOf(pan: string): CardBrand {
  if (/^4/.test(pan)) return 'VISA';
  if (/^(5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720))/.test(pan)) return 'MASTERCARD';
  if (/^3[47]/.test(pan)) return 'AMEX';
  if (/^(6011|65|64[4-9])/.test(pan)) return 'DISCOVER';
  if (/^35/.test(pan)) return 'JCB';
  if (/^3(0[0-5]|[68])/.test(pan)) return 'DINERS';
  return 'UNKNOWN';
}

export function luhnValid(pan: string): boolean {
  if (!/^\d{12,19}$/.test(pan)) return false;
  let sum = 0;
  for (let i = 0; i < pan.length; i++) {
    let d = pan.charCodeAt(pan.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** `xxxxxxxxxxxx5439`: 12 lowercase x and the last four (reference §3.1); first six + last four with include_bin. */
export function maskCard(pan: string, includeBin = false): string {
  const last4 = pan.slice(-4);
  if (includeBin && pan.length >= 10) return `${pan.slice(0, 6)}${'x'.repeat(Math.max(pan.length - 10, 2))}${last4}`;
  return `xxxxxxxxxxxx${last4}`;
}

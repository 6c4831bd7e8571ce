/**
 * PayTrace v1 `response_code` and `errors` keys, with what each means for us.
 * Source: reference/paytrace-api.md §5. Codes marked inferred there are kept here
 * but never decide that money moved on their own: that needs `success: true` too.
 */

/** What a PayTrace answer means, independent of the operation that got it. */
export type OutcomeClass =
  | 'approved' //          the operation did what was asked (sale approved, refund done, profile created, …)
  | 'declined' //          a business "no" from the processor or PayTrace (102, 107, 110, 113, 125)
  | 'auto_voided' //       103: approved then voided by fraud settings (AVS/CSC): NOT paid
  | 'validation_error' //  response_code 1 with an `errors` map of field problems
  | 'not_found' //         1 + error 30 / 58 / 80: the customer or transaction does not exist
  | 'duplicate' //         1 + error 171: that customer id is taken
  | 'state_error' //       1 + error 817: the transaction is in the wrong state (refund before settlement)
  | 'permission_error' //  1 + error 981: the API user lacks the permission (configuration)
  | 'unrecognized'; //     a code we do not know: never treated as paid

export interface ResponseCodeInfo {
  code: number;
  outcome: OutcomeClass;
  meaning: string;
  /** legacy "TEST" codes: approved, but no money moves */
  testMode?: boolean;
  confidence: 'confirmed' | 'inferred' | 'unconfirmed';
}

const table: ResponseCodeInfo[] = [
  { code: 1, outcome: 'validation_error', meaning: 'One or more errors has occurred (see errors map)', confidence: 'confirmed' },
  { code: 101, outcome: 'approved', meaning: 'transaction approved', confidence: 'confirmed' },
  { code: 102, outcome: 'declined', meaning: 'transaction not approved (reason in approval_message)', confidence: 'confirmed' },
  // PayTrace's sample says 103 comes with success=true: it was approved, then voided automatically
  // because AVS/CSC failed the merchant's fraud rules. The customer was not charged.
  { code: 103, outcome: 'auto_voided', meaning: 'approved, then automatically voided (AVS/CSC mismatch): not paid', confidence: 'confirmed' },
  { code: 104, outcome: 'approved', meaning: 'legacy TEST transaction approved', testMode: true, confidence: 'confirmed' },
  { code: 105, outcome: 'declined', meaning: 'legacy TEST transaction not approved', testMode: true, confidence: 'confirmed' },
  { code: 106, outcome: 'approved', meaning: 'refund succeeded', confidence: 'confirmed' },
  { code: 107, outcome: 'declined', meaning: 'refund not successful', confidence: 'confirmed' },
  { code: 108, outcome: 'approved', meaning: 'legacy TEST refund (no funds refunded)', testMode: true, confidence: 'confirmed' },
  { code: 109, outcome: 'approved', meaning: 'transaction voided', confidence: 'confirmed' },
  { code: 110, outcome: 'declined', meaning: 'void not successful', confidence: 'confirmed' },
  { code: 111, outcome: 'approved', meaning: 'legacy TEST void', testMode: true, confidence: 'confirmed' },
  { code: 112, outcome: 'approved', meaning: 'authorization captured', confidence: 'confirmed' },
  { code: 113, outcome: 'declined', meaning: 'capture not successful', confidence: 'confirmed' },
  { code: 114, outcome: 'approved', meaning: 'legacy TEST capture', testMode: true, confidence: 'confirmed' },
  { code: 120, outcome: 'approved', meaning: 'check processed', confidence: 'confirmed' },
  { code: 122, outcome: 'approved', meaning: 'check refunded', confidence: 'confirmed' },
  { code: 124, outcome: 'approved', meaning: 'check managed (fund/void)', confidence: 'confirmed' },
  { code: 125, outcome: 'declined', meaning: 'check NOT successfully processed', confidence: 'confirmed' },
  { code: 149, outcome: 'approved', meaning: 'receipt e-mailed', confidence: 'confirmed' },
  { code: 160, outcome: 'approved', meaning: 'customer profile created', confidence: 'confirmed' },
  { code: 161, outcome: 'approved', meaning: 'customer profile updated', confidence: 'inferred' },
  { code: 162, outcome: 'approved', meaning: 'customer profile deleted', confidence: 'inferred' },
  // 165 and 167 appear near Protect sale-plus-customer in client code; meaning unknown.
  // Shopware treats 167 as an error, so neither may ever count as paid.
  { code: 165, outcome: 'unrecognized', meaning: 'unknown (seen near Protect sale + customer)', confidence: 'unconfirmed' },
  { code: 167, outcome: 'unrecognized', meaning: 'unknown (seen near Protect sale + customer; treated as an error by others)', confidence: 'unconfirmed' },
  { code: 170, outcome: 'approved', meaning: 'Level 3 data added', confidence: 'confirmed' },
];

export const RESPONSE_CODES: ReadonlyMap<number, ResponseCodeInfo> = new Map(table.map((info) => [info.code, info]));

/** Keys of the `errors` map (response_code 1): the field each one is about, and its class. */
export interface ErrorCodeInfo {
  code: string;
  /** the request field the message is about (dotted wire name) */
  field: string;
  outcome: Exclude<OutcomeClass, 'approved' | 'declined' | 'auto_voided' | 'unrecognized'>;
  meaning: string;
}

const errorTable: ErrorCodeInfo[] = [
  { code: '30', field: 'customer_id', outcome: 'not_found', meaning: 'customer id not found or incomplete' },
  // 31, 40 and 148 are the simulator's choices for errors PayTrace surely has under some key (unconfirmed)
  { code: '31', field: 'customer_id', outcome: 'validation_error', meaning: 'missing or invalid customer id' },
  { code: '40', field: 'amount', outcome: 'validation_error', meaning: 'invalid amount' },
  { code: '148', field: 'csc', outcome: 'validation_error', meaning: 'invalid CSC' },
  { code: '35', field: 'credit_card.number', outcome: 'validation_error', meaning: 'invalid credit card number' },
  { code: '43', field: 'credit_card.expiration_month', outcome: 'validation_error', meaning: 'invalid expiration month' },
  { code: '44', field: 'credit_card.expiration_year', outcome: 'validation_error', meaning: 'invalid expiration year' },
  { code: '45', field: 'check.account_number', outcome: 'validation_error', meaning: 'invalid checking account number' },
  { code: '46', field: 'check.routing_number', outcome: 'validation_error', meaning: 'invalid transit routing number' },
  { code: '58', field: 'transaction_id', outcome: 'not_found', meaning: 'invalid or unknown transaction id' },
  { code: '80', field: 'check_transaction_id', outcome: 'not_found', meaning: 'check id not found' },
  { code: '171', field: 'customer_id', outcome: 'duplicate', meaning: 'customer id already exists' },
  { code: '817', field: 'transaction_id', outcome: 'state_error', meaning: 'only settled transactions can be refunded: void it instead' },
  { code: '981', field: 'credentials', outcome: 'permission_error', meaning: 'API user lacks the permission' },
];

export const ERROR_CODES: ReadonlyMap<string, ErrorCodeInfo> = new Map(errorTable.map((info) => [info.code, info]));

/** When several errors come back at once, the most decisive class wins. */
const PRECEDENCE: OutcomeClass[] = ['permission_error', 'not_found', 'state_error', 'duplicate', 'validation_error'];

export interface FieldError {
  /** PayTrace's error key, e.g. "35" */
  code: string;
  /** the request field it is about, e.g. "credit_card.number"; "request" when the code is unknown */
  field: string;
  /** PayTrace's own message */
  message: string;
}

/** Flatten an `errors` map ({"35":["…"],"43":["…"]}) into one entry per message. */
export function fieldErrorsOf(errors: unknown): FieldError[] {
  if (typeof errors !== 'object' || errors === null || Array.isArray(errors)) return [];
  const out: FieldError[] = [];
  for (const [code, messages] of Object.entries(errors as Record<string, unknown>)) {
    const field = ERROR_CODES.get(code)?.field ?? 'request';
    const list = Array.isArray(messages) ? messages : [messages];
    for (const message of list) out.push({ code, field, message: typeof message === 'string' ? message : JSON.stringify(message) });
  }
  return out;
}

/**
 * The outcome of one PayTrace envelope. The rule (reference §3.4, §5): decide by `success`
 * and `response_code`, never by the HTTP status. An approval needs both `success: true`
 * and an approving code; 103 is "not paid" whatever `success` says; an unknown code is
 * never an approval.
 */
export function classify(envelope: { success?: unknown; response_code?: unknown; errors?: unknown }): { outcome: OutcomeClass; testMode: boolean } {
  const code = typeof envelope.response_code === 'number' ? envelope.response_code : Number(envelope.response_code);
  const info = RESPONSE_CODES.get(code);
  if (code === 1 || (!info && envelope.errors !== undefined)) {
    const classes: OutcomeClass[] = fieldErrorsOf(envelope.errors).map((e) => ERROR_CODES.get(e.code)?.outcome ?? 'validation_error');
    const outcome = PRECEDENCE.find((c) => classes.includes(c)) ?? 'validation_error';
    return { outcome, testMode: false };
  }
  if (!info) return { outcome: 'unrecognized', testMode: false };
  if (info.outcome === 'approved' && envelope.success !== true) {
    // an approving code without success:true is contradictory: never count it as done
    return { outcome: 'unrecognized', testMode: Boolean(info.testMode) };
  }
  return { outcome: info.outcome, testMode: Boolean(info.testMode) };
}

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Money } from '../../../gateway/src/domain/money';
import {
  GENERIC_PAYER_DECLINE,
  LEDGER_STATES,
  assertTransition,
  canTransition,
  mapExportStatus,
  mapPayTraceAnswer,
  refundState,
  payerDecline,
  refundableRemainder,
  type StatusMap,
} from '../../../gateway/src/domain/status-map';
import { parseRules } from '../../../gateway/src/domain/rules-loader';
import { MAPPINGS_DIR, appErrorOf, shippedRules } from './helpers';

// The response_code table of the PayTrace reference (§5.1), code by code.
const REFERENCE_CODES = [1, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 120, 122, 124, 125, 149, 160, 161, 162, 165, 167, 170];

/** The codes in the reference's §5.1 table when the shared reference is beside the repository. */
function codesFromReference(): number[] | undefined {
  const candidates = [path.join(__dirname, '..', '..', '..', '..', 'shared', 'reference', 'paytrace-api.md')];
  const file = candidates.find((f) => existsSync(f));
  if (!file) return undefined;
  const text = readFileSync(file, 'utf8');
  const section = text.slice(text.indexOf('### 5.1'), text.indexOf('### 5.2'));
  const codes = new Set<number>();
  for (const line of section.split('\n')) {
    const first = /^\|\s*([\d\s/,]+?)\s*\|/.exec(line)?.[1];
    if (first) for (const code of first.split(/[\s/,]+/).filter(Boolean)) codes.add(Number(code));
  }
  return [...codes];
}

let map: StatusMap;
beforeAll(async () => {
  map = (await shippedRules()).statusMap;
});

describe('PayTrace response codes', () => {
  it('maps every response code of the reference table', () => {
    for (const code of REFERENCE_CODES) expect(map.responseCodes[String(code)]).toBeDefined();
    const fromFile = codesFromReference();
    if (fromFile) {
      expect(fromFile.length).toBeGreaterThanOrEqual(REFERENCE_CODES.length);
      for (const code of fromFile) expect(map.responseCodes[String(code)]).toBeDefined();
    }
  });

  it.each([
    ['sale approved', 'sale', 101, 'approved', 'captured', true],
    ['authorization approved', 'authorization', 101, 'approved', 'authorized', true],
    ['sale declined', 'sale', 102, 'declined', 'declined', false],
    ['approved then auto-voided (AVS/CSC)', 'sale', 103, 'auto_voided', 'voided', false],
    ['refund', 'refund', 106, 'approved', 'refunded', true],
    ['void', 'void', 109, 'approved', 'voided', false],
    ['capture', 'capture', 112, 'approved', 'captured', true],
    ['sale validation error', 'sale', 1, 'error', 'rejected', false],
  ] as const)('%s', (_label, operation, responseCode, outcome, ledger, moneyMoved) => {
    const mapped = mapPayTraceAnswer(map, { operation, responseCode });
    expect(mapped).toMatchObject({ outcome, ledger, moneyMoved, known: true });
    expect(mapped.m3).toEqual(map.ledgerStates[ledger]);
  });

  it('leaves the payment as it was when a refund, void or capture fails', () => {
    for (const [operation, code] of [['refund', 107], ['void', 110], ['capture', 113], ['refund', 1]] as const) {
      const mapped = mapPayTraceAnswer(map, { operation, responseCode: code });
      expect(mapped.ledger).toBeNull();
      expect(mapped.moneyMoved).toBe(false);
    }
  });

  it('maps customer and receipt answers to no payment change', () => {
    expect(mapPayTraceAnswer(map, { operation: 'customer', responseCode: 160 }).ledger).toBeNull();
    expect(mapPayTraceAnswer(map, { operation: 'receipt', responseCode: 149 }).ledger).toBeNull();
  });

  it('never takes an unconfirmed code as paid', () => {
    for (const code of [165, 167]) {
      const mapped = mapPayTraceAnswer(map, { operation: 'sale', responseCode: code });
      expect(mapped).toMatchObject({ outcome: 'unknown', ledger: 'unknown', moneyMoved: false });
    }
  });

  it('flags a known code that does not answer this operation', () => {
    expect(mapPayTraceAnswer(map, { operation: 'sale', responseCode: 106 }).expectedForOperation).toBe(false);
    expect(mapPayTraceAnswer(map, { operation: 'refund', responseCode: 106 }).expectedForOperation).toBe(true);
    expect(mapPayTraceAnswer(map, { operation: 'refund', responseCode: 1 }).expectedForOperation).toBe(true);
  });

  it('maps a code the table does not know to unknown, flagged for an alert', () => {
    const mapped = mapPayTraceAnswer(map, { operation: 'sale', responseCode: 999 });
    expect(mapped).toMatchObject({ known: false, ledger: 'unknown', outcome: 'unknown', moneyMoved: false });
  });

  it('turns error 817 into "void instead" (the refund-or-void rule)', () => {
    const mapped = mapPayTraceAnswer(map, { operation: 'refund', responseCode: 1, errorKeys: ['817'] });
    expect(mapped.action).toBe('void_instead');
    expect(mapped.errors[0]).toMatchObject({ key: '817', errorClass: 'business' });
  });

  it('classifies several error keys and unknown keys', () => {
    const mapped = mapPayTraceAnswer(map, { operation: 'sale', responseCode: 1, errorKeys: ['35', '43', '4242'] });
    expect(mapped.errors.map((e) => e.key)).toEqual(['35', '43', '4242']);
    expect(mapped.errors[2]!.meaning).toMatch(/not in the status map/);
    expect(mapped.action).toBeUndefined();
    expect(mapPayTraceAnswer(map, { operation: 'sale', responseCode: 1, errorKeys: ['981'] }).errors[0]!.errorClass).toBe('configuration');
  });
});

describe('export records', () => {
  it.each([
    [{ status_code: 'Y', status_message: 'Pending Settlement' }, 'captured', 'pending-settlement'],
    [{ status_code: 'N', status_message: 'Authorization Only' }, 'authorized', 'authorization-only'],
    [{ status_code: 'N', status_message: 'Voided' }, 'voided', 'voided'],
    [{ status_code: 'N', status_message: 'Declined' }, 'declined', 'declined'],
    [{ status_code: 'GB 20261124', status_message: 'Settled' }, 'settled', 'settled-by-code'],
    [{ status_code: 'Y', status_message: 'x', settled: '11/24/2026 9:00:00 PM' }, 'settled', 'settled-by-date'],
    [{ status_code: 'Y', transaction_type: 'REFUND' }, 'refunded', 'refund-pending'],
    [{ status_code: 'Q', status_message: 'something new' }, 'unknown', 'anything-else'],
    [{}, 'unknown', 'anything-else'],
  ])('%j → %s', (record, ledger, rule) => {
    expect(mapExportStatus(map, record)).toMatchObject({ ledger, rule });
  });
});

describe('ledger states and transitions', () => {
  it('maps every ledger state to M3', () => {
    // every state has an M3 mapping; paymentStatus is the Status/Code of our Sync.MyPTPayment BOD (none for unknown)
    const bodCodes = ['Authorized', 'Captured', 'Settled', 'Voided', 'Refunded', 'ChargedBack', 'ChargebackWon', 'Declined'];
    for (const state of LEDGER_STATES) {
      expect(map.ledgerStates[state]).toBeDefined();
      if (state === 'unknown') expect(map.ledgerStates[state]!.paymentStatus).toBeNull();
      else expect(bodCodes).toContain(map.ledgerStates[state]!.paymentStatus);
    }
  });

  it('moves forward only', () => {
    expect(canTransition(map, 'authorized', 'captured')).toBe(true);
    expect(canTransition(map, 'captured', 'settled')).toBe(true);
    expect(canTransition(map, 'settled', 'partially_refunded')).toBe(true);
    expect(canTransition(map, 'settled', 'settled')).toBe(true);
    expect(canTransition(map, 'settled', 'captured')).toBe(false);
    expect(canTransition(map, 'refunded', 'partially_refunded')).toBe(false);
    const err = appErrorOf(() => assertTransition(map, 'settled', 'voided'));
    expect(err.code).toBe('LEDGER_TRANSITION_REFUSED');
    expect(err.errorClass).toBe('business');
  });
});

describe('refund amounts', () => {
  const usd = (s: string) => Money.parse(s, 'USD');

  it('tells full from partial refunds from exact amounts', () => {
    expect(refundState(usd('100.00'), usd('100.00'))).toBe('refunded');
    expect(refundState(usd('100.00'), usd('99.99'))).toBe('partially_refunded');
    expect(appErrorOf(() => refundState(usd('100.00'), usd('100.01'))).code).toBe('REFUND_EXCEEDS_CAPTURED');
  });

  it('bounds a partial refund by what remains', () => {
    expect(refundableRemainder(usd('100.00'), usd('40.00'), usd('60.00')).toM3()).toBe('0.00');
    expect(refundableRemainder(usd('100.00'), usd('40.00'), usd('10.00')).toM3()).toBe('50.00');
    const err = appErrorOf(() => refundableRemainder(usd('100.00'), usd('40.00'), usd('60.01')));
    expect(err.code).toBe('REFUND_EXCEEDS_REMAINING');
    expect(err.errorClass).toBe('business');
    expect(appErrorOf(() => refundableRemainder(usd('100.00'), usd('0'), usd('0'))).code).toBe('REFUND_AMOUNT_INVALID');
  });
});

describe('payer words for declines (pay page)', () => {
  const approvedThenVoided = '  NO  MATCH - Approved and completed';

  it('never repeats the processor text: a 103 reads as the address or code that did not match, with the fields to check', () => {
    const address = payerDecline(map, { responseCode: 103, approvalMessage: approvedThenVoided, avsResponse: 'No Match', cscResponse: 'Match' });
    expect(address).toMatchObject({ reason: 'address-did-not-match', fields: ['street', 'zip'] });
    expect(address.message).not.toMatch(/Approved|completed/);
    expect(payerDecline(map, { responseCode: 103, approvalMessage: approvedThenVoided, avsResponse: 'Full Exact Match', cscResponse: 'No Match' })).toMatchObject({ reason: 'security-code-did-not-match', fields: ['card'] });
    expect(payerDecline(map, { responseCode: 103, approvalMessage: approvedThenVoided, avsResponse: 'No Match', cscResponse: 'No Match' })).toMatchObject({ reason: 'address-and-security-code-did-not-match' });
    // neither result known: the response code's own words
    expect(payerDecline(map, { responseCode: 103, approvalMessage: approvedThenVoided })).toMatchObject({ reason: 'response 103', message: map.responseCodes['103']!.payerMessage });
  });

  it('says what the bank said in plain words, and the generic decline otherwise', () => {
    expect(payerDecline(map, { responseCode: 102, approvalMessage: '  NSF - Insufficient funds' }).reason).toBe('insufficient-funds');
    expect(payerDecline(map, { responseCode: 102, approvalMessage: '  EXPIRED CARD - Expired card' })).toMatchObject({ reason: 'expired-card', fields: ['card'] });
    expect(payerDecline(map, { responseCode: 102, approvalMessage: '  PICK UP - Pick up card' }).reason).toBe('card-not-usable');
    expect(payerDecline(map, { responseCode: 102, approvalMessage: '    DECLINE - Do not honor' }).reason).toBe('bank-declined');
    expect(payerDecline(map, { responseCode: 1, errorKeys: ['44'] })).toMatchObject({ reason: 'error 44', fields: ['card'] });
    expect(payerDecline(map, { responseCode: 9999 })).toEqual({ reason: 'generic', message: GENERIC_PAYER_DECLINE, fields: [] });
  });

  it('is checked when the file is loaded: a sale decline without payer words, or a bad regex, stops the start', () => {
    const texts = new Map(readdirSync(MAPPINGS_DIR).filter((f) => f.endsWith('.yaml')).map((f) => [f, readFileSync(path.join(MAPPINGS_DIR, f), 'utf8')]));
    const status = texts.get('status-map.yaml')!;
    const without102 = status.replace(/(\n {2}102:\n(?: {4}.*\n)*?) {4}payerMessage: .*\n/, '$1');
    expect(without102).not.toBe(status);
    const noWords = appErrorOf(() => parseRules(new Map([...texts, ['status-map.yaml', without102]])));
    expect(noWords.message).toMatch(/status-map\.yaml:\d+:\d+ responseCodes\.102\.payerMessage: a decline of a sale needs a payerMessage/);
    const badRegex = appErrorOf(() => parseRules(new Map([...texts, ['status-map.yaml', status.replace('approvalMessage: "expired"', 'approvalMessage: "expired("')]])));
    expect(badRegex.message).toMatch(/payerDeclineReasons\.\d+\.approvalMessage: not a valid regular expression/);
    const badField = appErrorOf(() => parseRules(new Map([...texts, ['status-map.yaml', status.replace('fields: [street, zip]', 'fields: [street, postcode]')]])));
    expect(badField.message).toMatch(/payerDeclineReasons\.\d+\.fields\.1/);
  });
});

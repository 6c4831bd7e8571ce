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
  statusMapSchema,
  type StatusMap,
} from '../../../gateway/src/domain/status-map';
import { parseRules } from '../../../gateway/src/domain/rules-loader';
import { MAPPINGS_DIR, appErrorOf, shippedRules } from './helpers';

// The response_code table of the PayTrace reference (§5.1), code by code.
const REFERENCE_CODES = [1, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 120, 122, 124, 125, 149, 160, 161, 162, 165, 167, 170];

/** The codes in the reference's §5.1 table when the shared reference is beside the repository. */
function codesFromReference(): number[] | undefined {
  const repo = path.join(__dirname, '..', '..', '..');
  // beside a checkout (../shared) or beside a folder of worktrees (../../shared)
  const candidates = [path.join(repo, '..', 'shared', 'reference', 'paytrace-api.md'), path.join(repo, '..', '..', 'shared', 'reference', 'paytrace-api.md')];
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
  });

  // Only where the shared reference sits beside the repository (not in a CI clone): then the list
  // above must be exactly the reference's table. Without the file jest reports this test as skipped.
  const fromFile = codesFromReference();
  (fromFile ? it : it.skip)('has the same codes as the shared reference file (§5.1)', () => {
    expect([...fromFile!].sort((a, b) => a - b)).toEqual([...REFERENCE_CODES].sort((a, b) => a - b));
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

  it('has no errors and no action on a normal answer', () => {
    for (const [operation, code] of [['sale', 101], ['sale', 102], ['refund', 106], ['void', 109]] as const) {
      const mapped = mapPayTraceAnswer(map, { operation, responseCode: code });
      expect(mapped.errors).toEqual([]);
      expect(mapped.action).toBeUndefined();
      expect(mapped.expectedForOperation).toBe(true);
    }
    expect(mapPayTraceAnswer(map, { operation: 'sale', responseCode: 106 }).expectedForOperation).toBe(false);
    const unknown = mapPayTraceAnswer(map, { operation: 'sale', responseCode: 4242 });
    expect(unknown).toMatchObject({ responseCode: 4242, meaning: 'response code not in the status map', errors: [], expectedForOperation: false, m3: map.ledgerStates.unknown });
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
    expect(err.message).toBe('A payment in state settled cannot move to voided');
    expect(err.details).toEqual({ from: 'settled', to: 'voided' });
  });

  it('lets every move the map allows through, and a repeated state', () => {
    let moves = 0;
    for (const [from, targets] of Object.entries(map.transitions) as Array<[(typeof LEDGER_STATES)[number], Array<(typeof LEDGER_STATES)[number]>]>) {
      expect(() => assertTransition(map, from, from)).not.toThrow();
      for (const to of targets) {
        expect(() => assertTransition(map, from, to)).not.toThrow();
        moves++;
      }
    }
    expect(moves).toBeGreaterThan(5);
    // and a map without an entry for a state allows that state nothing but itself
    const { settled: _settled, ...rest } = map.transitions;
    const partial = { ...map, transitions: rest } as StatusMap;
    expect(canTransition(partial, 'settled', 'refunded')).toBe(false);
    expect(canTransition(partial, 'settled', 'settled')).toBe(true);
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

describe('status map: messages and edges', () => {
  const usd = (s: string) => Money.parse(s, 'USD');
  const messages = (data: unknown) => {
    const result = statusMapSchema.safeParse(data);
    return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  const shipped = () => JSON.parse(JSON.stringify(map)) as Record<string, Record<string, unknown>> & { exportStatus: Array<Record<string, unknown>>; payerDeclineReasons: Array<Record<string, unknown>> };

  it('accepts the shipped map and names each problem of a broken one', () => {
    expect(messages(shipped())).toEqual([]);
    const data = shipped();
    data.exportStatus[0]!.statusCode = '(';
    data.exportStatus[1]!.statusMessage = '[';
    data.payerDeclineReasons[0]!.avs = '(';
    data.payerDeclineReasons[1]!.csc = '[';
    data.payerDeclineReasons[2]!.approvalMessage = '*';
    (data.responseCodes['102'] as Record<string, unknown>).payerMessage = undefined;
    expect(messages(data)).toEqual([
      'exportStatus.0.statusCode: not a valid regular expression: (',
      'exportStatus.1.statusMessage: not a valid regular expression: [',
      'payerDeclineReasons.0.avs: not a valid regular expression: (',
      'payerDeclineReasons.1.csc: not a valid regular expression: [',
      'payerDeclineReasons.2.approvalMessage: not a valid regular expression: *',
      'responseCodes.102.payerMessage: a decline of a sale needs a payerMessage (what the payer reads on the pay page)',
    ]);
    // problems found after the shapes are right are zod "custom" issues, as the rules loader expects
    expect(new Set(statusMapSchema.safeParse(data).error?.issues.map((i) => i.code))).toEqual(new Set(['custom']));
  });

  it('wants the last export rule without conditions, whichever condition it has', () => {
    for (const condition of [{ statusCode: 'x' }, { statusMessage: 'x' }, { settled: false }, { transactionType: 'SALE' }]) {
      const data = shipped();
      Object.assign(data.exportStatus[data.exportStatus.length - 1]!, condition);
      expect(messages(data)).toEqual([`exportStatus.${data.exportStatus.length - 1}: the last export rule must have no conditions (it catches every other record)`]);
      expect(statusMapSchema.safeParse(data).error?.issues.map((i) => i.code)).toEqual(['custom']);
    }
  });

  it('refuses error keys and response codes that are not 1 to 4 digits, and a ledger state without M3 mapping or transitions', () => {
    const keyProblem = (data: unknown) => statusMapSchema.safeParse(data).error?.issues.map((i) => [i.path.join('.'), ...((i as { issues?: Array<{ message: string }> }).issues ?? []).map((n) => n.message)]);
    for (const key of ['12345', 'x1', '1x']) {
      const data = shipped();
      data.errorKeys[key] = data.errorKeys['817']!;
      expect(keyProblem(data)).toEqual([[`errorKeys.${key}`, 'error keys are numbers']]);
      const codes = shipped();
      codes.responseCodes[key] = codes.responseCodes['101']!;
      expect(keyProblem(codes)).toEqual([[`responseCodes.${key}`, 'response codes are numbers']]);
    }
    // zod's record over the ledger states already wants every state
    const data = shipped();
    delete data.ledgerStates.settled;
    delete data.transitions.voided;
    expect(messages(data)).toEqual(['ledgerStates.settled: Invalid input: expected object, received undefined', 'transitions.voided: Invalid input: expected array, received undefined']);
  });

  it('reads a settled date only when it has text, matches export conditions case-insensitively, and falls back to unknown', () => {
    expect(mapExportStatus(map, { status_code: 'Y', settled: '   ' })).toMatchObject({ ledger: 'captured', rule: 'pending-settlement' });
    expect(mapExportStatus(map, { status_code: 'Y', settled: null })).toMatchObject({ ledger: 'captured' });
    expect(mapExportStatus(map, { status_code: 'y' })).toMatchObject({ ledger: 'captured', m3: map.ledgerStates.captured });
    expect(mapExportStatus(map, { status_code: 'N', status_message: 'AUTHORIZATION ONLY' })).toMatchObject({ ledger: 'authorized' });
    expect(mapExportStatus(map, { transaction_type: 'refund', settled: '11/24/2026' })).toMatchObject({ ledger: 'refunded', rule: 'refund-settled' });
    expect(mapExportStatus(map, { transaction_type: 'Sale', status_code: 'Y' })).toMatchObject({ rule: 'pending-settlement' });
    const conditional = { ...map, exportStatus: [{ name: 'only', statusCode: '^Y$', ledger: 'captured' as const }] };
    expect(mapExportStatus(conditional, { status_code: 'N' })).toEqual({ ledger: 'unknown', rule: '(none)', m3: map.ledgerStates.unknown });
    const noUnknown = { ...conditional, ledgerStates: { ...map.ledgerStates, unknown: undefined } } as unknown as StatusMap;
    expect(mapExportStatus(noUnknown, { status_code: 'N' }).m3).toBeNull();
  });

  it('gives the payer the words of an error key, with its fields, before those of the response code', () => {
    const keyed = Object.entries(map.errorKeys).find(([, k]) => k.payerMessage)!;
    const decline = payerDecline(map, { responseCode: 1, errorKeys: ['4242', keyed[0]] });
    expect(decline).toEqual({ reason: `error ${keyed[0]}`, message: keyed[1].payerMessage, fields: keyed[1].payerFields ?? [] });
    expect(payerDecline(map, { errorKeys: ['4242'] })).toEqual({ reason: 'generic', message: GENERIC_PAYER_DECLINE, fields: [] });
    expect(payerDecline(map, {})).toEqual({ reason: 'generic', message: GENERIC_PAYER_DECLINE, fields: [] });
    // a rule for code 103 does not fit another code or a missing one, and trims what it tests
    expect(payerDecline(map, { responseCode: 4242, avsResponse: 'No Match' }).reason).toBe('generic');
    expect(payerDecline(map, { avsResponse: 'No Match' }).reason).toBe('generic');
    expect(payerDecline(map, { responseCode: 103, avsResponse: '  no match  ', cscResponse: 'Match' }).reason).toBe('address-did-not-match');
    const fieldsOf = payerDecline(map, { responseCode: 103, avsResponse: 'No Match', cscResponse: 'No Match' }).fields;
    expect(fieldsOf).toEqual(['street', 'zip', 'card']);
    fieldsOf.push('name');
    expect(payerDecline(map, { responseCode: 103, avsResponse: 'No Match', cscResponse: 'No Match' }).fields).toEqual(['street', 'zip', 'card']);
  });

  it('explains refused refunds with the amounts', () => {
    const over = appErrorOf(() => refundState(usd('100.00'), usd('100.01')));
    expect({ message: over.message, details: over.details, errorClass: over.errorClass }).toEqual({
      message: 'Refunds of 100.01 USD exceed the captured 100.00 USD',
      details: { captured: { amount: '100.00', currency: 'USD' }, refunded: { amount: '100.01', currency: 'USD' } },
      errorClass: 'business',
    });
    const zero = appErrorOf(() => refundableRemainder(usd('100.00'), usd('0'), usd('0')));
    expect({ message: zero.message, details: zero.details, errorClass: zero.errorClass }).toEqual({ message: 'A refund amount must be positive', details: { requested: { amount: '0.00', currency: 'USD' } }, errorClass: 'business' });
    const more = appErrorOf(() => refundableRemainder(usd('100.00'), usd('40.00'), usd('60.01')));
    expect({ message: more.message, details: more.details }).toEqual({
      message: 'Refund of 60.01 USD exceeds the remaining 60.00 USD',
      details: { requested: { amount: '60.01', currency: 'USD' }, remaining: { amount: '60.00', currency: 'USD' } },
    });
  });
});

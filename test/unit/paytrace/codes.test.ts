import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { statusMapSchema } from '../../../gateway/src/domain/status-map';
import { classify, errorKeys, fieldErrorsOf, responseCodes, useStatusMap } from '../../../gateway/src/paytrace/codes';

describe('PayTrace response codes', () => {
  // every code of reference §5.1 with the success flag PayTrace sends and the outcome we must reach
  it.each([
    [101, true, 'approved'],
    [102, false, 'declined'],
    [103, true, 'auto_voided'],
    [103, false, 'auto_voided'],
    [104, true, 'approved'],
    [105, false, 'declined'],
    [106, true, 'approved'],
    [107, false, 'declined'],
    [108, true, 'approved'],
    [109, true, 'approved'],
    [110, false, 'declined'],
    [111, true, 'approved'],
    [112, true, 'approved'],
    [113, false, 'declined'],
    [114, true, 'approved'],
    [120, true, 'approved'],
    [122, true, 'approved'],
    [124, true, 'approved'],
    [125, false, 'declined'],
    [149, true, 'approved'],
    [160, true, 'approved'],
    [161, true, 'approved'],
    [162, true, 'approved'],
    [165, true, 'unrecognized'],
    [167, false, 'unrecognized'],
    [170, true, 'approved'],
    [999, true, 'unrecognized'],
  ])('code %i with success=%s → %s', (code, success, outcome) => {
    expect(classify({ success, response_code: code }).outcome).toBe(outcome);
  });

  it('marks the legacy TEST codes as test mode (no money moved)', () => {
    for (const code of [104, 105, 108, 111, 114]) expect(classify({ success: code !== 105, response_code: code }).testMode).toBe(true);
    expect(classify({ success: true, response_code: 101 }).testMode).toBe(false);
  });

  it('never counts an approving code without success:true as done', () => {
    expect(classify({ success: false, response_code: 101 }).outcome).toBe('unrecognized');
    expect(classify({ response_code: 106 }).outcome).toBe('unrecognized');
  });

  it('103 (approved then auto-voided) is not paid whatever success says', () => {
    expect(responseCodes().get(103)?.outcome).toBe('auto_voided');
  });

  it.each([
    [{ '35': ['Please provide a valid Credit Card Number.'] }, 'validation_error'],
    [{ '43': ['x'], '44': ['y'] }, 'validation_error'],
    [{ '30': ['Customer ID, abc, was not found or is incomplete.'] }, 'not_found'],
    [{ '58': ['Please provide a valid Transaction ID.'] }, 'not_found'],
    [{ '80': ['x'] }, 'not_found'],
    [{ '171': ['Please provide a unique customer ID.'] }, 'duplicate'],
    [{ '817': ['…could not be refunded…'] }, 'state_error'],
    [{ '981': ['Log in failed for insufficient permissions.'] }, 'permission_error'],
    [{ '35': ['x'], '58': ['y'] }, 'not_found'],
    [{ '35': ['x'], '981': ['y'] }, 'permission_error'],
    [{ '12345': ['an error we do not know'] }, 'validation_error'],
  ])('response_code 1 with errors %j → %s', (errors, outcome) => {
    expect(classify({ success: false, response_code: 1, errors }).outcome).toBe(outcome);
  });

  it('maps the errors map to field-level messages, one per message', () => {
    expect(fieldErrorsOf({ '35': ['Please provide a valid Credit Card Number.'], '43': ['Please provide a valid Expiration Month.', 'second'], '777': 'not an array' })).toEqual([
      { code: '35', field: 'credit_card.number', message: 'Please provide a valid Credit Card Number.' },
      { code: '43', field: 'credit_card.expiration_month', message: 'Please provide a valid Expiration Month.' },
      { code: '43', field: 'credit_card.expiration_month', message: 'second' },
      { code: '777', field: 'request', message: 'not an array' },
    ]);
    expect(fieldErrorsOf(undefined)).toEqual([]);
    expect(fieldErrorsOf(['x'])).toEqual([]);
  });

  it('knows a field for every documented error key', () => {
    for (const key of ['30', '35', '43', '44', '45', '46', '58', '80', '171', '817', '981']) expect(errorKeys().get(key)?.field).toBeTruthy();
  });
});

describe('the status map decides how PayTrace answers are read', () => {
  const shipped = () => statusMapSchema.parse(parse(readFileSync(path.resolve(__dirname, '../../../mappings/status-map.yaml'), 'utf8')));
  afterEach(() => useStatusMap(shipped()));

  it('reads an edited response code and error key the new way', () => {
    expect(classify({ success: true, response_code: 170 }).outcome).toBe('approved');
    expect(classify({ success: false, response_code: 1, errors: { '58': ['x'] } }).outcome).toBe('not_found');
    const edited = shipped();
    edited.responseCodes['170'] = { ...edited.responseCodes['170']!, outcome: 'unknown' };
    edited.errorKeys['58'] = { ...edited.errorKeys['58']!, outcome: 'validation_error' };
    useStatusMap(edited);
    expect(classify({ success: true, response_code: 170 }).outcome).toBe('unrecognized');
    expect(classify({ success: false, response_code: 1, errors: { '58': ['x'] } }).outcome).toBe('validation_error');
  });
});

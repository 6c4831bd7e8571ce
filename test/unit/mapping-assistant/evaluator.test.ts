import { loadRules } from '../../../gateway/src/domain/rules-loader';
import { checkSyntax, MappingEvaluator } from '../../../gateway/src/mapping-assistant/jsonata/evaluator';

/** Mapping expressions are admin input: evaluated in a worker with a capped heap and a time limit. */
let evaluator: MappingEvaluator;
beforeAll(async () => {
  const rules = await loadRules('mappings');
  evaluator = new MappingEvaluator(rules.address, { timeoutMs: 200, memoryMb: 48 });
});
afterAll(async () => {
  await evaluator.close();
});

it('evaluates expressions and the mapping functions with the domain rules', async () => {
  const sample = { total: 149.9, yen: '1500', currency: 'USD', at: '2026-03-01T23:30:00-05:00', us: '03/04/2026', lines: ['12 Harbor Rd', 'Unit 4'], state: 'Texas', zip: '752011234', country: 'Canada' };
  const results = await evaluator.evaluate(
    ['$amount(total, currency)', '$amount(yen, "JPY")', '$dateYMD(at)', '$dateYMD(us)', '$dateMDY(at)', '$street(lines, 2)', '$regionCode(state)', '$postalCode(zip)', '$countryCode(country)', 'missing.path'],
    sample,
  );
  expect(results).toEqual([
    { ok: true, value: '149.90' },
    { ok: true, value: '1500' },
    { ok: true, value: '20260301' },
    { ok: true, value: '20260304' },
    { ok: true, value: '03/01/2026' },
    { ok: true, value: 'Unit 4' },
    { ok: true, value: 'TX' },
    { ok: true, value: '75201-1234' },
    { ok: true, value: 'CA' },
    { ok: true, value: undefined },
  ]);
});

it('never rounds money and refuses what is not a date or does not fit the street fields', async () => {
  const [cents, bad, date, street] = await evaluator.evaluate(['$amount("10.005", "USD")', '$amount("1e3")', '$dateYMD("2026-02-30")', '$street(["' + 'word '.repeat(40) + '"], 1)'], {});
  expect(cents).toMatchObject({ ok: false, code: 'MAPPING_AMOUNT_INVALID' });
  expect(bad).toMatchObject({ ok: false, code: 'MAPPING_AMOUNT_INVALID' });
  expect(date).toMatchObject({ ok: false, code: 'MAPPING_DATE_INVALID' });
  expect(street).toMatchObject({ ok: false, code: 'ADDRESS_INVALID', message: expect.stringMatching(/^street: the street text does not fit/) });
});

it('stops a runaway regular expression, deep recursion, huge sequences and memory bombs, and keeps working', async () => {
  const results = await evaluator.evaluate(
    [
      '$match("' + 'a'.repeat(34) + '!", /(a+)+$/)',
      '( $f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100000) )',
      '$count([1..9000000])',
      '( $s := function($x, $n){ $n = 0 ? $x : $s($x & $x, $n - 1) }; $length($s("xxxxxxxxxxxxxxxx", 40)) )',
      'ok',
    ],
    { ok: 'still here' },
  );
  // the runaway regular expression is refused before it runs (nested quantifiers), not timed out
  expect(results[0]).toMatchObject({ ok: false, code: 'FLOW_EXPRESSION_UNSAFE_REGEX' });
  expect(results[1]).toMatchObject({ ok: false, code: 'MAPPING_TOO_DEEP' });
  expect(results[2]).toMatchObject({ ok: false });
  expect(results[3]).toMatchObject({ ok: false });
  expect(['MAPPING_MEMORY_LIMIT', 'MAPPING_TIMEOUT', 'MAPPING_EVALUATION_FAILED', 'D1001', 'D2014', 'FLOW_EXPRESSION_RESULT_TOO_LARGE']).toContain((results[3] as { code: string }).code);
  expect(results[4]).toEqual({ ok: true, value: 'still here' });
  expect(await evaluator.evaluate(['ok'], { ok: 1 })).toEqual([{ ok: true, value: 1 }]);
}, 30_000);

it('refuses invalid syntax, empty and over-long expressions before evaluating anything', async () => {
  expect(checkSyntax('order.(')).toMatchObject({ ok: false, position: 7 });
  expect(checkSyntax('   ')).toMatchObject({ ok: false });
  expect(checkSyntax('a'.repeat(2001))).toMatchObject({ ok: false, message: expect.stringMatching(/longer than 2000/) });
  const [r] = await evaluator.evaluate(['order.('], {});
  expect(r).toMatchObject({ ok: false, code: 'MAPPING_EXPRESSION_INVALID' });
  const [big] = await evaluator.evaluate(['x'], { x: 'y'.repeat(600 * 1024) });
  expect(big).toMatchObject({ ok: false, code: 'MAPPING_SAMPLE_TOO_LARGE' });
});

import { Money } from '../../../gateway/src/domain/money';
import { errorClassOf } from '../../../gateway/src/errors';
import { UnknownOutcomeError } from '../../../gateway/src/paytrace/errors';
import { refunded } from '../../../gateway/src/steps/paytrace/refund';

/**
 * An approved refund is recorded by its transaction id. An approval without one is not a refusal
 * (money moved): it must be an unknown outcome — transient, so the runner keeps the intent
 * `unknown` and the retry begins with the lookup — never a business error, after which a replay
 * would refund again without looking.
 */
describe('the refund step reads an approved answer', () => {
  const amount = Money.parse('40.00', 'USD');

  it('takes the refund\'s own transaction id', () => {
    expect(refunded({ transactionId: 9001, statusMessage: 'Your transaction was successfully refunded.' }, '1234', amount)).toEqual({ kind: 'refund', transactionId: 9001 });
  });

  it('calls an approval without a transaction id an unknown outcome, to be looked up', () => {
    let thrown: unknown;
    try {
      refunded({ statusMessage: 'Your transaction was successfully refunded.' }, '1234', amount);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(UnknownOutcomeError);
    expect(errorClassOf(thrown).errorClass).toBe('transient');
    expect((thrown as UnknownOutcomeError).sent).toMatchObject({ operation: 'refund/for_transaction', amount: '40.00', transactionId: 1234 });
  });
});

import { AppError } from '../../../gateway/src/errors';
import { openPayment, paymentHistory, updatePayment } from '../../../gateway/src/pipeline/ledger';
import { intentsOf, perform, type IntentRow } from '../../../gateway/src/pipeline/intents';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';

/**
 * The side-effect guard, on a real database. The "other system" here is a tiny in-memory
 * ledger of effects that can fail after applying (the unknown-outcome case).
 */
class OtherSystem {
  readonly applied = new Map<string, { id: number }>();
  #next = 1;
  failAfterApply = 0;
  failBeforeApply = 0;
  apply(reference: string): { id: number } {
    if (this.failBeforeApply > 0) {
      this.failBeforeApply--;
      throw new AppError('declined', { code: 'DECLINED', errorClass: 'business' });
    }
    const effect = { id: this.#next++ };
    this.applied.set(reference, effect);
    if (this.failAfterApply > 0) {
      this.failAfterApply--;
      throw new AppError('socket hang up after commit', { code: 'PAYTRACE_TIMEOUT', errorClass: 'transient' });
    }
    return effect;
  }
  find(reference: string) {
    const effect = this.applied.get(reference);
    return effect ? { found: true as const, result: effect } : { found: false as const };
  }
}

describe('intents: record before, record after, look up before retrying', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  async function newPayment(reference: string) {
    return (await openPayment(database.db, { flow: 'invoice_payment', reference, status: 'open', correlationId: 'c' })).payment;
  }

  const effect = (system: OtherSystem, paymentId: string, reference: string) => ({
    key: `${paymentId}:charge`,
    paymentId,
    system: 'paytrace' as const,
    operation: 'sale/pt_protect',
    request: { amount: '10.00', invoice_id: reference },
    execute: async () => system.apply(reference),
    lookup: async () => system.find(reference),
  });

  it('executes once and returns the recorded result on every later call', async () => {
    const system = new OtherSystem();
    const payment = await newPayment('REF-1');
    const first = await perform(database.db, effect(system, payment.id, 'REF-1'));
    const second = await perform(database.db, effect(system, payment.id, 'REF-1'));
    expect(second).toEqual(first);
    expect(system.applied.size).toBe(1);
    const [intent] = await intentsOf(database.db, payment.id);
    expect(intent).toMatchObject<Partial<IntentRow>>({ status: 'succeeded', attempts: 1, resolved_by: 'execute', operation: 'sale/pt_protect' });
  });

  it('after an unknown outcome, finds the effect by lookup instead of repeating it', async () => {
    const system = new OtherSystem();
    system.failAfterApply = 1;
    const payment = await newPayment('REF-2');
    await expect(perform(database.db, effect(system, payment.id, 'REF-2'))).rejects.toMatchObject({ code: 'PAYTRACE_TIMEOUT' });
    expect((await intentsOf(database.db, payment.id))[0]).toMatchObject({ status: 'unknown', error_code: 'PAYTRACE_TIMEOUT' });
    const result = await perform(database.db, effect(system, payment.id, 'REF-2'));
    expect(result).toEqual(system.applied.get('REF-2'));
    expect(system.applied.size).toBe(1); // charged exactly once
    expect((await intentsOf(database.db, payment.id))[0]).toMatchObject({ status: 'succeeded', resolved_by: 'lookup', attempts: 1 });
  });

  it('after a crash between intent and outcome (pending), looks up; executes only when nothing happened', async () => {
    const system = new OtherSystem();
    const payment = await newPayment('REF-3');
    // a gateway died right after writing the intent: the row is pending, the call never went out
    await database.db('intents').insert({ key: `${payment.id}:charge`, payment_id: payment.id, system: 'paytrace', operation: 'sale/pt_protect', status: 'pending', attempts: 1 });
    await perform(database.db, effect(system, payment.id, 'REF-3'));
    expect(system.applied.size).toBe(1);
    expect((await intentsOf(database.db, payment.id))[0]).toMatchObject({ status: 'succeeded', resolved_by: 'execute', attempts: 2 });
  });

  it('records a business failure as failed (nothing applied) and lets a later attempt execute', async () => {
    const system = new OtherSystem();
    system.failBeforeApply = 1;
    const payment = await newPayment('REF-4');
    await expect(perform(database.db, effect(system, payment.id, 'REF-4'))).rejects.toMatchObject({ code: 'DECLINED' });
    expect((await intentsOf(database.db, payment.id))[0]).toMatchObject({ status: 'failed', error_code: 'DECLINED' });
    await perform(database.db, effect(system, payment.id, 'REF-4'));
    expect(system.applied.size).toBe(1);
  });

  it('refuses to repeat an effect of unknown outcome that has no lookup', async () => {
    const system = new OtherSystem();
    system.failAfterApply = 1;
    const payment = await newPayment('REF-5');
    const noLookup = { ...effect(system, payment.id, 'REF-5'), lookup: undefined };
    await expect(perform(database.db, noLookup)).rejects.toMatchObject({ code: 'PAYTRACE_TIMEOUT' });
    await expect(perform(database.db, noLookup)).rejects.toMatchObject({ code: 'INTENT_OUTCOME_UNKNOWN', errorClass: 'configuration' });
    expect(system.applied.size).toBe(1);
  });

  it('keeps one ledger row per reference and a status history', async () => {
    const a = await openPayment(database.db, { flow: 'ecommerce_sale', reference: 'WEB-1001', status: 'received', correlationId: 'c1', fields: { amount: '99.95', currency: 'USD' } });
    const b = await openPayment(database.db, { flow: 'ecommerce_sale', reference: 'WEB-1001', status: 'received', correlationId: 'c2' });
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    expect(b.payment.id).toBe(a.payment.id);
    expect(b.payment.amount).toBe('99.9500'); // numeric comes back as a string, never a float
    await updatePayment(database.db, a.payment.id, { status: 'verified', step: 'verify', fields: { paytrace_transaction_id: '123456' } });
    await updatePayment(database.db, a.payment.id, { status: 'ordered', step: 'order', fields: { orno: '1000000123' } });
    const history = await paymentHistory(database.db, a.payment.id);
    expect(history.map((h) => [h.from_status, h.to_status, h.step])).toEqual([
      [null, 'received', 'open'],
      ['received', 'verified', 'verify'],
      ['verified', 'ordered', 'order'],
    ]);
  });
});

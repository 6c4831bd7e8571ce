import { eventually } from '../../helpers/gateway';
import { card, expectNoStateChange, MASTERCARD, PayTraceHarness } from './paytrace-harness';

type Rec = Record<string, unknown>;

describe('PayTrace simulator: exports, batches, settlement, faults', () => {
  let h: PayTraceHarness;
  beforeEach(async () => {
    // the simulated clock starts 2026-03-10 15:00 UTC; nightly settlement at 02:00 UTC
    h = await PayTraceHarness.start();
  });
  afterEach(async () => {
    await h.close();
  });

  const byRange = (extra: Rec = {}) => h.call<{ transactions: Rec[] } & Rec>('/v1/transactions/export/by_date_range', { start_date: '03/10/2026', end_date: '03/10/2026', ...extra });

  it('exports one transaction by id with the record fields of the reference', async () => {
    const sale = await h.sale('25.50', { invoice_id: 'INV-100', discretionary_data: { 'Customer #': '123' }, billing_address: { name: 'Ann' } });
    const res = await h.call<{ transactions: Rec[] }>('/v1/transactions/export/by_id', { transaction_id: sale.body.transaction_id });
    expect(res.body).toMatchObject({ success: true, response_code: expect.any(Number), status_message: expect.any(String) });
    expect(res.body.transactions).toHaveLength(1);
    expect(res.body.transactions[0]).toMatchObject({
      transaction_id: sale.body.transaction_id,
      transaction_type: 'SALE',
      amount: 25.5,
      status_code: 'Y',
      status_message: 'Pending Settlement',
      approval_code: sale.body.approval_code,
      created: { at: '3/10/2026 3:00:00 PM', by: 'demo123', through: 'API' },
      settled: '',
      invoice_id: 'INV-100',
      credit_card: { masked_number: 'xxxxxxxxxxxx5439', expiration_month: '12', expiration_year: '2030', type: 'VISA' },
      discretionary_data: { 'Customer #': '123' },
    });
    const bin = await h.call<{ transactions: Rec[] }>('/v1/transactions/export/by_id', { transaction_id: sale.body.transaction_id, include_bin: true });
    expect((bin.body.transactions[0]!.credit_card as Rec).masked_number).toBe('401200xxxxxx5439');
  });

  it('tells pending, auth-only, voided, declined and settled apart by status_code and status_message', async () => {
    const pending = await h.sale('1.00');
    const auth = await h.call('/v1/transactions/authorization/keyed', { amount: '2.00', credit_card: card() });
    const voided = await h.sale('3.00');
    await h.call('/v1/transactions/void', { transaction_id: voided.body.transaction_id });
    await h.sale('0.29');
    const settledLater = await h.sale('4.00');
    const statusOf = async (id: unknown) => ((await h.call<{ transactions: Rec[] }>('/v1/transactions/export/by_id', { transaction_id: id })).body.transactions[0] as Rec);
    expect(await statusOf(pending.body.transaction_id)).toMatchObject({ status_code: 'Y', status_message: 'Pending Settlement' });
    expect(await statusOf(auth.body.transaction_id)).toMatchObject({ status_code: 'N', status_message: 'Authorization Only' });
    expect(await statusOf(voided.body.transaction_id)).toMatchObject({ status_code: 'N', status_message: 'Voided' });
    h.sim.settle();
    expect(await statusOf(settledLater.body.transaction_id)).toMatchObject({ status_code: 'GB1001', status_message: 'Settled', batch_number: 1001, settled: '3/10/2026 3:00:00 PM' });
    // the authorization was never captured: it stays out of the batch
    expect(await statusOf(auth.body.transaction_id)).toMatchObject({ status_code: 'N', batch_number: null });
  });

  it('filters a date range by type, customer and free text (our invoice_id)', async () => {
    await h.call('/v1/customer/create', { customer_id: 'cx', credit_card: card(MASTERCARD) });
    await h.sale('1.00', { invoice_id: 'M3-INV-7001' });
    await h.sale('2.00', { invoice_id: 'M3-INV-7002' });
    await h.call('/v1/transactions/sale/by_customer', { customer_id: 'cx', amount: '3.00' });
    await h.sale('0.29', { invoice_id: 'M3-INV-7003' });
    await h.call('/v1/transactions/authorization/keyed', { amount: '5.00', credit_card: card() });
    expect((await byRange()).body.transactions).toHaveLength(5);
    expect((await byRange({ including_text: 'inv-7002' })).body.transactions.map((t) => t.amount)).toEqual([2]);
    expect((await byRange({ customer_id: 'cx' })).body.transactions.map((t) => t.amount)).toEqual([3]);
    expect((await byRange({ transaction_type: 'DECLINED' })).body.transactions.map((t) => t.invoice_id)).toEqual(['M3-INV-7003']);
    expect((await byRange({ transaction_type: 'AUTHORIZATION' })).body.transactions).toHaveLength(1);
    expect((await byRange({ transaction_type: 'SALE' })).body.transactions).toHaveLength(4);
    expect((await byRange({ start_date: '03/11/2026', end_date: '03/12/2026' })).body.transactions).toHaveLength(0);
  });

  it.each([
    [{ start_date: '2026-03-10', end_date: '03/10/2026' }],
    [{ start_date: '03/10/2026' }],
    [{ start_date: '03/11/2026', end_date: '03/10/2026' }],
    [{ start_date: '02/30/2026', end_date: '03/10/2026' }],
  ])('refuses a bad date range %p with 2003', async (body) => {
    const res = await h.call('/v1/transactions/export/by_date_range', body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ response_code: 1, errors: { '2003': [expect.any(String)] } });
  });

  it('settles nightly at the configured time when the simulated clock passes it', async () => {
    const sale = await h.sale('10.00');
    await h.sale('0.29'); // declined: never settles
    h.sim.advanceClock(10 * 3600); // 01:00 next day
    expect((await h.simState()).batches).toHaveLength(0);
    await h.simPost('/_sim/clock/advance', { seconds: 3600 }); // 02:00
    await h.login(); // the 2-hour token expired on the way
    const state = await h.simState();
    expect(state.batches).toEqual([expect.objectContaining({ number: 1001, transactionIds: [sale.body.transaction_id] })]);
    const record = (await h.call<{ transactions: Rec[] }>('/v1/transactions/export/by_id', { transaction_id: sale.body.transaction_id })).body.transactions[0]!;
    expect(record).toMatchObject({ status_code: 'GB1001', settled: '3/11/2026 2:00:00 AM' });
    // after settlement: refund yes, void no
    expect((await h.call('/v1/transactions/refund/for_transaction', { transaction_id: sale.body.transaction_id, amount: '1.00' })).body.response_code).toBe(106);
  });

  it('does not settle nightly when settleAt is null', async () => {
    await h.simPost('/_sim/config', { settleAt: null });
    await h.sale('10.00');
    h.sim.advanceClock(3 * 86400);
    expect((await h.simState()).batches).toHaveLength(0);
  });

  it('summarises batches: the open one, one settled by number, a range, and its transaction list', async () => {
    const s1 = await h.sale('10.00');
    await h.call('/v1/transactions/sale/keyed', { amount: '5.25', credit_card: card(MASTERCARD) });
    const open = await h.call<{ batch: Rec }>('/v1/batches/export_one');
    expect(open.body.batch).toMatchObject({ number: 1001, status: 'Open', transaction_count: 2, sales_amount: 15.25, net_amount: 15.25 });
    await h.call('/v1/transactions/settle');
    await h.call('/v1/transactions/refund/for_transaction', { transaction_id: s1.body.transaction_id, amount: '2.50' });
    h.sim.advanceClock(86400);
    await h.login();
    const one = await h.call<{ batch: Rec }>('/v1/batches/export_one', { batch_number: 1001 });
    expect(one.body.batch).toMatchObject({
      number: 1001,
      status: 'Settled',
      settled: '3/10/2026 3:00:00 PM',
      transaction_count: 2,
      sales_count: 2,
      sales_amount: 15.25,
      refund_count: 0,
      card_types: expect.arrayContaining([expect.objectContaining({ type: 'VISA', sales_amount: 10 }), expect.objectContaining({ type: 'MASTERCARD', sales_amount: 5.25 })]),
    });
    const range = await h.call<{ batches: Rec[] }>('/v1/batches/export', { start_date: '03/10/2026', end_date: '03/11/2026' });
    expect(range.body.batches.map((b) => [b.number, b.net_amount])).toEqual([
      [1001, 15.25],
      [1002, -2.5],
    ]);
    const list = await h.call<{ transactions: Rec[] }>('/v1/batches/transaction_list', { batch_number: 1002 });
    expect(list.body.transactions).toEqual([expect.objectContaining({ transaction_type: 'REFUND', amount: 2.5, original_transaction_id: s1.body.transaction_id })]);
    expect((await h.call('/v1/batches/transaction_list', { batch_number: 4242 })).body).toMatchObject({ errors: { '2005': [expect.any(String)] } });
    expect((await h.call('/v1/batches/export', {})).body).toMatchObject({ errors: { '2003': [expect.any(String)] } });
  });

  describe('faults on money endpoints', () => {
    it('dropAfterCommit: the sale happens, the client gets no answer, and the lookup by invoice_id finds it once', async () => {
      await h.simPost('/_sim/faults', { dropAfterCommit: 1, pathPattern: '^/v1/transactions/sale' });
      await expect(h.sale('42.00', { invoice_id: 'M3-UNKNOWN-1' })).rejects.toThrow();
      const found = await byRange({ including_text: 'M3-UNKNOWN-1' });
      expect(found.body.transactions).toEqual([expect.objectContaining({ amount: 42, status_code: 'Y', invoice_id: 'M3-UNKNOWN-1' })]);
      // the fault was used up: the next call answers normally
      expect((await h.sale('1.00')).body.response_code).toBe(101);
    });

    it('a client that times out during latency does not stop the sale: it lands and the lookup finds it', async () => {
      await h.simPost('/_sim/faults', { latencyMs: 1000, pathPattern: 'sale' });
      const client = new AbortController();
      const call = fetch(`${h.url}/v1/transactions/sale/keyed`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${h.token}` },
        body: JSON.stringify({ amount: '9.99', credit_card: card(), invoice_id: 'M3-SLOW-1' }),
        signal: client.signal,
      });
      // the call log sees the request once its body has arrived; then the client gives up, mid-latency
      await eventually(async () => {
        const log = (await (await fetch(`${h.url}/_sim/calls?path=sale`)).json()) as { calls: unknown[] };
        return log.calls.length > 0;
      }, 5_000, 'the sale to reach the simulator');
      client.abort();
      await expect(call).rejects.toThrow();
      const landed = await eventually(async () => {
        const found = await byRange({ including_text: 'M3-SLOW-1' });
        return found.body.transactions.length > 0 ? found.body.transactions : undefined;
      }, 5_000, 'the slow sale to land');
      expect(landed).toEqual([expect.objectContaining({ amount: 9.99, status_code: 'Y' })]);
    });

    it('an outage answers 503 before anything happens; errorRate fails calls without effect', async () => {
      await h.simPost('/_sim/faults', { outage: true });
      await expectNoStateChange(h, async () => {
        const res = await fetch(`${h.url}/v1/transactions/sale/keyed`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${h.token}` }, body: '{}' });
        expect(res.status).toBe(503);
      });
      await h.simPost('/_sim/faults', { outage: false, errorRate: 1, errorStatus: 502 });
      await expectNoStateChange(h, async () => {
        const res = await fetch(`${h.url}/v1/transactions/refund/keyed`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
        expect(res.status).toBe(502);
      });
    });

    it('latency is configurable from the start options and /_sim/faults', async () => {
      const slow = await PayTraceHarness.start({ latencyMs: 250 });
      try {
        const faults = (await (await fetch(`${slow.url}/_sim/faults`)).json()) as Rec;
        expect(faults.latencyMs).toBe(250);
        expect((await slow.sale('1.00')).body.response_code).toBe(101);
      } finally {
        await slow.close();
      }
    });
  });

  it('/_sim/reset clears transactions, customers and tokens', async () => {
    await h.sale('1.00');
    await h.call('/v1/customer/create', { customer_id: 'z', credit_card: card() });
    await h.simPost('/_sim/reset');
    const state = await h.simState();
    expect(state.transactions).toEqual([]);
    expect(state.customers).toEqual([]);
    expect((await h.call('/v1/customer/export')).status).toBe(401);
  });
});

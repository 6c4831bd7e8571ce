/**
 * The M3 MI client through real HTTP against the M3 simulator: every program it serves, v1/v2
 * shapes, matrix parameters, bulk, NOK as a typed business error, and transient failures
 * (5xx, 429, timeout, connection) with retries for reads only.
 */
import { M3AuthError, M3BusinessError, M3TransientError } from '../../../gateway/src/infor/m3/errors';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isReadTransaction, M3Client } from '../../../gateway/src/infor/m3/m3-client';
import { startInforFixture, type InforFixture } from './infor-fixture';

let fx: InforFixture;
beforeAll(async () => {
  fx = await startInforFixture();
});
afterAll(async () => {
  await fx.sim.close();
});
afterEach(async () => {
  await fx.simPut('/faults', { outage: false, outageMode: 'status', errorRate: 0, errorStatus: 500, latencyMs: 0, pathPattern: '', dropAfterCommit: 0 });
});

async function m3Calls(pattern: string): Promise<number> {
  const { calls } = await fx.simGet<{ calls: unknown[] }>(`/calls?path=${encodeURIComponent(pattern)}`);
  return calls.length;
}

async function nok(promise: Promise<unknown>): Promise<M3BusinessError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(M3BusinessError);
  return err as M3BusinessError;
}

describe('CRS610MI customers', () => {
  test('GetBasicData: trimmed values, returncols', async () => {
    const m3 = fx.m3();
    const full = await m3.execute('CRS610MI', 'GetBasicData', { CUNO: 'C10001' });
    expect(full.records).toHaveLength(1);
    expect(full.records[0]).toMatchObject({ CUNO: 'C10001', CUNM: 'Acme Supply Co', CUCD: 'USD' });
    const some = await m3.execute('CRS610MI', 'GetBasicData', { CUNO: 'C10001' }, { returncols: ['CUNO', 'CUNM'] });
    expect(Object.keys(some.records[0]!).sort()).toEqual(['CUNM', 'CUNO']);
  });

  test('wrong customer → NOK with the code and field M3 uses', async () => {
    const err = await nok(fx.m3().execute('CRS610MI', 'GetBasicData', { CUNO: 'NOPE' }));
    expect(err.code).toBe('M3_NOK');
    expect(err.errorClass).toBe('business');
    expect(err.details).toMatchObject({ m3Code: 'XIM0002', field: 'CUNO', program: 'CRS610MI', transaction: 'GetBasicData' });
    expect(err.message).toMatch(/CRS610MI\/GetBasicData: .*invalid/);
  });

  test('Add, ChgBasicData, GetAddress/GetFinancial/GetOrderInfo, LstByNumber', async () => {
    const m3 = fx.m3();
    const added = await m3.execute('CRS610MI', 'Add', { CUTM: 'TEMPLATE', CUNO: 'C20001', CUNM: 'Test Customer', CUA1: '1 Main St', TOWN: 'Boston', CSCD: 'US', ECAR: 'MA', CUCD: 'USD' });
    expect(added.records[0]?.CUNO ?? 'C20001').toBe('C20001');
    await m3.execute('CRS610MI', 'ChgBasicData', { CUNO: 'C20001', CUNM: 'Test Customer Renamed' });
    expect((await m3.execute('CRS610MI', 'GetBasicData', { CUNO: 'C20001' })).records[0]!.CUNM).toBe('Test Customer Renamed');
    expect((await m3.execute('CRS610MI', 'GetFinancial', { CUNO: 'C10004' })).records[0]!.BLCD).toBe('1');
    expect((await m3.execute('CRS610MI', 'GetOrderInfo', { CUNO: 'C10001' })).records[0]).toHaveProperty('TEPY');
    expect((await m3.execute('CRS610MI', 'GetAddress', { CUNO: 'C10001', ADRT: '1', ADID: 'MAIN' })).records).toHaveLength(1);
    const list = await m3.execute('CRS610MI', 'LstByNumber', {}, { maxrecs: 0 });
    expect(list.records.map((r) => r.CUNO)).toEqual(expect.arrayContaining(['C10001', 'C10002', 'C10003', 'C10004', 'C20001']));
    const two = await m3.execute('CRS610MI', 'LstByNumber', {}, { maxrecs: 2 });
    expect(two.records).toHaveLength(2);
  });

  test('Add of an existing customer is NOK', async () => {
    const err = await nok(fx.m3().execute('CRS610MI', 'Add', { CUTM: 'TEMPLATE', CUNO: 'C10001', CUNM: 'Dup', CUA1: 'x' }));
    expect(err.details).toMatchObject({ field: 'CUNO' });
  });

  test('company scoping: another company → XAU0008 on CONO', async () => {
    const err = await nok(fx.m3().execute('CRS610MI', 'GetBasicData', { CUNO: 'C10001' }, { cono: 999 }));
    expect(err.details).toMatchObject({ m3Code: 'XAU0008', field: 'CONO' });
  });

  test('missing mandatory input and unknown transaction keep M3\'s error type', async () => {
    const missing = await nok(fx.m3().execute('CRS610MI', 'GetBasicData', {}));
    expect(missing.details).toMatchObject({ type: 'MandatoryInputFieldNotFound', field: 'CUNO' });
    const unknown = (await fx.m3().execute('CRS610MI', 'NoSuchThing', {}).catch((e: unknown) => e)) as M3BusinessError;
    expect(unknown.code).toBe('M3_TRANSACTION_NOT_FOUND');
    expect(unknown.errorClass).toBe('configuration');
  });

  test('v1 endpoint: MIRecord/NameValue parsed and trimmed; NOK on HTTP 200 parsed', async () => {
    const m3 = fx.m3();
    const v1 = await m3.execute('CRS610MI', 'GetBasicData', { CUNO: 'C10001' }, { api: 'v1' });
    expect(v1.records[0]!.CUNO).toBe('C10001');
    expect(v1.records[0]!.CUNM).toBe('Acme Supply Co');
    const err = await nok(m3.execute('CRS610MI', 'GetBasicData', { CUNO: 'NOPE' }, { api: 'v1' }));
    expect(err.details).toMatchObject({ m3Code: 'XIM0002', field: 'CUNO', type: 'ServerReturnedNOK' });
  });

  test('v2 NOK answered with HTTP 200 (results[0]) is the same error', async () => {
    await fx.simPut('/m3', { v2ErrorStatus: 200 });
    try {
      const err = await nok(fx.m3().execute('CRS610MI', 'GetBasicData', { CUNO: 'NOPE' }));
      expect(err.details).toMatchObject({ m3Code: 'XIM0002', field: 'CUNO' });
    } finally {
      await fx.simPut('/m3', { v2ErrorStatus: 400 });
    }
  });
});

describe('OIS100MI orders', () => {
  test('batch order: AddBatchHead → AddBatchLine → Confirm → GetHead/LstLine/GetOrderValue/SearchHead', async () => {
    const m3 = fx.m3();
    const head = await m3.execute('OIS100MI', 'AddBatchHead', { CUNO: 'C10002', CUOR: 'WEB-T1', ORTP: 'A01', CUCD: 'USD' });
    const temp = head.records[0]!.ORNO!;
    expect(temp).toBeTruthy();
    await m3.execute('OIS100MI', 'AddBatchLine', { ORNO: temp, ITNO: 'ITM1000', ORQT: '3' });
    await m3.execute('OIS100MI', 'AddBatchLine', { ORNO: temp, ITNO: 'ITM2000', ORQT: '1', SAPR: '149.99' });
    const confirmed = await m3.execute('OIS100MI', 'Confirm', { ORNO: temp });
    const orno = confirmed.records[0]!.ORNO!;
    expect(orno).not.toBe(temp);
    expect((await m3.execute('OIS100MI', 'GetOrderNo', { ORNO: temp })).records[0]).toMatchObject({ ORNR: orno });
    expect((await m3.execute('OIS100MI', 'GetHead', { ORNO: orno })).records[0]).toMatchObject({ ORNO: orno, CUNO: 'C10002', CUOR: 'WEB-T1' });
    expect((await m3.execute('OIS100MI', 'LstLine', { ORNO: orno })).records).toHaveLength(2);
    expect((await m3.execute('OIS100MI', 'GetLine', { ORNO: orno, PONR: '1' })).records[0]).toMatchObject({ ITNO: 'ITM1000' });
    expect((await m3.execute('OIS100MI', 'GetOrderValue', { ORNO: orno })).records[0]).toHaveProperty('CUCD', 'USD');
    expect((await m3.execute('OIS100MI', 'SearchHead', { SQRY: 'CUOR:WEB-T1' })).records.map((r) => r.ORNO)).toContain(orno);
    expect((await m3.execute('OIS100MI', 'LstHead', { CUNO: 'C10002' })).records.map((r) => r.ORNO)).toContain(orno);
  });

  test('unknown item → NOK on ITNO; LstErrMsgOrder and DelBatchHead', async () => {
    const m3 = fx.m3();
    const temp = (await m3.execute('OIS100MI', 'AddBatchHead', { CUNO: 'C10001' })).records[0]!.ORNO!;
    const err = await nok(m3.execute('OIS100MI', 'AddBatchLine', { ORNO: temp, ITNO: 'NOPE', ORQT: '1' }));
    expect(err.details).toMatchObject({ field: 'ITNO', m3Code: 'XIM0002' });
    await m3.execute('OIS100MI', 'LstErrMsgOrder', { ORNO: temp });
    await m3.execute('OIS100MI', 'DelBatchHead', { ORNO: temp });
    await nok(m3.execute('OIS100MI', 'AddBatchLine', { ORNO: temp, ITNO: 'ITM1000', ORQT: '1' }));
  });
});

describe('invoices, receipts, GL', () => {
  test('OIS350MI invoice heads and ARS200MI open amounts', async () => {
    const m3 = fx.m3();
    expect((await m3.execute('OIS350MI', 'GetInvHead', { YEA4: '2026', IVNO: '200002' })).records[0]).toMatchObject({ CUNO: 'C10001', RAFC: expect.stringMatching(/^300\.0+$/) });
    expect((await m3.execute('OIS350MI', 'LstInvHead', { YEA4: '2026' }, { maxrecs: 0 })).records.length).toBeGreaterThanOrEqual(5);
    expect((await m3.execute('OIS350MI', 'LstInvHeadByPay', { YEA4: '2026', PYNO: 'C10001' })).records.map((r) => r.IVNO)).toEqual(expect.arrayContaining(['200001', '200002']));
    expect((await m3.execute('OIS350MI', 'LstInvHeadByCo', { ORNO: '1000000001' })).records.length).toBeGreaterThanOrEqual(0);
    expect((await m3.execute('OIS350MI', 'LstAllInvByCO', { ORNO: '1000000001' })).records.length).toBeGreaterThanOrEqual(0);
    const err = await nok(m3.execute('OIS350MI', 'GetInvHead', { YEA4: '2026', IVNO: '999999' }));
    expect(err.details).toMatchObject({ field: 'IVNO' });
    expect((await m3.execute('ARS200MI', 'GetInvTotInfo', { PYNO: 'C10001', CINO: '200001', INYR: '2026', CUNO: 'C10001' })).records[0]).toMatchObject({ CUCD: 'USD', OCUA: expect.stringMatching(/^1250\.0+$/) });
    expect((await m3.execute('ARS200MI', 'LstInvoices', { CUNO: 'C10001' })).records.length).toBeGreaterThanOrEqual(2);
    expect((await m3.execute('ARS200MI', 'LstInvByDivi', { CUNO: 'C10002' })).records.length).toBeGreaterThanOrEqual(1);
  });

  test('ARS040MI cash receipt applied to an invoice lowers its open amount', async () => {
    const m3 = fx.m3();
    await m3.execute('ARS040MI', 'AddBatchHead', { PBID: '7000001', BOPE: '1', DIVI: 'AAA' });
    await m3.execute('ARS040MI', 'AddBatchLine', { PBID: '7000001', TRNO: '1', CINO: '200005', INYR: '2026', CUNO: 'C10002', PYAM: '25.50', IRNO: 'PT-1001' });
    expect((await m3.execute('ARS040MI', 'LstBatchLine', { PBID: '7000001' })).records[0]).toMatchObject({ CINO: '200005', IRNO: 'PT-1001' });
    const open = (await m3.execute('ARS200MI', 'GetInvTotInfo', { PYNO: 'C10002', CINO: '200005', INYR: '2026', CUNO: 'C10002' })).records[0]!.OCUA!;
    expect(Number(open)).toBe(50);
    const over = await nok(m3.execute('ARS040MI', 'AddBatchLine', { PBID: '7000001', TRNO: '2', CINO: '200005', INYR: '2026', CUNO: 'C10002', PYAM: '999.00' }));
    expect(over.details).toMatchObject({ field: 'PYAM' });
    await m3.execute('ARS040MI', 'ControlBatch', { PBID: '7000001', DIVI: 'AAA' });
    // a controlled batch takes no more lines
    expect((await nok(m3.execute('ARS040MI', 'AddBatchLine', { PBID: '7000001', TRNO: '3', CINO: '200005', INYR: '2026', CUNO: 'C10002', PYAM: '1.00' }))).details).toMatchObject({ field: 'PBID' });
  });

  test('GLS840MI GL batch: head, balanced lines, control, update, read back', async () => {
    const m3 = fx.m3();
    const parm = (account: string, amount: string, text: string) => `AAA${account.padEnd(10)}20261121USD${amount.padStart(17)}${text.padEnd(40)}`;
    await m3.execute('GLS840MI', 'AddBatchHead', { CONO: '100', KEY1: 'PT-GL-1', INTN: 'PAYTRACE', DESC: 'PayTrace settlement' });
    await m3.execute('GLS840MI', 'AddBatchLine', { CONO: '100', KEY1: 'PT-GL-1', LINE: '1', PARM: parm('1930', '100.00', 'card receipts') });
    await m3.execute('GLS840MI', 'AddBatchLine', { CONO: '100', KEY1: 'PT-GL-1', LINE: '2', PARM: parm('1510', '-100.00', 'AR') });
    await m3.execute('GLS840MI', 'CtrlBatch', { CONO: '100', KEY1: 'PT-GL-1' });
    await m3.execute('GLS840MI', 'UpdBatch', { CONO: '100', KEY1: 'PT-GL-1' });
    expect((await m3.execute('GLS840MI', 'LstBatchHead', { CONO: '100', KEY1: 'PT-GL-1' })).records[0]).toMatchObject({ KEY1: 'PT-GL-1' });
    expect((await m3.execute('GLS840MI', 'LstBatchLine', { CONO: '100', KEY1: 'PT-GL-1' })).records).toHaveLength(2);
    const again = await nok(m3.execute('GLS840MI', 'AddBatchHead', { CONO: '100', KEY1: 'PT-GL-1', INTN: 'PAYTRACE', DESC: 'dup' }));
    expect(again.details).toMatchObject({ field: 'KEY1' });
  });

  test('CRS055MI currency and rates', async () => {
    const m3 = fx.m3();
    expect((await m3.execute('CRS055MI', 'GetBasicData', { CUCD: 'EUR' })).records[0]).toHaveProperty('CUCD', 'EUR');
    expect((await m3.execute('CRS055MI', 'LstRatesPerType', { CUCD: 'EUR', CRTP: '1' })).records[0]).toMatchObject({ ARAT: expect.stringMatching(/^1\.085/) });
    expect((await m3.execute('CRS055MI', 'SelExchangeRate', { CRTP: '1', CUTD: '20261121', FCUR: 'CAD' })).records[0]).toMatchObject({ ARAT: expect.stringMatching(/^0\.735/) });
    await m3.execute('CRS055MI', 'AddRate', { CUCD: 'GBP', CRTP: '1', CUTD: '20261120', ARAT: '1.280000' });
    await nok(m3.execute('CRS055MI', 'AddRate', { CUCD: 'USD', CRTP: '1', CUTD: '20261120', ARAT: '1' }));
  });

  test('CRCCINMI card references (never a clear card number)', async () => {
    const m3 = fx.m3();
    const sale = await m3.execute('CRCCINMI', 'AddSale', { CINO: '200004', YEA4: '2026', CCAA: '990.00', CUCD: 'EUR', CANU: 'XXXXXXXXXXXX5439', CTPY: 'VI', NREF: 'PT-777', TRDP: 'PAYTRACE' });
    expect(sale.records[0]).toMatchObject({ NREF: 'PT-777', CCEC: '0' });
    expect((await m3.execute('CRCCINMI', 'GetInquiry', { NREF: 'PT-777' })).records[0]!.MSG2).toBe('XXXXXXXXXXXX5439');
    const clear = await nok(m3.execute('CRCCINMI', 'AddSale', { CINO: '200004', YEA4: '2026', CCAA: '1.00', CANU: '4012000098765439' }));
    expect(clear.details).toMatchObject({ field: 'CANU' });
    await m3.execute('CRCCINMI', 'AddCredit', { CINO: '200004', YEA4: '2026', CCAA: '10.00', CUCD: 'EUR', CANU: 'XXXXXXXXXXXX5439', NREF: 'PT-778', TRDP: 'PAYTRACE' });
    await m3.execute('CRCCINMI', 'AddVoid', { NREF: 'PT-777' });
    await nok(m3.execute('CRCCINMI', 'AddVoid', { NREF: 'PT-777' }));
    await m3.execute('CRCCINMI', 'AddCCRefNo', {
      DIVI: 'AAA', '3RDP': 'PAYTRACE', RORC: '3', ORNO: '1000000001', CCEC: '0', CCAA: '50.00', CANU: 'tok_abc123', CTPY: 'VI', STAT: '10', REFE: 'PT-779', TRTY: '1', CUCD: 'USD', '3RDI': 'PT',
    });
  });

  test('OIS390MI customer return', async () => {
    const m3 = fx.m3();
    const head = await m3.execute('OIS390MI', 'AddHead', { WHLO: 'W01', CUNO: 'C10001', EXIN: '200001', YEA4: '2026' });
    const repn = head.records[0]!.REPN!;
    await m3.execute('OIS390MI', 'AddLine', { WHLO: 'W01', REPN: repn, REQ0: '1', ITNO: 'ITM1000' });
    expect((await m3.execute('OIS390MI', 'GetHead', { WHLO: 'W01', REPN: repn })).records[0]).toMatchObject({ CUNO: 'C10001', EXIN: '200001' });
    expect((await nok(m3.execute('OIS390MI', 'AddHead', { WHLO: 'XXX', CUNO: 'C10001' }))).details).toMatchObject({ field: 'WHLO' });
  });

  test('CUSEXTMI extension records', async () => {
    const m3 = fx.m3();
    await m3.execute('CUSEXTMI', 'AddFieldValue', { FILE: 'OINVOH', PK01: '2026', PK02: '200001', A030: 'lnk_1' });
    expect((await m3.execute('CUSEXTMI', 'GetFieldValue', { FILE: 'OINVOH', PK01: '2026', PK02: '200001' })).records[0]!.A030).toBe('lnk_1');
    await m3.execute('CUSEXTMI', 'ChgFieldValue', { FILE: 'OINVOH', PK01: '2026', PK02: '200001', A030: 'lnk_2' });
    expect((await m3.execute('CUSEXTMI', 'LstFieldValue', { FILE: 'OINVOH' })).records.map((r) => r.A030)).toContain('lnk_2');
    await m3.execute('CUSEXTMI', 'DelFieldValue', { FILE: 'OINVOH', PK01: '2026', PK02: '200001' });
    expect((await nok(m3.execute('CUSEXTMI', 'GetFieldValue', { FILE: 'OINVOH', PK01: '2026', PK02: '200001' }))).details).toMatchObject({ field: 'PK01' });
  });

  test('MRS001MI metadata for the programs served', async () => {
    const m3 = fx.m3();
    expect((await m3.execute('MRS001MI', 'LstPrograms', {}, { maxrecs: 0 })).records.map((r) => r.MINM)).toEqual(expect.arrayContaining(['CRS610MI', 'OIS100MI', 'ARS040MI']));
    expect((await m3.execute('MRS001MI', 'LstTransactions', { MINM: 'CRS610MI' }, { maxrecs: 0 })).records.map((r) => r.TRNM)).toContain('GetBasicData');
    const fields = await m3.execute('MRS001MI', 'LstFields', { MINM: 'CRS610MI', TRNM: 'GetBasicData', TRTP: 'I' });
    expect(fields.records.find((r) => r.FLNM === 'CUNO')).toMatchObject({ MAND: '1' });
  });
});

describe('bulk', () => {
  test('several transactions in one call; a failing one is reported, the others succeed', async () => {
    const result = await fx.m3().bulk('CRS610MI', [
      { transaction: 'GetBasicData', record: { CUNO: 'C10001' }, selectedColumns: ['CUNO', 'CUNM'] },
      { transaction: 'GetBasicData', record: { CUNO: 'NOPE' } },
      { transaction: 'GetBasicData', record: { CUNO: 'C10003' } },
    ]);
    expect(result.successCount).toBe(2);
    expect(result.failedCount).toBe(1);
    expect(result.results[0]!.records[0]).toEqual({ CUNO: 'C10001', CUNM: 'Acme Supply Co' });
    expect(result.results[1]!.error).toBeInstanceOf(M3BusinessError);
    expect(result.results[1]!.error!.details).toMatchObject({ field: 'CUNO', m3Code: 'XIM0002' });
    expect(result.results[2]!.records[0]!.CUCD).toBe('EUR');
  });
});

describe('transient failures', () => {
  test('reads retry a 5xx and then give up with M3_UNAVAILABLE', async () => {
    await fx.simPut('/faults', { errorRate: 1, errorStatus: 503, pathPattern: '/M3/' });
    const before = await m3Calls('GetFinancial');
    const err = (await fx.m3({ readRetries: 2 }).execute('CRS610MI', 'GetFinancial', { CUNO: 'C10001' }).catch((e: unknown) => e)) as M3TransientError;
    expect(err).toBeInstanceOf(M3TransientError);
    expect(err.code).toBe('M3_UNAVAILABLE');
    expect(err.errorClass).toBe('transient');
    expect(await m3Calls('GetFinancial')).toBe(before + 3);
    expect(fx.status.snapshot().m3!.status).toBe('degraded');
  });

  test('a read succeeds when the fault clears between attempts (seeded error rate)', async () => {
    await fx.simPut('/faults', { errorRate: 0.5, errorStatus: 500, pathPattern: '/M3/', seed: 7 });
    const m3 = fx.m3({ readRetries: 6 });
    for (let i = 0; i < 5; i++) expect((await m3.execute('CRS610MI', 'GetBasicData', { CUNO: 'C10002' })).records[0]!.CUNO).toBe('C10002');
  });

  test('writes are never retried: one call, unknown outcome flagged', async () => {
    await fx.simPut('/faults', { errorRate: 1, errorStatus: 500, pathPattern: 'ChgBasicData' });
    const before = await m3Calls('ChgBasicData');
    const err = (await fx.m3().execute('CRS610MI', 'ChgBasicData', { CUNO: 'C10001', CUNM: 'x' }).catch((e: unknown) => e)) as M3TransientError;
    expect(err.code).toBe('M3_UNAVAILABLE');
    expect(err.details).toMatchObject({ unknownOutcome: true, status: 500 });
    expect(await m3Calls('ChgBasicData')).toBe(before + 1);
  });

  test('429 is transient and not an unknown outcome', async () => {
    await fx.simPut('/faults', { errorRate: 1, errorStatus: 429, pathPattern: 'AddBatchHead' });
    const err = (await fx.m3().execute('OIS100MI', 'AddBatchHead', { CUNO: 'C10001' }).catch((e: unknown) => e)) as M3TransientError;
    expect(err.code).toBe('M3_RATE_LIMITED');
    expect(err.details).toMatchObject({ unknownOutcome: false });
  });

  test('timeout: no answer within the per-call timeout', async () => {
    await fx.simPut('/faults', { latencyMs: 1500, pathPattern: '/M3/' });
    const err = (await fx.m3({ readRetries: 0 }).execute('CRS610MI', 'GetBasicData', { CUNO: 'C10001' }, { timeoutMs: 200 }).catch((e: unknown) => e)) as M3TransientError;
    expect(err.code).toBe('M3_TIMEOUT');
    expect(err.errorClass).toBe('transient');
  });

  test('a dropped connection on a write is an unknown outcome (the write took effect)', async () => {
    await fx.simPut('/faults', { dropAfterCommit: 1, pathPattern: 'ChgBasicData' });
    const err = (await fx.m3().execute('CRS610MI', 'ChgBasicData', { CUNO: 'C10002', CUNM: 'Globex Dropped' }).catch((e: unknown) => e)) as M3TransientError;
    expect(err.code).toBe('M3_CONNECTION');
    expect(err.details).toMatchObject({ unknownOutcome: true });
    // look up before retrying: the change is there
    expect((await fx.m3().execute('CRS610MI', 'GetBasicData', { CUNO: 'C10002' })).records[0]!.CUNM).toBe('Globex Dropped');
  });

  test('connection refused is transient and known not to have run', async () => {
    // a port that was just free: nothing listens there
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const m3 = new M3Client({ baseUrl: `http://127.0.0.1:${port}/M3/m3api-rest`, tokens: fx.tokens(), timeoutMs: 2000, readRetries: 0 });
    const err = (await m3.execute('CRS610MI', 'ChgBasicData', { CUNO: 'C10001' }).catch((e: unknown) => e)) as M3TransientError;
    expect(err.code).toBe('M3_CONNECTION');
    expect(err.details).toMatchObject({ unknownOutcome: false });
  });

  test('a token the gateway refuses twice → M3_AUTH_FAILED (configuration)', async () => {
    const broken = { getAccessToken: async () => 'not-a-token', invalidate: () => undefined };
    const m3 = new M3Client({ baseUrl: `${fx.credentials.apiBaseUrl}/M3/m3api-rest`, tokens: broken, timeoutMs: 2000 });
    const err = (await m3.execute('CRS610MI', 'GetBasicData', { CUNO: 'C10001' }).catch((e: unknown) => e)) as M3AuthError;
    expect(err).toBeInstanceOf(M3AuthError);
    expect(err.code).toBe('M3_AUTH_FAILED');
  });
});

test('read/write classification', () => {
  for (const t of ['GetBasicData', 'LstByNumber', 'SearchHead', 'SelExchangeRate']) expect(isReadTransaction(t)).toBe(true);
  for (const t of ['Add', 'AddBatchLine', 'Confirm', 'ChgFinancial', 'UpdBatch', 'DelBatchHead', 'CtrlBatch']) expect(isReadTransaction(t)).toBe(false);
});

import { startInforTestClient, type InforTestClient } from './infor-client';

/** the stateful M3 programs: what each transaction changes and how each bad input is refused */

let c: InforTestClient;
beforeAll(async () => {
  c = await startInforTestClient();
});
afterAll(async () => {
  await c.sim.close();
});
beforeEach(async () => {
  await c.sim_('POST', '/reset');
});

/** v1 NOK as {code, field, message} (message trimmed), or undefined when the call succeeded */
async function nok(path: string, query: Record<string, string>): Promise<{ code: unknown; field: unknown; message: string; type: unknown } | undefined> {
  const { body } = await c.v1(path, query);
  if (body['@type'] === undefined) return undefined;
  return { code: body['@code'], field: body['@field'], message: String(body.Message).trimEnd(), type: body['@type'] };
}

async function counts(query: Record<string, string>): Promise<Record<string, number | null>> {
  return (await c.sim_('GET', `/m3/counts?${new URLSearchParams(query).toString()}`)).body as Record<string, number | null>;
}

describe('CRS610MI', () => {
  it('Add numbers a new customer from a template, GetBasicData/GetAddress/GetOrderInfo read it back', async () => {
    const added = await c.v1Record('CRS610MI/Add', { CUTM: 'C10001', CUNM: 'Wayne Enterprises', CUA1: '1007 Mountain Drive', TOWN: 'Gotham', CSCD: 'US', ECAR: 'NJ', PONO: '07001', MAIL: 'ap@wayne.example' });
    expect(added.CUNO).toBe('C10005');
    const basic = await c.v1Record('CRS610MI/GetBasicData', { CUNO: 'C10005' });
    expect(basic).toMatchObject({ CUNM: 'Wayne Enterprises', TOWN: 'Gotham', CUCD: 'USD', STAT: '20' });
    const address = await c.v1Record('CRS610MI/GetAddress', { CUNO: 'C10005', ADRT: '1', ADID: 'MAIN' });
    expect(address).toMatchObject({ CUA1: '1007 Mountain Drive', PONO: '07001', ADID: 'MAIN' });
    const info = await c.v1Record('CRS610MI/GetOrderInfo', { CUNO: 'C10005' });
    expect(info).toMatchObject({ PYNO: 'C10005', TEPY: 'N30' });
  });

  it('Add refuses a duplicate number, a missing name and an unknown template', async () => {
    expect(await nok('CRS610MI/Add', { CUNO: 'C10001', CUTM: 'C10001', CUNM: 'X', CUA1: 'Y' })).toMatchObject({ code: 'XRE0103', field: 'CUNO' });
    expect(await nok('CRS610MI/Add', { CUTM: 'C10001', CUA1: 'Y' })).toMatchObject({ type: 'MandatoryInputFieldNotFound', field: 'CUNM' });
    expect(await nok('CRS610MI/Add', { CUTM: 'NOPE', CUNM: 'X', CUA1: 'Y' })).toMatchObject({ code: 'XIM0002', field: 'CUTM' });
    expect(await nok('CRS610MI/Add', { CUTM: 'C10001', CUNM: 'X'.repeat(37), CUA1: 'Y' })).toMatchObject({ type: 'InputFieldTooLong', field: 'CUNM' });
  });

  it('ChgBasicData and ChgFinancial change the customer; GetFinancial shows PYCD and the outstanding invoice amount', async () => {
    expect(await nok('CRS610MI/ChgBasicData', { CUNO: 'C10002', CUNM: 'Globex Retail Inc', PHNO: '+1 512 555 0199' })).toBeUndefined();
    expect(await nok('CRS610MI/ChgFinancial', { CUNO: 'C10002', PYCD: 'PT' })).toBeUndefined();
    expect(await c.v1Record('CRS610MI/GetBasicData', { CUNO: 'C10002' })).toMatchObject({ CUNM: 'Globex Retail Inc', PHNO: '+1 512 555 0199' });
    const fin = await c.v1Record('CRS610MI/GetFinancial', { CUNO: 'C10002' });
    expect(fin).toMatchObject({ PYCD: 'PT', TOIN: '75.50', CUCD: 'USD' });
    expect(await nok('CRS610MI/ChgFinancial', { CUNO: 'C99999', PYCD: 'PT' })).toMatchObject({ code: 'XIM0002', field: 'CUNO' });
    expect(await nok('CRS610MI/ChgFinancial', { CUNO: 'C10002', BLCD: '7' })).toMatchObject({ field: 'BLCD' });
  });

  it('LstByNumber lists from a customer number on, in order', async () => {
    const rows = await c.v2Records('CRS610MI/LstByNumber;maxrecs=0;returncols=CUNO,CUCD', { CUNO: 'C10002' });
    expect(rows).toEqual([
      { CUNO: 'C10002', CUCD: 'USD' },
      { CUNO: 'C10003', CUCD: 'EUR' },
      { CUNO: 'C10004', CUCD: 'CAD' },
    ]);
  });
});

describe('OIS100MI batch order entry', () => {
  it('AddBatchHead → AddBatchLine → Confirm gives the final ORNO; the order reads back by ORNO and by CUOR', async () => {
    const head = await c.v1Record('OIS100MI/AddBatchHead', { CUNO: 'C10001', CUOR: 'WEB-9001', ORTP: 'A01', PYCD: 'CC', NREF: 'PT-778899', TRDP: 'PAYTRACE' });
    const temp = head.ORNO;
    expect(temp).toMatch(/^B\d{9}$/);
    expect(await c.v1Record('OIS100MI/AddBatchLine', { ORNO: temp, ITNO: 'ITM2000', ORQT: '2' })).toMatchObject({ PONR: '1', POSX: '0' });
    expect(await c.v1Record('OIS100MI/AddBatchLine', { ORNO: temp, ITNO: 'ITM1000', ORQT: '3', SAPR: '20.00' })).toMatchObject({ PONR: '2' });
    const confirmed = await c.v1Record('OIS100MI/Confirm', { ORNO: temp });
    expect(confirmed).toEqual({ ORNO: '1000000003', STAT: '22' });
    expect(await c.v1Record('OIS100MI/GetOrderNo', { ORNO: temp })).toEqual({ ORNR: '1000000003' });
    expect(await c.v1Record('OIS100MI/GetHead', { ORNO: '1000000003' })).toMatchObject({ CUNO: 'C10001', CUOR: 'WEB-9001', CUCD: 'USD', PYCD: 'CC', ORSL: '22' });
    expect(await c.v1Record('OIS100MI/GetOrderValue', { ORNO: '1000000003' })).toMatchObject({ NTAM: '359.98', TOPY: '359.98', ITOP: '0.00', CUCD: 'USD' });
    expect(await c.v2Records('OIS100MI/LstLine;returncols=PONR,ITNO,ORQT,SAPR,NLAM', { ORNO: '1000000003' })).toEqual([
      { PONR: '1', ITNO: 'ITM2000', ORQT: '2', SAPR: '149.99', NLAM: '299.98' },
      { PONR: '2', ITNO: 'ITM1000', ORQT: '3', SAPR: '20.00', NLAM: '60.00' },
    ]);
    expect(await c.v1Record('OIS100MI/GetLine', { ORNO: '1000000003', PONR: '2' })).toMatchObject({ ITNO: 'ITM1000', NLAM: '60.00' });
    expect(await c.v2Records('OIS100MI/SearchHead;returncols=ORNO,CUNO', { SQRY: 'CUOR:WEB-9001' })).toEqual([{ ORNO: '1000000003', CUNO: 'C10001' }]);
    expect(await c.v2Records('OIS100MI/LstHead;returncols=ORNO,CUOR', { CUNO: 'C10001' })).toEqual([
      { ORNO: '1000000001', CUOR: 'WEB-5001' },
      { ORNO: '1000000003', CUOR: 'WEB-9001' },
    ]);
    expect(await counts({ cuor: 'WEB-9001' })).toMatchObject({ ordersWithCuor: 1, batchOrdersWithCuor: 1 });
    // confirming again is harmless and answers the same order
    expect(await c.v1Record('OIS100MI/Confirm', { ORNO: temp })).toEqual({ ORNO: '1000000003', STAT: '22' });
    expect(await counts({ cuor: 'WEB-9001' })).toMatchObject({ ordersWithCuor: 1 });
  });

  it('refuses a wrong customer, a stopped customer, an unknown item, a bad quantity and price', async () => {
    expect(await nok('OIS100MI/AddBatchHead', { CUNO: 'C77777' })).toEqual({ type: 'ServerReturnedNOK', code: 'XIM0002', field: 'CUNO', message: 'Customer number is invalid' });
    expect(await nok('OIS100MI/AddBatchHead', { CUNO: 'C10004' })).toMatchObject({ code: 'XBL0001', field: 'CUNO' });
    const temp = (await c.v1Record('OIS100MI/AddBatchHead', { CUNO: 'C10002' })).ORNO;
    expect(await nok('OIS100MI/AddBatchLine', { ORNO: temp, ITNO: 'NOPE' })).toMatchObject({ code: 'XIM0002', field: 'ITNO' });
    expect(await nok('OIS100MI/AddBatchLine', { ORNO: temp, ITNO: 'ITM1000', ORQT: '0' })).toMatchObject({ field: 'ORQT' });
    expect(await nok('OIS100MI/AddBatchLine', { ORNO: temp, ITNO: 'ITM1000', SAPR: '1.999' })).toMatchObject({ code: 'XAM0001', field: 'SAPR' });
    expect(await nok('OIS100MI/AddBatchLine', { ORNO: 'B999999999', ITNO: 'ITM1000' })).toMatchObject({ field: 'ORNO' });
  });

  it('Confirm without lines is NOK and LstErrMsgOrder tells why; DelBatchHead removes the batch order', async () => {
    const temp = (await c.v1Record('OIS100MI/AddBatchHead', { CUNO: 'C10002', CUOR: 'WEB-EMPTY' })).ORNO;
    expect(await nok('OIS100MI/Confirm', { ORNO: temp })).toMatchObject({ code: 'OI10001' });
    expect(await c.v2Records('OIS100MI/LstErrMsgOrder', { ORNO: temp })).toEqual([{ MSID: 'OI10001', MDTA: 'Order has no lines', TX60: 'Order has no lines', LEVL: '90' }]);
    expect(await nok('OIS100MI/DelBatchHead', { ORNO: temp })).toBeUndefined();
    expect(await nok('OIS100MI/GetOrderNo', { ORNO: temp })).toMatchObject({ field: 'ORNO' });
  });
});

describe('invoices: OIS350MI and ARS200MI', () => {
  it('OIS350MI GetInvHead gives RAFC for open, partly paid and paid invoices', async () => {
    const raf = async (ivno: string) => (await c.v1Record('OIS350MI/GetInvHead', { YEA4: '2026', IVNO: ivno })).RAFC;
    expect([await raf('200001'), await raf('200002'), await raf('200003')]).toEqual(['1250.00', '300.00', '0.00']);
    expect(await nok('OIS350MI/GetInvHead', { YEA4: '2026', IVNO: '999999' })).toMatchObject({ code: 'XIM0002', field: 'IVNO', message: 'Invoice number is invalid' });
    expect(await nok('OIS350MI/GetInvHead', { YEA4: '2026', IVNO: '12x' })).toMatchObject({ code: 'XNU0001', field: 'IVNO' });
  });

  it('OIS350MI lists by year, by payer (only open) and by customer order', async () => {
    expect((await c.v2Records('OIS350MI/LstInvHead;maxrecs=0', { YEA4: '2026' })).map((r) => r.EXIN)).toEqual(['200001', '200002', '200003', '200004', '200005']);
    expect((await c.v2Records('OIS350MI/LstInvHeadByPay;returncols=EXIN,RAFC', { YEA4: '2026', PYNO: 'C10002', OOIN: '1' }))).toEqual([{ EXIN: '200005', RAFC: '75.50' }]);
    expect((await c.v2Records('OIS350MI/LstInvHeadByCo;returncols=IVNO,RAFC', { ORNO: '1000000001' }))).toEqual([{ IVNO: '200001', RAFC: '1250.00' }]);
    expect((await c.v2Records('OIS350MI/LstAllInvByCO;returncols=IVNO,IVAV,RAFC', { ORNO: '1000000002' }))).toEqual([{ IVNO: '200003', IVAV: '432.10', RAFC: '0.00' }]);
    expect(await nok('OIS350MI/LstInvHeadByPay', { YEA4: '2026', PYNO: 'NOPE' })).toMatchObject({ field: 'PYNO' });
  });

  it('ARS200MI lists AR invoices (AAC0=1 only open, RECO 9 = paid) and GetInvTotInfo gives PCUA/OCUA/OAMT', async () => {
    expect(await c.v2Records('ARS200MI/LstInvoices;returncols=CINO,RECO', { CUNO: 'C10002' })).toEqual([
      { CINO: '200003', RECO: '9' },
      { CINO: '200005', RECO: '0' },
    ]);
    expect(await c.v2Records('ARS200MI/LstInvoices;returncols=CINO', { CUNO: 'C10002', AAC0: '1' })).toEqual([{ CINO: '200005' }]);
    expect((await c.v2Records('ARS200MI/LstInvByDivi;maxrecs=0;returncols=CINO,CUAM', { FDIV: 'AAA', TDIV: 'AAA', AAC0: '1' })).map((r) => r.CINO)).toEqual(['200001', '200002', '200004', '200005']);
    const partly = await c.v1Record('ARS200MI/GetInvTotInfo', { PYNO: 'C10001', CINO: '200002', INYR: '2026', CUNO: 'C10001' });
    expect(partly).toMatchObject({ CUAM: '800.00', PCUA: '500.00', OCUA: '300.00', OAMT: '300.00', CUCD: 'USD', LOCD: 'USD' });
    const euro = await c.v1Record('ARS200MI/GetInvTotInfo', { PYNO: 'C10003', CINO: '200004', INYR: '2026', CUNO: 'C10003' });
    expect(euro).toMatchObject({ CUCD: 'EUR', OCUA: '990.00', OAMT: '1074.15', ARAT: '1.085000', LOCD: 'USD' });
    expect(await nok('ARS200MI/GetInvTotInfo', { PYNO: 'C10001', CINO: '200004', INYR: '2026', CUNO: 'C10001' })).toMatchObject({ field: 'CINO' });
  });
});

describe('ARS040MI cash receipts', () => {
  const line = (over: Record<string, string> = {}) => ({ PBID: '7001', TRNO: '1', CINO: '200002', INYR: '2026', CUNO: 'C10001', PYAM: '100.00', IRNO: 'PT-1001', ...over });

  it('a payment line lowers the open amount and changes the status; read back by IRNO; ControlBatch closes the batch', async () => {
    expect(await c.v1Record('ARS040MI/AddBatchHead', { PBID: '7001', BOPE: 'CC' })).toEqual({ PBID: '7001' });
    expect(await nok('ARS040MI/AddBatchLine', line())).toBeUndefined();
    expect((await c.v1Record('OIS350MI/GetInvHead', { YEA4: '2026', IVNO: '200002' })).RAFC).toBe('200.00');
    expect(await nok('ARS040MI/AddBatchLine', line({ TRNO: '2', PYAM: '200.00', IRNO: 'PT-1002' }))).toBeUndefined();
    const paid = await c.v1Record('ARS200MI/GetInvTotInfo', { PYNO: 'C10001', CINO: '200002', INYR: '2026', CUNO: 'C10001' });
    expect(paid).toMatchObject({ OCUA: '0.00', PCUA: '800.00', RECO: '9' });
    expect(await c.v2Records('ARS040MI/LstBatchLine;returncols=PBID,TRNO,CINO,PYAM,IRNO', { IRNO: 'PT-1002' })).toEqual([
      { PBID: '7001', TRNO: '2', CINO: '200002', PYAM: '200.00', IRNO: 'PT-1002' },
    ]);
    expect(await counts({ cino: '200002', irno: 'PT-1001' })).toMatchObject({ receiptsForInvoice: 2, receiptsWithIrno: 1 });
    expect(await nok('ARS040MI/ControlBatch', { PBID: '7001' })).toBeUndefined();
    expect(await nok('ARS040MI/AddBatchLine', line({ TRNO: '3', CINO: '200001' }))).toMatchObject({ code: 'XST0001', field: 'PBID' });
  });

  it('never takes more than the open amount unless the line says overpayment (CKST=OVP)', async () => {
    await c.v1('ARS040MI/AddBatchHead', { PBID: '7001', BOPE: 'CC' });
    expect(await nok('ARS040MI/AddBatchLine', line({ PYAM: '300.01' }))).toEqual({
      type: 'ServerReturnedNOK', code: 'XPY0001', field: 'PYAM', message: 'Payment amount exceeds the open amount 300.00',
    });
    expect((await c.v1Record('OIS350MI/GetInvHead', { YEA4: '2026', IVNO: '200002' })).RAFC).toBe('300.00');
    expect(await nok('ARS040MI/AddBatchLine', line({ PYAM: '310.00', CKST: 'OVP' }))).toBeUndefined();
    expect((await c.v1Record('OIS350MI/GetInvHead', { YEA4: '2026', IVNO: '200002' })).RAFC).toBe('0.00');
    const state = (await c.sim_('GET', '/state')).body as { m3: { receipts: { overpaymentCents: number }[] } };
    expect(state.m3.receipts[0].overpaymentCents).toBe(1000);
  });

  it.each([
    ['unknown invoice', { CINO: '999999' }, 'XIM0002', 'CINO'],
    ['invoice of another customer', { CINO: '200005' }, 'XIM0002', 'CINO'],
    ['wrong customer', { CUNO: 'C99999' }, 'XIM0002', 'CUNO'],
    ['bad amount format', { PYAM: '12.345' }, 'XAM0001', 'PYAM'],
    ['amount not a number', { PYAM: 'ten' }, 'XNU0001', 'PYAM'],
    ['zero amount', { PYAM: '0.00' }, 'XAM0002', 'PYAM'],
    ['other currency', { CUCD: 'EUR' }, 'XCU0001', 'CUCD'],
    ['unknown batch', { PBID: '8888' }, 'XIM0002', 'PBID'],
    ['wrong company', { CONO: '200' }, 'XAU0008', 'CONO'],
  ])('%s is NOK %s on %s and changes nothing', async (_name, over, code, field) => {
    await c.v1('ARS040MI/AddBatchHead', { PBID: '7001', BOPE: 'CC' });
    expect(await nok('ARS040MI/AddBatchLine', line(over as Record<string, string>))).toMatchObject({ code, field });
    expect(await counts({ cino: '200002' })).toMatchObject({ receiptsForInvoice: 0 });
  });

  it('refuses a duplicate batch and a duplicate transaction number', async () => {
    await c.v1('ARS040MI/AddBatchHead', { PBID: '7001', BOPE: 'CC' });
    expect(await nok('ARS040MI/AddBatchHead', { PBID: '7001', BOPE: 'CC' })).toMatchObject({ code: 'XRE0103', field: 'PBID' });
    await c.v1('ARS040MI/AddBatchLine', line());
    expect(await nok('ARS040MI/AddBatchLine', line({ PYAM: '1.00' }))).toMatchObject({ code: 'XRE0103', field: 'TRNO' });
  });
});

describe('GLS840MI GL batches', () => {
  const parm = (account: string, amount: string, text: string) => `AAA${account.padEnd(10)}20260120USD${amount.padStart(17)}${text.padEnd(40)}`;

  it('AddBatchHead with a unique KEY1, lines, CtrlBatch (debit = credit), UpdBatch posts; read back with LstBatchHead/LstBatchLine', async () => {
    expect(await nok('GLS840MI/AddBatchHead', { CONO: '100', KEY1: 'PT-GL-0001', INTN: 'PAYTRACE', DESC: 'PayTrace settlement' })).toBeUndefined();
    expect(await nok('GLS840MI/AddBatchHead', { CONO: '100', KEY1: 'PT-GL-0001', INTN: 'PAYTRACE', DESC: 'again' })).toMatchObject({ code: 'XRE0103', field: 'KEY1' });
    await c.v1('GLS840MI/AddBatchLine', { CONO: '100', KEY1: 'PT-GL-0001', LINE: '1', PARM: parm('1930', '100.00', 'card receipts') });
    await c.v1('GLS840MI/AddBatchLine', { CONO: '100', KEY1: 'PT-GL-0001', LINE: '2', PARM: parm('1510', '-97.10', 'AR') });
    expect(await nok('GLS840MI/CtrlBatch', { CONO: '100', KEY1: 'PT-GL-0001' })).toEqual({
      type: 'ServerReturnedNOK', code: 'XGL0001', field: 'KEY1', message: 'Batch is not balanced: debit 100.00, credit 97.10',
    });
    await c.v1('GLS840MI/AddBatchLine', { CONO: '100', KEY1: 'PT-GL-0001', LINE: '3', PARM: parm('6570', '-2.90', 'card fees') });
    expect(await nok('GLS840MI/CtrlBatch', { CONO: '100', KEY1: 'PT-GL-0001' })).toBeUndefined();
    expect(await nok('GLS840MI/UpdBatch', { CONO: '100', KEY1: 'PT-GL-0001' })).toBeUndefined();
    const [head] = await c.v2Records('GLS840MI/LstBatchHead', { CONO: '100', KEY1: 'PT-GL-0001' });
    expect(head).toMatchObject({ STAT: '90', NLIN: '3', DSUM: '100.00', CSUM: '100.00' });
    expect(Number(head.VONO)).toBeGreaterThan(0);
    expect((await c.v2Records('GLS840MI/LstBatchLine', { CONO: '100', KEY1: 'PT-GL-0001' })).map((l) => l.LINE)).toEqual(['1', '2', '3']);
    expect(await nok('GLS840MI/UpdBatch', { CONO: '100', KEY1: 'PT-GL-0001' })).toMatchObject({ code: 'XST0001' });
    expect(await counts({ key1: 'PT-GL-0001' })).toMatchObject({ glBatchesWithKey1: 1 });
  });

  it('takes only the GLS850 interfaces of the tenant\'s setup; DelBatch removes a batch not yet updated; a program without MI authority answers 403', async () => {
    expect(await nok('GLS840MI/AddBatchHead', { CONO: '100', KEY1: 'PT-GL-0003', INTN: 'NOSUCH', DESC: 'x' })).toMatchObject({ field: 'INTN' });
    expect(await nok('GLS840MI/AddBatchHead', { CONO: '100', KEY1: 'PT-GL-0003', INTN: 'PAYTRACE', DESC: 'probe' })).toBeUndefined();
    expect(await nok('GLS840MI/DelBatch', { CONO: '100', KEY1: 'PT-GL-0003' })).toBeUndefined();
    expect(await counts({ key1: 'PT-GL-0003' })).toMatchObject({ glBatchesWithKey1: 0 });
    await c.v1('GLS840MI/AddBatchHead', { CONO: '100', KEY1: 'PT-GL-0004', INTN: 'PAYTRACE', DESC: 'posted' });
    await c.v1('GLS840MI/AddBatchLine', { CONO: '100', KEY1: 'PT-GL-0004', LINE: '1', PARM: parm('1930', '5.00', 'a') });
    await c.v1('GLS840MI/AddBatchLine', { CONO: '100', KEY1: 'PT-GL-0004', LINE: '2', PARM: parm('1510', '-5.00', 'b') });
    expect(await nok('GLS840MI/UpdBatch', { CONO: '100', KEY1: 'PT-GL-0004' })).toBeUndefined();
    expect(await nok('GLS840MI/DelBatch', { CONO: '100', KEY1: 'PT-GL-0004' })).toMatchObject({ code: 'XST0001' }); // updated: stays
    expect((await c.sim_('PUT', '/m3/setup', { deniedPrograms: ['gls840mi'], glInterfaces: ['PAYTRACE', 'OTHER'] })).body).toEqual({ deniedPrograms: ['GLS840MI'], glInterfaces: ['PAYTRACE', 'OTHER'], customerTemplates: ['TEMPLATE'] });
    try {
      expect((await c.v2('GLS840MI/LstBatchHead', { CONO: '100' })).status).toBe(403);
      expect((await c.v1('CRS055MI/GetBasicData', { CUCD: 'EUR' })).status).toBe(200);
    } finally {
      await c.sim_('PUT', '/m3/setup', { deniedPrograms: [], glInterfaces: ['PAYTRACE'] });
    }
    expect((await c.sim_('PUT', '/m3/setup', { deniedPrograms: 'GLS840MI' })).status).toBe(400);
    expect(await c.v1Record('MNS150MI/GetUserData')).toMatchObject({ USID: 'M3SRVADM', CONO: '100', DIVI: 'AAA' });
    expect(await c.v1Record('CRS610MI/GetBasicData', { CUNO: 'TEMPLATE' })).toMatchObject({ CUNO: 'TEMPLATE', STAT: '90' });
  });

  it('a malformed PARM record is NOK at control time naming the line', async () => {
    await c.v1('GLS840MI/AddBatchHead', { CONO: '100', KEY1: 'PT-GL-0002', INTN: 'PAYTRACE', DESC: 'bad' });
    await c.v1('GLS840MI/AddBatchLine', { CONO: '100', KEY1: 'PT-GL-0002', LINE: '1', PARM: parm('1930', '1O0.00', 'typo') });
    expect(await nok('GLS840MI/CtrlBatch', { CONO: '100', KEY1: 'PT-GL-0002' })).toMatchObject({ code: 'XGL0002', field: 'PARM', message: expect.stringMatching(/^Line 1: amount/) });
    expect(await nok('GLS840MI/CtrlBatch', { CONO: '100', KEY1: 'NOPE' })).toMatchObject({ field: 'KEY1' });
  });
});

describe('CRS055MI currency', () => {
  it('lists rates per type with the local currency, selects the rate valid on a date, adds rates', async () => {
    expect(await c.v1Record('CRS055MI/GetBasicData', { CUCD: 'EUR' })).toMatchObject({ CUCD: 'EUR', DCCD: '2' });
    expect(await c.v2Records('CRS055MI/LstRatesPerType;returncols=CUCD,CUTD,ARAT,LOCD', { CUCD: 'GBP', CRTP: '1' })).toEqual([
      { CUCD: 'GBP', CUTD: '20260101', ARAT: '1.270000', LOCD: 'USD' },
    ]);
    expect(await c.v1Record('CRS055MI/AddRate', { CUCD: 'EUR', CRTP: '1', CUTD: '20260201', ARAT: '1.0912' })).toMatchObject({ FCUR: 'EUR', TCUR: 'USD', ARAT: '1.091200' });
    expect(await nok('CRS055MI/AddRate', { CUCD: 'EUR', CRTP: '1', CUTD: '20260201', ARAT: '1.1' })).toMatchObject({ code: 'XRE0103' });
    expect(await nok('CRS055MI/AddRate', { CUCD: 'EUR', CRTP: '1', CUTD: '20260202', ARAT: 'abc' })).toMatchObject({ code: 'XNU0001', field: 'ARAT' });
    expect(await nok('CRS055MI/AddRate', { CUCD: 'USD', CRTP: '1', CUTD: '20260202', ARAT: '1' })).toMatchObject({ field: 'CUCD' });
    const onDate = async (cutd: string) => (await c.v2Records('CRS055MI/SelExchangeRate;returncols=CUCD,ARAT', { CRTP: '1', CUTD: cutd, FCUR: 'EUR' }))[0];
    expect(await onDate('20260115')).toEqual({ CUCD: 'EUR', ARAT: '1.085000' });
    expect(await onDate('20260215')).toEqual({ CUCD: 'EUR', ARAT: '1.091200' });
    expect(await nok('CRS055MI/GetBasicData', { CUCD: 'XXX' })).toMatchObject({ code: 'XIM0002', field: 'CUCD' });
  });
});

describe('CRCCINMI card references', () => {
  it('stores a token reference against an order and refuses a clear card number', async () => {
    const base = { DIVI: 'AAA', '3RDP': 'PAYTRACE', RORC: '3', ORNO: '1000000001', CCEC: '0', CCAA: '1250.00', CTPY: 'VISA', STAT: '20', REFE: 'PT-55501', TRTY: '1', CUCD: 'USD', '3RDI': 'CUST-88' };
    const ok = await c.v1Record('CRCCINMI/AddCCRefNo', { ...base, CANU: '************1111' });
    expect(ok.REFN).toMatch(/^R\d{8}$/);
    expect(await nok('CRCCINMI/AddCCRefNo', { ...base, CANU: '4111111111111111' })).toEqual({
      type: 'ServerReturnedNOK', code: 'XCC0001', field: 'CANU', message: 'Card number must be a token or a masked number',
    });
    expect(await nok('CRCCINMI/AddCCRefNo', { ...base, CANU: 'tok_abc', ORNO: '1999999999' })).toMatchObject({ field: 'ORNO' });
    const state = (await c.sim_('GET', '/state')).body as { m3: { cardTransactions: { canu: string }[] } };
    expect(JSON.stringify(state)).not.toContain('4111111111111111');
    expect(state.m3.cardTransactions.map((t) => t.canu)).toEqual(['************1111']);
  });

  it('AddSale, AddCredit, AddVoid and GetInquiry follow a reference', async () => {
    const sale = await c.v1Record('CRCCINMI/AddSale', { CINO: '200005', YEA4: '2026', CCAA: '75.50', CUCD: 'USD', NREF: 'PT-9001', TRDP: 'PAYTRACE', CANU: 'tok_42' });
    expect(sale).toMatchObject({ CCEC: '0', NREF: 'PT-9001', STAT: '40' });
    expect(await c.v1Record('CRCCINMI/GetInquiry', { NREF: 'PT-9001' })).toMatchObject({ STAT: '40' });
    expect(await c.v1Record('CRCCINMI/AddVoid', { NREF: 'PT-9001', TRDP: 'PAYTRACE' })).toMatchObject({ STAT: '90' });
    expect(await c.v1Record('CRCCINMI/GetInquiry', { NREF: 'PT-9001' })).toMatchObject({ STAT: '90' });
    expect(await nok('CRCCINMI/AddVoid', { NREF: 'PT-9001' })).toMatchObject({ code: 'XST0001' });
    expect(await c.v1Record('CRCCINMI/AddCredit', { CINO: '200003', YEA4: '2026', CCAA: '10.00', CUCD: 'USD', NREF: 'PT-9002' })).toMatchObject({ STAT: '50' });
    expect(await nok('CRCCINMI/AddSale', { CCAA: '5.00', CANU: '5500 0000 0000 0004' })).toMatchObject({ code: 'XCC0001' });
    expect(await nok('CRCCINMI/AddSale', { CCAA: '5.001' })).toMatchObject({ code: 'XAM0001', field: 'CCAA' });
    expect(await nok('CRCCINMI/GetInquiry', { NREF: 'nope' })).toMatchObject({ field: 'NREF' });
  });
});

describe('OIS390MI customer returns', () => {
  it('AddHead against an order, AddLine from the order line, GetHead reads it back', async () => {
    const { REPN } = await c.v1Record('OIS390MI/AddHead', { WHLO: 'W01', RORN: '1000000002', EXIN: '200003', YEA4: '2026', RSCD: 'RET' });
    expect(Number(REPN)).toBeGreaterThan(0);
    expect(await c.v1Record('OIS390MI/AddLine', { WHLO: 'W01', REPN, REQ0: '1', RORL: '1' })).toMatchObject({ RELI: '1' });
    expect(await c.v1Record('OIS390MI/GetHead', { WHLO: 'W01', REPN })).toMatchObject({ CUNO: 'C10002', ORNO: '1000000002', EXIN: '200003', CUCD: 'USD' });
    expect(await nok('OIS390MI/AddHead', { WHLO: 'W99', CUNO: 'C10001' })).toMatchObject({ field: 'WHLO' });
    expect(await nok('OIS390MI/AddHead', { WHLO: 'W01', CUNO: 'C10001', EXIN: '200003', YEA4: '2026' })).toMatchObject({ field: 'EXIN' });
    expect(await nok('OIS390MI/AddLine', { WHLO: 'W01', REPN, REQ0: '-1', ITNO: 'ITM1000' })).toMatchObject({ field: 'REQ0' });
    expect(await nok('OIS390MI/GetHead', { WHLO: 'W01', REPN: '424242' })).toMatchObject({ field: 'REPN' });
  });
});

describe('CUSEXTMI extension records', () => {
  it('adds, reads, changes, lists and deletes a value against a key', async () => {
    const key = { FILE: 'OINVOH', PK01: 'AAA', PK02: '2026', PK03: '200001' };
    expect(await nok('CUSEXTMI/AddFieldValue', { ...key, A030: 'plink_01HX', N096: '1250.00' })).toBeUndefined();
    expect(await nok('CUSEXTMI/AddFieldValue', { ...key, A030: 'again' })).toMatchObject({ code: 'XRE0103' });
    expect(await c.v1Record('CUSEXTMI/GetFieldValue', key)).toMatchObject({ A030: 'plink_01HX', N096: '1250.00', PK03: '200001' });
    expect(await nok('CUSEXTMI/ChgFieldValue', { ...key, A130: 'paid' })).toBeUndefined();
    expect(await c.v2Records('CUSEXTMI/LstFieldValue;returncols=PK03,A030,A130', { FILE: 'OINVOH', PK01: 'AAA' })).toEqual([{ PK03: '200001', A030: 'plink_01HX', A130: 'paid' }]);
    expect(await nok('CUSEXTMI/DelFieldValue', key)).toBeUndefined();
    expect(await nok('CUSEXTMI/GetFieldValue', key)).toMatchObject({ code: 'XRE0104' });
    expect(await nok('CUSEXTMI/AddFieldValue', { FILE: 'OINVOH' })).toMatchObject({ type: 'MandatoryInputFieldNotFound', field: 'PK01' });
    expect(await nok('CUSEXTMI/AddFieldValue', { ...key, A030: 'x'.repeat(31) })).toMatchObject({ type: 'InputFieldTooLong', field: 'A030' });
  });
});

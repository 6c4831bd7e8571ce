import { startInforTestClient, type InforTestClient } from './infor-client';

/** M3 MI REST wire shapes: v1, v2, bulk, matrix parameters, error types, metadata */

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

type V1Record = { RowIndex: number; NameValue: { Name: string; Value: string }[] };

describe('v1 single call', () => {
  it('answers Program, Transaction and MIRecord rows with values right-padded to the field length', async () => {
    const { status, body } = await c.v1('CRS610MI/GetBasicData', { CUNO: 'C10001' });
    expect(status).toBe(200);
    expect(body.Program).toBe('CRS610MI');
    expect(body.Transaction).toBe('GetBasicData');
    expect(body.Metadata).toBeUndefined();
    const [record] = body.MIRecord as V1Record[];
    expect(record.RowIndex).toBe(0);
    const cuno = record.NameValue.find((nv) => nv.Name === 'CUNO');
    const cunm = record.NameValue.find((nv) => nv.Name === 'CUNM');
    expect(cuno?.Value).toBe('C10001    '); // A10
    expect(cunm?.Value).toBe('Acme Supply Co'.padEnd(36, ' ')); // A36
  });

  it(';metadata=true adds Metadata.Field; ;returncols keeps only those fields in metadata order', async () => {
    const { body } = await c.v1('CRS610MI/GetBasicData;metadata=true;returncols=CUNM,CUNO', { CUNO: 'C10002' });
    expect(body.Metadata).toEqual({
      Field: [
        { '@name': 'CUNO', '@type': 'A', '@length': 10, '@description': 'Customer number' },
        { '@name': 'CUNM', '@type': 'A', '@length': 36, '@description': 'Customer name' },
      ],
    });
    const [record] = body.MIRecord as V1Record[];
    expect(record.NameValue.map((nv) => nv.Name)).toEqual(['CUNO', 'CUNM']);
  });

  it(';excludempty=true drops blank fields; ;maxrecs limits list rows (0 = all)', async () => {
    const { body } = await c.v1('CRS610MI/GetBasicData;excludempty=true', { CUNO: 'C10002' });
    const names = (body.MIRecord as V1Record[])[0].NameValue.map((nv) => nv.Name);
    expect(names).toContain('CUNM');
    expect(names).not.toContain('CUA2'); // Globex has no second address line
    const two = await c.v1('CRS610MI/LstByNumber;maxrecs=2');
    expect(two.body.MIRecord).toHaveLength(2);
    const all = await c.v1('CRS610MI/LstByNumber;maxrecs=0');
    expect(all.body.MIRecord).toHaveLength(4);
  });

  it('a refusal is HTTP 200 with @type ServerReturnedNOK, @code, @field and a blank-padded Message', async () => {
    const { status, body } = await c.v1('CRS610MI/GetBasicData', { CUNO: 'NOSUCH' });
    expect(status).toBe(200);
    expect(body['@type']).toBe('ServerReturnedNOK');
    expect(body['@code']).toBe('XIM0002');
    expect(body['@field']).toBe('CUNO');
    expect(body['@cfg']).toBeNull();
    expect(body.Message).toMatch(/^Customer number is invalid {20,}$/);
    expect(body.MIRecord).toBeUndefined();
  });

  it.each([
    ['unknown transaction', 'CRS610MI/NoSuchThing', {}, 'TransactionNotFound', ''],
    ['unknown program', 'XYZ999MI/GetBasicData', {}, 'TransactionNotFound', ''],
    ['missing mandatory field', 'CRS610MI/GetBasicData', {}, 'MandatoryInputFieldNotFound', 'CUNO'],
    ['blank mandatory field', 'CRS610MI/GetBasicData', { CUNO: '   ' }, 'MandatoryInputFieldNotFound', 'CUNO'],
    ['value longer than the field', 'CRS610MI/GetBasicData', { CUNO: 'C1234567890' }, 'InputFieldTooLong', 'CUNO'],
    ['non-numeric company', 'CRS610MI/GetBasicData', { CUNO: 'C10001', CONO: 'ABC' }, 'ServerReturnedNOK', 'CONO'],
    ['bad date', 'ARS200MI/LstInvoices', { CUNO: 'C10001', IVDT: '20261340' }, 'ServerReturnedNOK', 'IVDT'],
  ])('%s: %s %j → @type %s', async (_name, path, query, type, field) => {
    const { status, body } = await c.v1(path, query as Record<string, string>);
    expect(status).toBe(200);
    expect(body['@type']).toBe(type);
    expect(body['@field']).toBe(field);
    expect(typeof body.Message).toBe('string');
  });

  it('company scoping: another company is XAU0008 "Not authorized for company" on CONO (matrix or field)', async () => {
    for (const [path, query] of [
      ['CRS610MI/GetBasicData;cono=200', { CUNO: 'C10001' }],
      ['CRS610MI/GetBasicData', { CUNO: 'C10001', CONO: '300' }],
    ] as const) {
      const { body } = await c.v1(path, query);
      expect(body['@code']).toBe('XAU0008');
      expect(body['@field']).toBe('CONO');
      expect(String(body.Message).trimEnd()).toMatch(/^Not authorized for company (200|300)$/);
    }
    const ok = await c.v1Record('CRS610MI/GetBasicData;cono=100;divi=AAA', { CUNO: 'C10001' });
    expect(ok.CONO).toBe('100');
    const badDivi = await c.v1('CRS610MI/GetFinancial;divi=ZZZ', { CUNO: 'C10001' });
    expect(badDivi.body['@field']).toBe('DIVI');
  });

  it('ignores the _rid cache buster', async () => {
    const rec = await c.v1Record('CRS610MI/GetBasicData', { CUNO: 'C10003', _rid: '12345' });
    expect(rec.CUCD).toBe('EUR');
  });
});

describe('v2 single call', () => {
  it('answers results[].records as flat padded objects with the real counter names', async () => {
    const { status, body } = await c.v2('OIS350MI/GetInvHead;returncols=IVNO,RAFC,CUCD', { YEA4: '2026', IVNO: '200002' });
    expect(status).toBe(200);
    expect(body).toEqual({
      results: [{ transaction: 'GetInvHead', records: [{ RAFC: '300.00'.padEnd(17, ' '), CUCD: 'USD' }], notProcessed: false, parameters: { YEA4: '2026', IVNO: '200002' } }],
      wasTerminated: false,
      nrOfSuccessfullTransactions: 1,
      nrOfFailedTransactions: 0,
      nrOfNotProcessedTransactions: 0,
    });
  });

  it('a refusal is HTTP 400 with the error at top level and in results[0]; /_sim/m3 can switch it to 200', async () => {
    const { status, body } = await c.v2('CRS610MI/GetBasicData', { CUNO: 'NOSUCH' });
    expect(status).toBe(400);
    expect(body).toMatchObject({ errorCode: 'XIM0002', errorField: 'CUNO', errorType: 'ServerReturnedNOK', errorMessage: 'Customer number is invalid', nrOfFailedTransactions: 1 });
    expect((body.results as Record<string, unknown>[])[0]).toMatchObject({ errorCode: 'XIM0002', errorField: 'CUNO', records: [] });

    await c.sim_('PUT', '/m3', { v2ErrorStatus: 200 });
    const again = await c.v2('CRS610MI/GetBasicData', {});
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ errorType: 'MandatoryInputFieldNotFound', errorField: 'CUNO', nrOfSuccessfullTransactions: 0 });
    expect((await c.sim_('PUT', '/m3', { v2ErrorStatus: 500 })).status).toBe(400);
  });
});

describe('v2 bulk', () => {
  it('runs each transaction, reports failures per result with HTTP 200, honours selectedColumns and rightTrim', async () => {
    const res = await fetch(`${c.m3Base}/v2/execute`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await c.token()}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        program: 'CRS610MI',
        cono: 100,
        divi: 'AAA',
        rightTrim: true,
        excludeEmptyValues: false,
        maxReturnedRecords: 0,
        transactions: [
          { transaction: 'GetBasicData', record: { CUNO: 'C10001' }, selectedColumns: ['CUNO', 'CUNM'] },
          { transaction: 'GetBasicData', record: { CUNO: 'NOSUCH' } },
          { transaction: 'GetBasicData', record: { CUNO: 'C10003' }, selectedColumns: ['CUCD'] },
        ],
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { results: Record<string, unknown>[] } & Record<string, unknown>;
    expect(body.nrOfSuccessfullTransactions).toBe(2);
    expect(body.nrOfFailedTransactions).toBe(1);
    expect(body.wasTerminated).toBe(false);
    expect(body.results[0].records).toEqual([{ CUNO: 'C10001', CUNM: 'Acme Supply Co' }]);
    expect(body.results[1]).toMatchObject({ errorCode: 'XIM0002', errorField: 'CUNO', records: [] });
    expect(body.results[2].records).toEqual([{ CUCD: 'EUR' }]);
  });

  it('a bulk call for another company fails every transaction with XAU0008; a body without transactions is 400', async () => {
    const post = async (body: unknown) =>
      fetch(`${c.m3Base}/v2/execute`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await c.token()}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const res = await post({ program: 'CRS610MI', cono: 999, transactions: [{ transaction: 'GetBasicData', record: { CUNO: 'C10001' } }] });
    const body = (await res.json()) as { results: Record<string, unknown>[] };
    expect(body.results[0]).toMatchObject({ errorCode: 'XAU0008', errorField: 'CONO' });
    expect((await post({ program: 'CRS610MI' })).status).toBe(400);
  });
});

describe('metadata and MRS001MI', () => {
  it('GET /metadata/{PROG} lists transactions with input and output fields', async () => {
    const res = await fetch(`${c.m3Base}/metadata/ARS040MI`, { headers: { authorization: `Bearer ${await c.token()}` } });
    const body = (await res.json()) as { Program: { '@name': string; Transaction: { '@name': string; InputFields: { Field: Record<string, unknown>[] } }[] } };
    expect(body.Program['@name']).toBe('ARS040MI');
    const line = body.Program.Transaction.find((t) => t['@name'] === 'AddBatchLine');
    expect(line?.InputFields.Field.find((f) => f['@name'] === 'PYAM')).toMatchObject({ '@mandatory': true, '@type': 'decimal' });
    const unknown = await fetch(`${c.m3Base}/metadata/NOPE01MI`, { headers: { authorization: `Bearer ${await c.token()}` } });
    expect(unknown.status).toBe(404);
    const all = (await (await fetch(`${c.m3Base}/metadata`, { headers: { authorization: `Bearer ${await c.token()}` } })).json()) as { Program: { '@name': string }[] };
    expect(all.Program.map((p) => p['@name'])).toEqual(expect.arrayContaining(['CRS610MI', 'OIS100MI', 'CUSEXTMI', 'MRS001MI']));
  });

  it('MRS001MI lists programs, transactions (SIMU) and fields with positions', async () => {
    const programs = await c.v2Records('MRS001MI/LstPrograms;maxrecs=0');
    expect(programs.map((p) => p.MINM)).toEqual(['ARS040MI', 'ARS200MI', 'CRCCINMI', 'CRS055MI', 'CRS610MI', 'CUSEXTMI', 'GLS840MI', 'MNS150MI', 'MRS001MI', 'OIS100MI', 'OIS350MI', 'OIS390MI']);
    const transactions = await c.v2Records('MRS001MI/LstTransactions;maxrecs=0', { MINM: 'OIS100MI' });
    expect(transactions.find((t) => t.TRNM === 'LstHead')?.SIMU).toBe('M');
    expect(transactions.find((t) => t.TRNM === 'Confirm')?.SIMU).toBe('S');
    const fields = await c.v2Records('MRS001MI/LstFields;maxrecs=0', { MINM: 'OIS100MI', TRNM: 'Confirm', TRTP: 'O' });
    expect(fields).toEqual([
      expect.objectContaining({ FLNM: 'ORNO', FRPO: '1', TOPO: '10', LENG: '10', TYPE: 'A' }),
      expect.objectContaining({ FLNM: 'STAT', FRPO: '11', TOPO: '12', LENG: '2', TYPE: 'A' }),
    ]);
    const input = await c.v2Records('MRS001MI/LstFields;maxrecs=0', { MINM: 'OIS100MI', TRNM: 'Confirm', TRTP: 'I' });
    expect(input.find((f) => f.FLNM === 'ORNO')?.MAND).toBe('1');
  });
});

import { parseChargebackReport, reportOptionsSchema } from '../../../gateway/src/triggers/chargeback/report';
import { chargebackNoticeSchema, stageOf } from '../../../gateway/src/triggers/chargeback/notice';

/** The chargeback report reader: the column mapping, amounts and dates as portals write them, and what refuses a file. */
const options = reportOptionsSchema.parse({
  report: 'chargebacks',
  columns: { caseNumber: 'Case Number', transactionId: 'Transaction ID', amount: 'Chargeback Amount', fee: 'Chargeback Fee', stage: 'Status', reasonCode: 'Reason Code', respondBy: 'Reply By Date', receivedOn: 'Date Received' },
  maskedCardColumn: 'Card Number',
  maxRows: 3,
});
const header = 'Case Number,Transaction ID,Card Number,Chargeback Amount,Chargeback Fee,Status,Reason Code,Date Received,Reply By Date';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
};

describe('chargeback report', () => {
  it('reads the mapped columns whatever their order and case, with a BOM, amounts and dates as the portal writes them', () => {
    const csv = `\uFEFF${header.toUpperCase()}\r\nCB1,1000001,411111******1111,"$1,234.50",15.00,Merchant Won,10.4,12/01/2026,12/15/2026\r\nCB2,1000002,xxxxxxxxxxxx1111,(12.00),,Representment,13.1,2026-12-02,2026-12-16\r\n`;
    const out = parseChargebackReport(csv, options);
    expect(out.invalid).toEqual([]);
    expect(out.notices.map((n) => n.notice)).toEqual([
      expect.objectContaining({ caseNumber: 'CB1', transactionId: '1000001', amount: '1234.50', fee: '15.00', stage: 'won', reasonCode: '10.4', receivedOn: '2026-12-01', respondBy: '2026-12-15', source: 'report' }),
      expect.objectContaining({ caseNumber: 'CB2', amount: '12.00', fee: '0.00', stage: 'evidence_submitted', respondBy: '2026-12-16' }),
    ]);
    expect(out.ignoredColumns).toEqual(['CARD NUMBER']);
    expect(parseChargebackReport(`${header}\r\nCB3,1,,5.00,,,,01/02/2026,\r\n`, { ...options, dateFormat: 'DD/MM/YYYY' }).notices[0]!.notice.receivedOn).toBe('2026-02-01');
  });

  it('lists bad rows by line and keeps the good ones', () => {
    const csv = `${header}\r\nOK-1,1000001,,10.00,,Received,,,\r\nbad case!,x,,10.001,,Maybe,,13/45/2026,\r\n,1000001,,0.00,,,,,\r\n`;
    const out = parseChargebackReport(csv, options);
    expect(out.notices.map((n) => n.line)).toEqual([2]);
    expect(out.invalid.map((r) => [r.line, r.errors.map((e) => e.field).sort()])).toEqual([
      [3, ['amount', 'caseNumber', 'receivedOn', 'stage', 'transactionId']],
      [4, ['amount', 'caseNumber']],
    ]);
  });

  it('refuses a whole file that carries a card number, anywhere (the masked column included), without echoing it', () => {
    for (const csv of [`${header}\r\nCB1,1000001,,10.00,,Received,,,\r\nCB2,1000002,,10.00,,Received,4111-1111-1111-1111,,\r\n`, `${header}\r\nCB1,1000001,4111111111111111,10.00,,,,,\r\n`]) {
      let err: { code?: string; message: string } | undefined;
      try {
        parseChargebackReport(csv, options);
      } catch (e) {
        err = e as { code?: string; message: string };
      }
      expect(err?.code).toBe('CHARGEBACK_REPORT_CARD_DATA');
      expect(err?.message).not.toMatch(/4111/);
    }
    // a 16-digit number that is not Luhn-valid (an order number) is not a card
    expect(parseChargebackReport(`${header}\r\nCB1,1000001,,10.00,,,1234567812345678,,\r\n`, options).notices).toHaveLength(1);
  });

  it('refuses what is not a readable report', () => {
    expect(codeOf(() => parseChargebackReport('', options))).toBe('CHARGEBACK_REPORT_INVALID');
    expect(codeOf(() => parseChargebackReport('Case,Amount\r\n1,2\r\n', options))).toBe('CHARGEBACK_REPORT_INVALID'); // a mapped column missing
    expect(codeOf(() => parseChargebackReport(`${header}\r\n"open,1,2\r\n`, options))).toBe('CHARGEBACK_REPORT_INVALID'); // not CSV
    expect(codeOf(() => parseChargebackReport(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]), options))).toBe('CHARGEBACK_REPORT_INVALID'); // a zip
    expect(codeOf(() => parseChargebackReport(`${header}\r\n${'A,1,,1.00,,,,,\r\n'.repeat(4)}`, options))).toBe('CHARGEBACK_REPORT_INVALID'); // > maxRows
    expect(codeOf(() => parseChargebackReport('x'.repeat(3 * 1024 * 1024), options))).toBe('CHARGEBACK_REPORT_INVALID'); // > maxBytes
  });

  it('the mapping must name the case, the transaction and the amount', () => {
    expect(reportOptionsSchema.safeParse({ report: 'chargebacks', columns: { caseNumber: 'Case' } }).success).toBe(false);
  });

  it('knows the stage words portals use, and the notice contract', () => {
    expect([stageOf('Closed - Won'), stageOf(' first   chargeback '), stageOf('Accepted by merchant'), stageOf('whatever')]).toEqual(['won', 'received', 'accepted', undefined]);
    expect(chargebackNoticeSchema.safeParse({ caseNumber: 'x'.repeat(27), transactionId: '1', amount: '1.00' }).success).toBe(false); // CBW-<case> must fit IRNO (30)
    expect(chargebackNoticeSchema.safeParse({ caseNumber: 'CB1', transactionId: 1, amount: '1.00', currency: 'EUR' }).success).toBe(false);
  });
});

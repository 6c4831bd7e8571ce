/**
 * The M3 API programs and transactions the gateway calls (kept beside gateway/src/infor/m3-programs
 * and the flows; the doctor test checks this list against the code), and for each program a call
 * that proves the service account may use it without changing anything: a read, or a Get of a key
 * that does not exist (M3 answering "not found" proves the call got through).
 */
export interface ProgramUse {
  program: string;
  why: string;
  transactions: string[];
  probe: { transaction: string; input: Record<string, string> };
}

export const M3_USAGE: ProgramUse[] = [
  { program: 'CRS610MI', why: 'customers: web customers, names and e-mail for links, the scheduled pull', transactions: ['Add', 'GetBasicData', 'LstByNumber'], probe: { transaction: 'LstByNumber', input: {} } },
  { program: 'OIS100MI', why: 'customer orders of storefront sales', transactions: ['AddBatchHead', 'AddBatchLine', 'Confirm', 'DelBatchHead', 'GetHead', 'GetOrderNo', 'LstErrMsgOrder', 'LstHead', 'SearchHead'], probe: { transaction: 'LstHead', input: {} } },
  { program: 'OIS350MI', why: 'invoice heads: open amount of a payment link', transactions: ['GetInvHead', 'LstInvHeadByCo'], probe: { transaction: 'GetInvHead', input: { YEA4: '1900', IVNO: '0' } } },
  { program: 'ARS200MI', why: 'AR invoices for reconciliation', transactions: ['GetInvTotInfo', 'LstInvByDivi'], probe: { transaction: 'LstInvByDivi', input: {} } },
  { program: 'ARS040MI', why: 'cash receipts on invoices (flow 2, refunds, reconciliation fixes)', transactions: ['AddBatchHead', 'AddBatchLine', 'ControlBatch', 'LstBatchLine'], probe: { transaction: 'LstBatchLine', input: { IRNO: 'M3PT-DOCTOR' } } },
  { program: 'GLS840MI', why: 'GL batches through the GLS850 interface', transactions: ['AddBatchHead', 'AddBatchLine', 'CtrlBatch', 'UpdBatch', 'LstBatchHead', 'LstBatchLine'], probe: { transaction: 'LstBatchHead', input: { KEY1: 'M3PT-DOCTOR' } } },
  { program: 'CRS055MI', why: 'exchange rates to the local currency', transactions: ['LstRatesPerType'], probe: { transaction: 'GetBasicData', input: { CUCD: 'USD' } } },
  { program: 'CRCCINMI', why: 'card references on web orders', transactions: ['AddCCRefNo', 'GetInquiry'], probe: { transaction: 'GetInquiry', input: { NREF: '0' } } },
  { program: 'CUSEXTMI', why: 'PayTrace vault id and masked card on the customer (customer sync)', transactions: ['GetFieldValue', 'AddFieldValue', 'ChgFieldValue'], probe: { transaction: 'GetFieldValue', input: { FILE: 'OCUSMA', PK01: 'M3PT-DOCTOR' } } },
  { program: 'MRS001MI', why: 'API metadata (this check, the mapping assistant, the flow validator)', transactions: ['LstPrograms', 'LstTransactions', 'LstFields'], probe: { transaction: 'LstPrograms', input: {} } },
  { program: 'MNS150MI', why: "the service account's company and division (this check)", transactions: ['GetUserData'], probe: { transaction: 'GetUserData', input: {} } },
];

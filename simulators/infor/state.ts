/**
 * The Infor simulator's state: one demo M3 company plus what Infor OS and ION remember.
 * Kept in memory; `seedState()` builds the starting point and /_sim/reset returns to it.
 * Money is integer cents; M3 field names are used where the value is served as-is.
 */

/** an M3 record served as-is: M3 field name → value (unpadded) */
export type M3Fields = Record<string, string>;

export interface Customer {
  cuno: string;
  divi: string;
  /** basic, financial and order-info fields (CUNM, CUA1, CUCD, PYCD, TEPY, BLCD, …) */
  fields: M3Fields;
}

export interface Item {
  itno: string;
  itds: string;
  priceCents: number;
}

export interface OrderLine {
  ponr: number;
  posx: number;
  itno: string;
  itds: string;
  /** quantity as a decimal string */
  orqt: string;
  priceCents: number;
  lineCents: number;
  whlo: string;
}

export interface BatchOrder {
  /** temporary order number from AddBatchHead */
  tempOrno: string;
  cuno: string;
  fields: M3Fields;
  lines: OrderLine[];
  /** errors LstErrMsgOrder lists */
  errors: { msid: string; mdta: string; tx60: string; levl: string }[];
  /** final order number once confirmed */
  orno?: string;
}

export interface Order {
  orno: string;
  cuno: string;
  cuor: string;
  cucd: string;
  ordt: string;
  status: string;
  fields: M3Fields;
  lines: OrderLine[];
}

export interface Invoice {
  divi: string;
  yea4: number;
  ivno: number;
  cuno: string;
  pyno: string;
  cucd: string;
  amountCents: number;
  paidCents: number;
  ivdt: string;
  dudt: string;
  orno: string;
  tepy: string;
  pycd: string;
  vono: number;
  jrno: number;
  jsno: number;
  /** rate to the local currency (multiply), a decimal string */
  arat: string;
}

export interface Receipt {
  pbid: number;
  trno: number;
  divi: string;
  cino: string;
  inyr: number;
  cuno: string;
  pyno: string;
  cucd: string;
  amountCents: number;
  irno: string;
  lpdt: string;
  overpaymentCents: number;
}

export interface PaymentBatch {
  pbid: number;
  bope: string;
  divi: string;
  /** 0 ready, 1 checked (ControlBatch) */
  status: number;
}

export interface GlBatch {
  key1: string;
  intn: string;
  desc: string;
  divi: string;
  /** 10 entered, 20 controlled (CtrlBatch), 90 updated (UpdBatch) */
  status: string;
  lines: { line: number; parm: string }[];
  debitCents: number;
  creditCents: number;
  yea4: number;
  vono: number;
}

export interface CardTransaction {
  kind: 'AddCCRefNo' | 'AddSale' | 'AddCredit' | 'AddVoid';
  divi: string;
  /** reference number: REFN for AddCCRefNo, NREF for the others */
  nref: string;
  refn: string;
  orno: string;
  cino: string;
  yea4: string;
  cucd: string;
  amountCents: number;
  /** token or masked number only; a clear PAN is refused */
  canu: string;
  ctpy: string;
  trdp: string;
  stat: string;
  at: string;
}

export interface CustomerReturn {
  whlo: string;
  repn: number;
  fields: M3Fields;
  lines: { reli: number; itno: string; req0: string; priceCents: number }[];
}

export interface ExchangeRate {
  cucd: string;
  crtp: number;
  /** yyyyMMdd */
  cutd: string;
  /** multiply rate to the local currency */
  arat: string;
}

export interface ImsMessage {
  id: string;
  receivedAt: string;
  parameterRequest: Record<string, unknown>;
  documentName: string;
  fromLogicalId: string;
  payload: string;
  version: 'v2' | 'v3';
}

export interface OutboxDocument {
  id: string;
  documentName: string;
  accountingEntity: string;
  documentId: string;
  xml: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastError?: string;
  createdAt: string;
  deliveredAt?: string;
}

/**
 * An M3 user (MNS150): the user context every MI call runs in and that H5 and Odin apps read on
 * start-up (MNS150MI/GetUserData). `fields` are MNS150's (USID, NAME, CONO, DIVI, LANC, DTFM, DCFM,
 * TIZO, FACI, WHLO, EMAL, USTA, USTP, EUID, …); EUID links it to the Infor OS identity (the token's sub).
 */
export interface M3User {
  usid: string;
  fields: M3Fields;
}

export interface M3State {
  cono: number;
  /** the company's name (MNS100 CONM; TX40 of MNS150MI/GetUserData) */
  companyName: string;
  divisions: Record<string, { localCurrency: string; name: string; country: string; facility: string; warehouse: string; timeZone: string }>;
  /** M3 users by USID (upper case) */
  users: Map<string, M3User>;
  customers: Map<string, Customer>;
  items: Map<string, Item>;
  batchOrders: Map<string, BatchOrder>;
  orders: Map<string, Order>;
  invoices: Invoice[];
  paymentBatches: Map<number, PaymentBatch>;
  receipts: Receipt[];
  glBatches: Map<string, GlBatch>;
  cardTransactions: CardTransaction[];
  returns: Map<string, CustomerReturn>;
  rates: ExchangeRate[];
  /** CUSEXTMI records by FILE|PK01|…|PK08 */
  cusext: Map<string, M3Fields>;
  /**
   * How the tenant is set up, beyond its data: GLS850 interfaces (GLS840MI AddBatchHead checks
   * INTN), the customer templates CRS610MI Add copies (CUTM), and programs the service account
   * has no MI authority for (the ION API answers 403, as a real tenant does). `/_sim/m3/setup`.
   */
  setup: M3Setup;
  counters: { tempOrder: number; order: number; invoice: number; voucher: number; journal: number; repn: number; refn: number; customer: number };
}

export interface M3Setup {
  glInterfaces: string[];
  customerTemplates: string[];
  deniedPrograms: string[];
}

export const defaultM3Setup = (): M3Setup => ({ glInterfaces: ['PAYTRACE'], customerTemplates: ['TEMPLATE'], deniedPrograms: [] });

export interface InforState {
  m3: M3State;
  inbox: ImsMessage[];
  outbox: OutboxDocument[];
}

export const DEMO_CONO = 100;
export const DEMO_DIVI = 'AAA';
export const LOCAL_CURRENCY = 'USD';

/**
 * M3 users: the service account the backend app's tokens run as, and one per Infor OS demo login
 * (same names and e-mails), linked by EUID to the Infor OS identity. US defaults: English (GB is
 * M3's English), month-day-year dates, a dot as decimal separator, US Central time.
 */
function seedUsers(people: Array<{ username: string; name: string; email: string }>, serviceAccount: string): M3User[] {
  const user = (usid: string, f: M3Fields): M3User => ({
    usid,
    fields: {
      USID: usid, CONO: String(DEMO_CONO), DIVI: DEMO_DIVI, LANC: 'GB', DTFM: 'MDY', DCFM: '.', TIZO: 'CST', FACI: 'F01', WHLO: 'W01',
      DEPT: 'FIN', USTA: '20', USTP: 'USER', MNVR: 'M3', DFMN: 'MNS000', FADT: '20250101', LADT: '20991231', ...f,
    },
  });
  return [
    user(serviceAccount, { NAME: 'M3 service account (ION API)', USTP: 'SERVICE', EUID: serviceAccount, EMAL: '' }),
    ...people.map((p) => user(p.username.toUpperCase().slice(0, 10), { NAME: p.name, EMAL: p.email, EUID: p.username })),
  ];
}

function customer(cuno: string, f: M3Fields): Customer {
  return {
    cuno,
    divi: DEMO_DIVI,
    fields: {
      CUNO: cuno,
      PYNO: cuno,
      STAT: '20',
      LNCD: 'GB',
      CUTP: '0',
      TEPY: 'N30',
      PYCD: 'CC',
      BLCD: '0',
      ORTP: 'A01',
      WHLO: 'W01',
      FACI: 'F01',
      CRTP: '1',
      VTCD: '0',
      RGDT: '20250102',
      LMDT: '20250102',
      ...f,
    },
  };
}

function invoice(ivno: number, cuno: string, cucd: string, amount: number, paid: number, orno: string, ivdt: string, dudt: string, arat: string): Invoice {
  return { divi: DEMO_DIVI, yea4: 2026, ivno, cuno, pyno: cuno, cucd, amountCents: amount, paidCents: paid, ivdt, dudt, orno, tepy: 'N30', pycd: 'CC', vono: ivno - 150000, jrno: 1, jsno: ivno - 200000, arat };
}

export function seedState(people: Array<{ username: string; name: string; email: string }> = [], serviceAccount = 'M3SRVADM'): InforState {
  const customers = [
    customer('C10001', { CUNM: 'Acme Supply Co', CUA1: '100 Main Street', CUA2: 'Suite 400', TOWN: 'Chicago', ECAR: 'IL', PONO: '60601', CSCD: 'US', PHNO: '+1 312 555 0100', MAIL: 'ap@acme.example', CUCD: 'USD', ALCU: 'ACME', CRLM: '50000.00' }),
    customer('C10002', { CUNM: 'Globex Retail', CUA1: '2200 Congress Ave', TOWN: 'Austin', ECAR: 'TX', PONO: '78701', CSCD: 'US', PHNO: '+1 512 555 0122', MAIL: 'billing@globex.example', CUCD: 'USD', ALCU: 'GLOBEX', CRLM: '20000.00' }),
    customer('C10003', { CUNM: 'Initech Europe GmbH', CUA1: 'Friedrichstrasse 12', TOWN: 'Berlin', PONO: '10117', CSCD: 'DE', PHNO: '+49 30 5550 1000', MAIL: 'finance@initech.example', CUCD: 'EUR', LNCD: 'DE', ALCU: 'INITECH', VRNO: 'DE123456789', CRLM: '30000.00' }),
    customer('C10004', { CUNM: 'Maple Trading Ltd', CUA1: '40 King Street West', TOWN: 'Toronto', ECAR: 'ON', PONO: 'M5H 1A1', CSCD: 'CA', MAIL: 'ar@maple.example', CUCD: 'CAD', ALCU: 'MAPLE', BLCD: '1', CRLM: '10000.00' }),
  ];
  const items: Item[] = [
    { itno: 'ITM1000', itds: 'Widget', priceCents: 2500 },
    { itno: 'ITM2000', itds: 'Gadget', priceCents: 14999 },
    { itno: 'ITM3000', itds: 'Service hour', priceCents: 9500 },
  ];
  const line = (ponr: number, itno: string, itds: string, qty: number, price: number): OrderLine => ({
    ponr, posx: 0, itno, itds, orqt: String(qty), priceCents: price, lineCents: qty * price, whlo: 'W01',
  });
  const orders: Order[] = [
    { orno: '1000000001', cuno: 'C10001', cuor: 'WEB-5001', cucd: 'USD', ordt: '20260105', status: '77', fields: { ORTP: 'A01', FACI: 'F01', WHLO: 'W01', TEPY: 'N30', PYCD: 'CC' }, lines: [line(1, 'ITM1000', 'Widget', 50, 2500)] },
    { orno: '1000000002', cuno: 'C10002', cuor: 'WEB-5002', cucd: 'USD', ordt: '20260110', status: '77', fields: { ORTP: 'A01', FACI: 'F01', WHLO: 'W01', TEPY: 'N30', PYCD: 'CC' }, lines: [line(1, 'ITM3000', 'Service hour', 4, 9500), line(2, 'ITM1000', 'Widget', 2, 2605)] },
  ];
  const m3: M3State = {
    cono: DEMO_CONO,
    companyName: 'Northwind Supply Co.',
    divisions: { [DEMO_DIVI]: { localCurrency: LOCAL_CURRENCY, name: 'Demo division US', country: 'US', facility: 'F01', warehouse: 'W01', timeZone: 'CST' } },
    users: new Map(seedUsers(people, serviceAccount).map((u) => [u.usid, u])),
    customers: new Map(customers.map((c) => [c.cuno, c])),
    items: new Map(items.map((i) => [i.itno, i])),
    batchOrders: new Map(),
    orders: new Map(orders.map((o) => [o.orno, o])),
    invoices: [
      invoice(200001, 'C10001', 'USD', 125000, 0, '1000000001', '20260106', '20260205', '1'),
      invoice(200002, 'C10001', 'USD', 80000, 50000, '', '20260108', '20260207', '1'),
      invoice(200003, 'C10002', 'USD', 43210, 43210, '1000000002', '20260111', '20260210', '1'),
      invoice(200004, 'C10003', 'EUR', 99000, 0, '', '20260112', '20260211', '1.085000'),
      invoice(200005, 'C10002', 'USD', 7550, 0, '', '20260115', '20260214', '1'),
    ],
    paymentBatches: new Map(),
    receipts: [],
    glBatches: new Map(),
    cardTransactions: [],
    returns: new Map(),
    rates: [
      { cucd: 'EUR', crtp: 1, cutd: '20260101', arat: '1.085000' },
      { cucd: 'CAD', crtp: 1, cutd: '20260101', arat: '0.735000' },
      { cucd: 'GBP', crtp: 1, cutd: '20260101', arat: '1.270000' },
    ],
    cusext: new Map(),
    setup: defaultM3Setup(),
    counters: { tempOrder: 0, order: 2, invoice: 200005, voucher: 60000, journal: 1, repn: 0, refn: 0, customer: 10004 },
  };
  return { m3, inbox: [], outbox: [] };
}

export function openCents(inv: Invoice): number {
  return inv.amountCents - inv.paidCents;
}

/** yyyyMMdd of today (UTC) */
export function today(): string {
  return new Date().toISOString().slice(0, 10).replaceAll('-', '');
}

import { REFERENCE_CATALOG, type InputFieldSpec, type OutputFieldSpec, type ProgramSpec, type TransactionSpec } from './catalog-data';
import { METADATA_ONLY_CATALOG } from './catalog-metadata-only';

export type { InputFieldSpec, OutputFieldSpec, ProgramSpec, TransactionSpec } from './catalog-data';

const A = (name: string, length: number, description: string): OutputFieldSpec => [name, 'A', length, description];
const N = (name: string, length: number, description: string): OutputFieldSpec => [name, 'N', length, description];
const D = (name: string, description: string): OutputFieldSpec => [name, 'D', 8, description];
const req = (name: string, type: string, description: string): InputFieldSpec => [name, 1, type, description];
const opt = (name: string, type: string, description: string): InputFieldSpec => [name, 0, type, description];

/**
 * Simulator-only metadata. CUSEXTMI's field list is not in the reference (inferred: FILE + key
 * fields PK01–PK08 + alpha A030–A430 and numeric N096–N496 value fields); the Lst* read-backs of
 * ARS040MI and GLS840MI stand in for the ways real M3 lets you read those batches back.
 */
const CUSEXT_KEYS: InputFieldSpec[] = ['PK01', 'PK02', 'PK03', 'PK04', 'PK05', 'PK06', 'PK07', 'PK08'].map((k, i) =>
  i === 0 ? req(k, 'string', 'Primary key 1') : opt(k, 'string', `Primary key ${i + 1}`),
);
const CUSEXT_VALUES: InputFieldSpec[] = [
  ...['A030', 'A130', 'A230', 'A330', 'A430'].map((f) => opt(f, 'string', `Alpha field ${f}`)),
  ...['N096', 'N196', 'N296', 'N396', 'N496'].map((f) => opt(f, 'decimal', `Numeric field ${f}`)),
];
const CUSEXT_OUT: OutputFieldSpec[] = [
  N('CONO', 3, 'Company'),
  A('FILE', 10, 'Table'),
  ...['PK01', 'PK02', 'PK03', 'PK04', 'PK05', 'PK06', 'PK07', 'PK08'].map((k, i) => A(k, 30, `Primary key ${i + 1}`)),
  ...['A030', 'A130', 'A230', 'A330', 'A430'].map((f) => A(f, 30, `Alpha field ${f}`)),
  ...['N096', 'N196', 'N296', 'N396', 'N496'].map((f) => N(f, 17, `Numeric field ${f}`)),
  D('RGDT', 'Entry date'),
  D('LMDT', 'Change date'),
];
const cusextKeyInputs = [opt('CONO', 'int', 'Company'), req('FILE', 'string', 'Table'), ...CUSEXT_KEYS];

/**
 * The user-context programs H5 and Odin apps call on start-up. MNS150MI/GetUserData's fields are the
 * reference's (Appendix A); the other transactions' input fields follow the M3H5 generated clients
 * (USID, EUID, CONO/DIVI), and their output lists are the part of the real lists apps read (a subset).
 */
const USER_DATA_OUT: OutputFieldSpec[] = [
  N('CONO', 3, 'Company'), A('DIVI', 3, 'Division'), A('LANC', 2, 'Language'), A('DTFM', 3, 'Date format'), A('DCFM', 1, 'Decimal format'),
  A('TIZO', 5, 'Time zone'), A('FACI', 3, 'Facility'), A('WHLO', 3, 'Warehouse'), A('CUNO', 10, 'Customer'), A('DEPT', 8, 'Department'),
  A('TX40', 40, 'Company name'), A('CONM', 40, 'Division name'), A('MNVR', 10, 'Menu version'), A('DFMN', 10, 'Start menu'), A('USID', 10, 'User'),
  A('NAME', 36, 'Name'), A('EQAL', 10, 'Equipment alias search sequense'), A('USTA', 2, 'User status'), A('EMAL', 60, 'Electronic mail address'),
  A('USTP', 10, 'User type'), A('EUID', 256, 'External user id'), A('PHNO', 16, 'Telephone number'), A('TFNO', 16, 'Facsimile transmission number'),
  A('FRF6', 30, 'Free field 1'), A('FRF7', 30, 'Free field 2'), N('FRF8', 17, 'Free field 3'), D('FADT', 'First active date'), D('LADT', 'Last active date'),
];
const USER_PROGRAMS: Record<string, ProgramSpec> = {
  MNS150MI: {
    description: 'Api: User',
    transactions: {
      GetUserData: { description: 'Select Users', in: [opt('USID', 'string', 'User')], out: USER_DATA_OUT },
      LstUserData: {
        description: 'List user data',
        in: [opt('USID', 'string', 'User')],
        out: [
          A('USID', 10, 'User'), A('TX40', 40, 'Description'), A('USTP', 10, 'User type'), A('DTFM', 3, 'Date format'), A('DCFM', 1, 'Decimal format'),
          A('LANC', 2, 'Language'), A('TIZO', 5, 'Time zone'), N('CONO', 3, 'Company'), A('DIVI', 3, 'Division'), A('USTA', 2, 'User status'),
          A('EMAL', 60, 'Electronic mail address'), A('EUID', 256, 'External user id'),
        ],
      },
      LstCmpDivi: {
        description: 'List company and division for an user',
        in: [req('USID', 'string', 'User')],
        out: [N('CONO', 3, 'Company'), A('DIVI', 3, 'Division'), A('TX40', 40, 'Company name'), A('CONM', 40, 'Division name')],
      },
      GetUserByEuid: {
        description: 'Select Users by external user id',
        in: [req('EUID', 'string', 'External user id')],
        out: [N('CONO', 3, 'Company'), A('DIVI', 3, 'Division'), A('EUID', 256, 'External user ID'), A('USID', 10, 'User'), A('NAME', 36, 'Name'), A('USTA', 2, 'User status')],
      },
    },
  },
  MNS100MI: {
    description: 'Api: Company/Division',
    transactions: {
      GetBasicData: {
        description: 'Get company and division data',
        in: [opt('CONO', 'int', 'Company'), opt('DIVI', 'string', 'Division')],
        out: [
          N('CONO', 3, 'Company'), A('DIVI', 3, 'Division'), A('CONM', 36, 'Company name'), A('TX15', 15, 'Name'), A('FACI', 3, 'Facility'),
          A('FACT', 30, 'Facility name'), A('WHLO', 3, 'Warehouse'), A('WHLT', 36, 'Warehouse name'), A('DTFM', 3, 'Date format'),
          A('LOCD', 3, 'Local currency'), A('LOCT', 40, 'Local currency description'), A('COA1', 36, 'Company address 1'),
          A('COA2', 36, 'Company address 2'), A('COA3', 36, 'Company address 3'), A('COA4', 36, 'Company address 4'), A('PHNO', 16, 'Telephone number 1'),
          A('CSCD', 3, 'Country'), A('CSCT', 40, 'Country description'), A('TIZO', 5, 'Time zone'), A('TIZT', 40, 'Time zone description'),
        ],
      },
      LstDivisions: {
        description: 'List divisions',
        in: [opt('CONO', 'int', 'Company')],
        out: [N('CONO', 3, 'Company'), A('DIVI', 3, 'Division'), A('CONM', 36, 'Company name'), A('TX15', 15, 'Name'), A('LOCD', 3, 'Local currency'), A('CSCD', 3, 'Country'), A('FACI', 3, 'Facility'), A('TIZO', 5, 'Time zone')],
      },
    },
  },
};

const ADDITIONS: Record<string, ProgramSpec> = {
  ...USER_PROGRAMS,
  CUSEXTMI: {
    description: 'Custom extension table interface',
    transactions: {
      AddFieldValue: { description: 'Add field values', in: [...cusextKeyInputs, ...CUSEXT_VALUES], out: [] },
      ChgFieldValue: { description: 'Change field values', in: [...cusextKeyInputs, ...CUSEXT_VALUES], out: [] },
      GetFieldValue: { description: 'Get field values', in: cusextKeyInputs, out: CUSEXT_OUT },
      DelFieldValue: { description: 'Delete field values', in: cusextKeyInputs, out: [] },
      LstFieldValue: {
        description: 'List field values',
        in: [opt('CONO', 'int', 'Company'), req('FILE', 'string', 'Table'), ...CUSEXT_KEYS.map((k): InputFieldSpec => [k[0], 0, k[2], k[3]])],
        out: CUSEXT_OUT,
      },
    },
  },
};

const ARS040_LST: TransactionSpec = {
  description: 'List batch payment lines (simulator read-back)',
  in: [opt('CONO', 'int', 'Company'), opt('DIVI', 'string', 'Division'), opt('PBID', 'long', 'Payment batch'), opt('IRNO', 'string', 'Invoice reference number'), opt('CINO', 'string', 'Invoice number')],
  out: [
    N('CONO', 3, 'Company'), A('DIVI', 3, 'Division'), N('PBID', 10, 'Payment batch'), N('TRNO', 7, 'Transaction number'),
    A('CINO', 15, 'Invoice number'), N('INYR', 4, 'Invoice year'), A('CUNO', 10, 'Customer number'), A('PYNO', 10, 'Payer'),
    N('PYAM', 17, 'Payment amount'), A('CUCD', 3, 'Currency'), D('LPDT', 'Payment date'), A('IRNO', 30, 'Invoice reference number'),
    N('BPYS', 1, 'Status - batch payments'),
  ],
};
const GLS840_LSTHEAD: TransactionSpec = {
  description: 'List GL interface batches (simulator read-back)',
  in: [req('CONO', 'int', 'Company'), opt('KEY1', 'string', 'Key value'), opt('DIVI', 'string', 'Division')],
  out: [
    N('CONO', 3, 'Company'), A('DIVI', 3, 'Division'), A('KEY1', 15, 'Key value'), A('INTN', 15, 'Interface'), A('DESC', 40, 'Description'),
    A('STAT', 2, 'Status 10 entered, 20 controlled, 90 updated'), N('NLIN', 5, 'Number of lines'), N('DSUM', 17, 'Debit sum'),
    N('CSUM', 17, 'Credit sum'), N('YEA4', 4, 'Year'), N('VONO', 8, 'Voucher number'),
  ],
};
const GLS840_LSTLINE: TransactionSpec = {
  description: 'List GL interface batch lines (simulator read-back)',
  in: [req('CONO', 'int', 'Company'), req('KEY1', 'string', 'Key value'), opt('DIVI', 'string', 'Division')],
  out: [N('CONO', 3, 'Company'), A('KEY1', 15, 'Key value'), N('LINE', 7, 'Line number'), A('PARM', 900, 'Parameter value')],
};

/** GLS840MI/DelBatch (newer M3 releases, reference §3.6): remove a batch that is not updated */
const GLS840_DEL: TransactionSpec = { description: 'Delete batch', in: [req('CONO', 'int', 'Company'), req('KEY1', 'string', 'Key value'), opt('DIVI', 'string', 'Division')], out: [] };

const EXECUTABLE: Record<string, ProgramSpec> = {
  ...REFERENCE_CATALOG,
  ...ADDITIONS,
  ARS040MI: { ...REFERENCE_CATALOG.ARS040MI, transactions: { ...REFERENCE_CATALOG.ARS040MI.transactions, LstBatchLine: ARS040_LST } },
  GLS840MI: {
    ...REFERENCE_CATALOG.GLS840MI,
    transactions: { ...REFERENCE_CATALOG.GLS840MI.transactions, LstBatchHead: GLS840_LSTHEAD, LstBatchLine: GLS840_LSTLINE, DelBatch: GLS840_DEL },
  },
};

/**
 * Every program and transaction the simulator describes (MRS001MI, /metadata): the ones it runs
 * plus the metadata-only ones (real M3 descriptions of transactions no flow calls, so metadata
 * readers such as the mapping assistant see more than the few the flows need).
 */
export const CATALOG: Record<string, ProgramSpec> = { ...METADATA_ONLY_CATALOG };
for (const [name, spec] of Object.entries(EXECUTABLE)) {
  const more = Object.hasOwn(METADATA_ONLY_CATALOG, name) ? METADATA_ONLY_CATALOG[name].transactions : {};
  CATALOG[name] = { ...spec, transactions: { ...more, ...spec.transactions } };
}

/**
 * Lengths of input-only fields (no output field of the same name tells them). Inferred from
 * the field descriptions in the reference; used for InputFieldTooLong.
 */
const INPUT_ONLY_LENGTHS: Record<string, number> = {
  CUTM: 10, KEY1: 15, INTN: 15, DESC: 40, PARM: 900, PBID: 10, BOPE: 3, TRNO: 7, PYAM: 17, SQRY: 1024,
  CCAA: 17, '3RDP': 10, '3RDI': 15, REFE: 24, TRTY: 2, CANU: 25, CTPY: 15, CCEC: 5, EXP0: 4, CSC1: 4, NOCA: 36,
  RORN: 10, RORL: 6, REQ0: 17, SAPR: 18, ORQT: 16, LINE: 7, MINM: 10, TRNM: 15, TRTP: 1, AAC0: 1, OOIN: 1, FDIV: 3, TDIV: 3,
  FCUR: 3, TCUR: 3, LMTS: 18, CTYP: 1, IRNO: 30, CKST: 3, LPDT: 8, FILE: 10,
};

const globalLengths = new Map<string, number>();
for (const program of Object.values(CATALOG)) {
  for (const transaction of Object.values(program.transactions)) {
    for (const [name, , length] of transaction.out) {
      globalLengths.set(name, Math.max(globalLengths.get(name) ?? 0, length));
    }
  }
}

/** the longest value M3 accepts in an input field: its output length in the same transaction, else anywhere, else the table above */
export function inputLength(transaction: TransactionSpec, field: string): number | undefined {
  const own = transaction.out.find(([name]) => name === field);
  if (own) return own[2];
  return INPUT_ONLY_LENGTHS[field] ?? globalLengths.get(field);
}

export function findTransaction(program: string, transaction: string): TransactionSpec | undefined {
  const spec = Object.hasOwn(CATALOG, program) ? CATALOG[program] : undefined;
  return spec && Object.hasOwn(spec.transactions, transaction) ? spec.transactions[transaction] : undefined;
}

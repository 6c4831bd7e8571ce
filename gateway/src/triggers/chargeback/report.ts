import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { AppError } from '../../errors';
import { cardLikeRuns, luhnValid } from '../../observability/redact';
import { chargebackNoticeSchema, type ChargebackNotice } from './notice';

/**
 * The chargeback report as the PayTrace merchant portal exports it (CSV). PayTrace v1 has no
 * dispute API (shared/reference/paytrace-api.md lists none), so the report is how disputes come in.
 * Which column holds which field is data: the `report` trigger's `columns` in
 * mappings/flows/chargeback.yaml (the portal's own headers by default). [inferred: the header
 * names of the real export; change the mapping to the file you get.]
 */

export const REPORT_FIELDS = ['caseNumber', 'transactionId', 'amount', 'fee', 'stage', 'reasonCode', 'reason', 'receivedOn', 'respondBy'] as const;
export type ReportField = (typeof REPORT_FIELDS)[number];
const REQUIRED: readonly ReportField[] = ['caseNumber', 'transactionId', 'amount'];

export const reportOptionsSchema = z
  .object({
    /** which report this is (the claim `report:<name>`) */
    report: z.literal('chargebacks'),
    /** our field → the report's column header (compared without case and surrounding spaces) */
    columns: z.partialRecord(z.enum(REPORT_FIELDS), z.string().min(1).max(100)).refine((c) => REQUIRED.every((f) => c[f]), `columns must name ${REQUIRED.join(', ')}`),
    /** how dates are written in the report */
    dateFormat: z.enum(['YYYY-MM-DD', 'MM/DD/YYYY', 'DD/MM/YYYY']).default('MM/DD/YYYY'),
    /** a column that may carry a masked card number (first 6 / last 4); any other full card number refuses the file */
    maskedCardColumn: z.string().min(1).max(100).optional(),
    /** the largest file and the most rows one import takes */
    maxBytes: z.number().int().min(1024).max(20 * 1024 * 1024).default(2 * 1024 * 1024),
    maxRows: z.number().int().min(1).max(50_000).default(5_000),
  })
  .strict();
export type ReportOptions = z.output<typeof reportOptionsSchema>;

export interface ReportRowError {
  /** 1-based line in the file, the header being line 1 */
  line: number;
  errors: Array<{ field: string; message: string }>;
}

export interface ParsedReport {
  notices: Array<{ line: number; notice: ChargebackNotice }>;
  invalid: ReportRowError[];
  /** header columns the mapping does not use (shown, never stored) */
  ignoredColumns: string[];
}

const invalid = (message: string, details?: Record<string, unknown>) => new AppError(message, { code: 'CHARGEBACK_REPORT_INVALID', errorClass: 'business', httpStatus: 422, details });

/** "$1,234.50", "(12.00)", "-12.00" → "1234.50": disputes are amounts taken, shown either sign. */
function amountText(raw: string): string {
  const t = raw.trim().replace(/^\((.*)\)$/, '$1').replace(/^-/, '').replace(/^\$/, '').replace(/,(?=\d{3}(\D|$))/g, '');
  return t;
}

function dayText(raw: string, format: ReportOptions['dateFormat']): string {
  const t = raw.trim();
  if (!t) return t;
  if (/^\d{4}-\d{2}-\d{2}/.test(t)) return t.slice(0, 10);
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t);
  if (!m) return t; // the schema says what is wrong
  const [a, b, y] = [m[1]!.padStart(2, '0'), m[2]!.padStart(2, '0'), m[3]!];
  return format === 'DD/MM/YYYY' ? `${y}-${b}-${a}` : `${y}-${a}-${b}`;
}

/** A full card number anywhere but the masked-card column refuses the whole file (never stored, never echoed). */
function findCardNumber(records: string[][], header: string[], maskedColumn: number): { line: number; column: string } | undefined {
  for (let r = 0; r < records.length; r++) {
    const row = records[r]!;
    for (let c = 0; c < row.length; c++) {
      const cell = row[c] ?? '';
      for (const { digits } of cardLikeRuns(cell)) {
        if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits) && c !== maskedColumn) return { line: r + 2, column: header[c] ?? `#${c + 1}` };
        if (c === maskedColumn && digits.length >= 13) return { line: r + 2, column: header[c] ?? `#${c + 1}` };
      }
    }
  }
  return undefined;
}

/**
 * Read a chargeback report: every row a notice, or the row's errors. The file as a whole is refused
 * (CHARGEBACK_REPORT_INVALID / _CARD_DATA) when it is not CSV, too large, lacks a mapped column, or
 * carries a card number; a bad row only costs that row.
 */
export function parseChargebackReport(text: string | Buffer, options: ReportOptions, source: 'report' | 'manual' = 'report'): ParsedReport {
  const bytes = typeof text === 'string' ? Buffer.byteLength(text) : text.length;
  if (bytes === 0) throw invalid('the report is empty');
  if (bytes > options.maxBytes) throw invalid(`the report is ${bytes} bytes; at most ${options.maxBytes} are taken`, { bytes, maxBytes: options.maxBytes });
  const body = typeof text === 'string' ? text : text.toString('utf8');
  if (body.includes('\u0000')) throw invalid('the report is not a text (CSV) file');
  let records: string[][];
  try {
    records = parse(body, { bom: true, relax_column_count: true, skip_empty_lines: true, max_record_size: 64 * 1024, to: options.maxRows + 2 }) as string[][];
  } catch (err) {
    throw invalid(`the report is not valid CSV: ${(err as Error).message.slice(0, 200)}`);
  }
  const [header, ...rows] = records;
  if (!header) throw invalid('the report has no header row');
  if (rows.length > options.maxRows) throw invalid(`the report has more than ${options.maxRows} rows; split it`, { maxRows: options.maxRows });
  const norm = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');
  const index = new Map(header.map((h, i) => [norm(h), i]));
  const columnOf: Partial<Record<ReportField, number>> = {};
  const missing: string[] = [];
  for (const field of REPORT_FIELDS) {
    const name = options.columns[field];
    if (!name) continue;
    const i = index.get(norm(name));
    if (i === undefined) {
      if (REQUIRED.includes(field)) missing.push(name);
      continue;
    }
    columnOf[field] = i;
  }
  if (missing.length) throw invalid(`the report has no column ${missing.map((m) => `"${m}"`).join(', ')} (the columns mapping of the report trigger names it)`, { missing, header: header.map((h) => h.slice(0, 100)) });
  const maskedColumn = options.maskedCardColumn ? (index.get(norm(options.maskedCardColumn)) ?? -1) : -1;
  const card = findCardNumber(rows, header, maskedColumn);
  if (card) {
    throw new AppError(`the report carries a full card number (line ${card.line}, column "${card.column}"); it was refused and not stored`, { code: 'CHARGEBACK_REPORT_CARD_DATA', errorClass: 'business', httpStatus: 422, details: card });
  }
  const used = new Set(Object.values(columnOf));
  const out: ParsedReport = { notices: [], invalid: [], ignoredColumns: header.filter((_, i) => !used.has(i)).map((h) => h.slice(0, 100)) };
  rows.forEach((row, r) => {
    const line = r + 2;
    const cell = (f: ReportField) => {
      const i = columnOf[f];
      const v = i === undefined ? undefined : row[i]?.trim();
      return v === '' ? undefined : v;
    };
    const raw: Record<string, unknown> = { source };
    for (const f of REPORT_FIELDS) {
      const v = cell(f);
      if (v === undefined) continue;
      raw[f] = f === 'amount' || f === 'fee' ? amountText(v) : f === 'receivedOn' || f === 'respondBy' ? dayText(v, options.dateFormat) : v;
    }
    const parsed = chargebackNoticeSchema.safeParse(raw);
    if (parsed.success) out.notices.push({ line, notice: parsed.data });
    else out.invalid.push({ line, errors: parsed.error.issues.map((i) => ({ field: i.path.join('.') || 'row', message: i.message })) });
  });
  return out;
}

import { AppError } from '../../errors';
import type { GatewayServices } from '../../kernel/services';
import { Money } from '../../domain/money';
import { CHARGEBACK_API, CHARGEBACK_REPORT, CHARGEBACK_SOURCE, noticeKey, type ChargebackNotice } from './notice';
import { parseChargebackReport, reportOptionsSchema, type ReportOptions, type ReportRowError } from './report';

/**
 * How chargeback notices enter the pipeline, whichever door they come through: each is one inbox
 * row per case and stage (`chargeback` / `<case>:<stage>`), so the same report imported twice,
 * or the same case posted again, is one event. A case number already known with another
 * transaction or amount is refused (CHARGEBACK_CASE_CONFLICT): it is one dispute.
 */

export interface SubmitResult {
  caseNumber: string;
  stage: string;
  duplicate: boolean;
  inboxId: string;
}

function notPublished(claim: string): AppError {
  return new AppError(`no published flow takes chargebacks (trigger ${claim})`, { code: 'FLOW_NOT_PUBLISHED', errorClass: 'configuration', httpStatus: 503 });
}

async function conflictCheck(services: GatewayServices, notice: ChargebackNotice): Promise<void> {
  const stored = await services.db('chargebacks').where({ case_number: notice.caseNumber }).first<{ paytrace_transaction_id: string; amount: string; currency: string } | undefined>('paytrace_transaction_id', 'amount', 'currency');
  const earlier = stored
    ? { transactionId: String(stored.paytrace_transaction_id), amount: stored.amount, currency: stored.currency }
    : ((await services.db('inbox').where({ source: CHARGEBACK_SOURCE }).andWhereLike('dedupe_key', `${notice.caseNumber.replace(/[\\%_]/g, '\\$&')}:%`).orderBy('id').first<{ payload: ChargebackNotice } | undefined>('payload'))?.payload ?? undefined);
  if (!earlier) return;
  const sameAmount = Money.fromM3(earlier.amount, earlier.currency).equals(Money.parse(notice.amount, notice.currency));
  if (String(earlier.transactionId) !== notice.transactionId || !sameAmount) {
    throw new AppError(`chargeback case ${notice.caseNumber} was received for transaction ${String(earlier.transactionId)} and ${earlier.amount} ${earlier.currency}`, {
      code: 'CHARGEBACK_CASE_CONFLICT', errorClass: 'business', httpStatus: 409, details: { stored: { transactionId: String(earlier.transactionId), amount: earlier.amount } },
    });
  }
}

/** One notice into the pipeline (POST /api/chargebacks, manual entry, a report row). */
export async function submitNotice(services: GatewayServices, notice: ChargebackNotice, correlationId: string, claim: string = notice.source === 'report' ? CHARGEBACK_REPORT : CHARGEBACK_API): Promise<SubmitResult> {
  const pipeline = services.pipeline;
  if (!pipeline) throw notPublished(claim);
  await conflictCheck(services, notice);
  const result = await pipeline.ingestClaim(claim, { source: CHARGEBACK_SOURCE, dedupeKey: noticeKey(notice), kind: `chargeback.${notice.stage}`, payload: notice, correlationId });
  if (!result) throw notPublished(claim);
  return { caseNumber: notice.caseNumber, stage: notice.stage, duplicate: result.duplicate, inboxId: result.inboxId };
}

/** The report trigger's options (the columns mapping) of the published chargeback flow. */
export function reportOptions(services: GatewayServices): ReportOptions {
  const published = services.pipeline?.flows.claimant(CHARGEBACK_REPORT);
  const trigger = published?.flow.triggers.find((t) => t.claim === CHARGEBACK_REPORT);
  if (!trigger) throw notPublished(CHARGEBACK_REPORT);
  return reportOptionsSchema.parse(trigger.options);
}

export interface ImportResult {
  rows: number;
  accepted: Array<{ line: number; caseNumber: string; stage: string }>;
  duplicates: Array<{ line: number; caseNumber: string; stage: string }>;
  conflicts: Array<{ line: number; caseNumber: string; message: string }>;
  invalid: ReportRowError[];
  ignoredColumns: string[];
}

/** A chargeback report (CSV): every valid row a notice; bad rows and conflicting cases are listed, not imported. */
export async function importReport(services: GatewayServices, file: string | Buffer, meta: { correlationId: string; source?: 'report' | 'manual' }): Promise<ImportResult> {
  const parsed = parseChargebackReport(file, reportOptions(services), meta.source ?? 'report');
  const result: ImportResult = { rows: parsed.notices.length + parsed.invalid.length, accepted: [], duplicates: [], conflicts: [], invalid: parsed.invalid, ignoredColumns: parsed.ignoredColumns };
  for (const { line, notice } of parsed.notices) {
    try {
      const r = await submitNotice(services, notice, `${meta.correlationId}:${line}`, CHARGEBACK_REPORT);
      (r.duplicate ? result.duplicates : result.accepted).push({ line, caseNumber: r.caseNumber, stage: r.stage });
    } catch (err) {
      if (err instanceof AppError && err.code === 'CHARGEBACK_CASE_CONFLICT') result.conflicts.push({ line, caseNumber: notice.caseNumber, message: err.message });
      else throw err;
    }
  }
  services.logger.info('chargeback report imported', { rows: result.rows, accepted: result.accepted.length, duplicates: result.duplicates.length, conflicts: result.conflicts.length, invalid: result.invalid.length });
  return result;
}

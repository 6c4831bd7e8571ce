import type { Request } from 'express';
import { z } from 'zod';
import { AppError } from '../errors';
import { invalidRequest } from '../http/validation';
import { audit } from '../store/audit';
import { caseOr404, caseSummary, listCases } from '../triggers/chargeback/cases';
import { gatherEvidence, renderEvidencePdf } from '../triggers/chargeback/evidence';
import { importReport, submitNotice } from '../triggers/chargeback/intake';
import { chargebackNoticeSchema } from '../triggers/chargeback/notice';
import { CASE_STATUSES } from '../domain/chargeback';
import { Download } from './download';
import { adminBadRequest, type AdminEndpoint } from './endpoint';
import { actorOf } from './guard';


const listQuery = z.object({ status: z.enum(CASE_STATUSES).optional() });
const upload = z.object({ csv: z.string().min(1).max(20 * 1024 * 1024), fileName: z.string().max(200).optional() });
const closeBody = z.object({ outcome: z.enum(['won', 'lost', 'accepted']), reason: z.string().trim().min(3, 'a reason of at least 3 characters is required').max(1000) });
const caseParam = (req: Request) => String(req.params.caseNumber).slice(0, 40);

/** The chargebacks page of the operator app: cases (deadline first), manual entry, report upload, evidence PDF. */
export const CHARGEBACK_ADMIN_ENDPOINTS: AdminEndpoint[] = [
  {
    method: 'get', path: '/admin/api/chargebacks', role: 'viewer',
    handler: async (req, _res, s) => {
      const q = listQuery.safeParse(req.query);
      if (!q.success) throw adminBadRequest(q.error.issues);
      return { cases: await listCases(s.db, q.data), summary: await caseSummary(s.db, s.config.admin.alerts.chargebackDeadlineHours), alertHours: s.config.admin.alerts.chargebackDeadlineHours };
    },
  },
  {
    method: 'get', path: '/admin/api/chargebacks/:caseNumber', role: 'viewer',
    handler: async (req, _res, s) => caseOr404(s.db, caseParam(req)),
  },
  {
    // manual entry: the same notice as POST /api/chargebacks, from the operator
    method: 'post', path: '/admin/api/chargebacks', role: 'operator',
    handler: async (req, res, s) => {
      const parsed = chargebackNoticeSchema.safeParse({ ...(req.body as object), source: 'manual', requestedBy: actorOf(res) });
      if (!parsed.success) throw invalidRequest('CHARGEBACK_INVALID', 'the chargeback is not valid', parsed.error);
      const result = await submitNotice(s, parsed.data, `manual:${parsed.data.caseNumber}`);
      await audit(s.db, { actor: actorOf(res), action: 'chargeback.entered', subjectType: 'chargeback', subjectId: result.caseNumber, details: { stage: result.stage, duplicate: result.duplicate } });
      res.status(202);
      return result;
    },
  },
  {
    method: 'post', path: '/admin/api/chargebacks/reports', role: 'operator',
    handler: async (req, res, s) => {
      const body = upload.safeParse(req.body);
      if (!body.success) throw adminBadRequest(body.error.issues);
      const result = await importReport(s, body.data.csv, { correlationId: `upload:${Date.now()}` });
      await audit(s.db, { actor: actorOf(res), action: 'chargeback.report.imported', subjectType: 'chargeback_report', subjectId: body.data.fileName ?? 'upload', details: { rows: result.rows, accepted: result.accepted.length, duplicates: result.duplicates.length, invalid: result.invalid.length, conflicts: result.conflicts.length } });
      return result;
    },
  },
  {
    // a case in review (the transaction is not ours) is handled by hand: the operator closes it with the outcome and a reason
    method: 'post', path: '/admin/api/chargebacks/:caseNumber/close', role: 'operator',
    handler: async (req, res, s) => {
      const body = closeBody.safeParse(req.body);
      if (!body.success) throw adminBadRequest(body.error.issues);
      const caseNumber = caseParam(req);
      await s.db.transaction(async (trx) => {
        const row = await trx('chargebacks').where({ case_number: caseNumber }).forUpdate().first<{ status: string; history: unknown[] } | undefined>('status', 'history');
        if (!row) throw new AppError(`no chargeback case ${caseNumber}`, { code: 'CHARGEBACK_NOT_FOUND', errorClass: 'business', httpStatus: 404 });
        if (row.status !== 'review') throw new AppError(`case ${caseNumber} is ${row.status}: only a case in review is closed by hand (the flow moves the others)`, { code: 'CHARGEBACK_NOT_IN_REVIEW', errorClass: 'business', httpStatus: 409 });
        const history = [...(row.history ?? []), { stage: body.data.outcome, at: new Date().toISOString(), source: 'manual' }];
        await trx('chargebacks').where({ case_number: caseNumber }).update({ status: body.data.outcome, resolved_at: trx.fn.now(), updated_at: trx.fn.now(), history: JSON.stringify(history) });
        await audit(trx, { actor: actorOf(res), action: 'chargeback.closed', subjectType: 'chargeback', subjectId: caseNumber, reason: body.data.reason, details: { outcome: body.data.outcome } });
      });
      return caseOr404(s.db, caseNumber);
    },
  },
  {
    method: 'get', path: '/admin/api/chargebacks/:caseNumber/evidence.pdf', role: 'operator',
    handler: async (req, res, s) => {
      const caseNumber = caseParam(req);
      const pdf = await renderEvidencePdf(await gatherEvidence(s, caseNumber));
      await audit(s.db, { actor: actorOf(res), action: 'chargeback.evidence.assembled', subjectType: 'chargeback', subjectId: caseNumber });
      return new Download(`chargeback-${caseNumber}-evidence.pdf`, 'application/pdf', Buffer.from(pdf));
    },
  },
];

import express, { type Express, type Request, type Response } from 'express';
import { maskCard } from './codes';
import { SIM_CHARGEBACK_STAGES, type SimChargeback, type SimChargebackStage } from './state';
import type { SimContext } from './wire';

export { SIM_CHARGEBACK_STAGES, type SimChargeback, type SimChargebackStage } from './state';

/**
 * Chargebacks (disputes). PayTrace's v1 API has no dispute endpoint (reference §4 lists none):
 * merchants learn of chargebacks in the merchant portal and its chargeback report. The simulator
 * raises one on a settled transaction (`POST /_sim/chargebacks`), moves it through its stages, and
 * serves the report as the portal's CSV export (`GET /_sim/chargebacks/report.csv`) [inferred
 * headers; the gateway's `report` trigger maps them]. A chargeback is taken from the merchant in
 * the next settlement batch (`chargeback_count`, `chargeback_amount` and a `net_amount` net of it),
 * and a won one is given back the same way.
 */

const STAGE_TEXT: Record<SimChargebackStage, string> = { received: 'Received', evidence_submitted: 'Evidence Submitted', won: 'Won', lost: 'Lost', accepted: 'Accepted' };
const day = (d: Date) => `${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}/${d.getUTCFullYear()}`;
const dollars = (cents: number) => (cents / 100).toFixed(2);
const csvCell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export const CHARGEBACK_REPORT_HEADER = ['Case Number', 'Transaction ID', 'Card Number', 'Card Type', 'Invoice', 'Chargeback Amount', 'Chargeback Fee', 'Status', 'Reason Code', 'Reason Description', 'Date Received', 'Reply By Date'];

export function chargebackReportCsv(ctx: SimContext): string {
  const lines = [CHARGEBACK_REPORT_HEADER.join(',')];
  for (const cb of ctx.state.chargebacks.values()) {
    const tx = ctx.state.transactions.get(cb.transactionId);
    lines.push(
      [cb.caseNumber, String(cb.transactionId), tx ? maskCard(tx.card.number, true) : '', tx?.card.brand ?? '', tx?.invoiceId ?? '', dollars(cb.amountCents), dollars(cb.feeCents), STAGE_TEXT[cb.stage], cb.reasonCode, cb.reason, day(cb.receivedAt), day(cb.respondBy)]
        .map(csvCell)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

function cents(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) value = value.toFixed(2);
  if (typeof value !== 'string' || !/^\d{1,9}(\.\d{1,2})?$/.test(value)) return undefined;
  const [whole, frac = ''] = value.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}

export function mountChargebacks(app: Express, ctx: SimContext): void {
  const json = express.json();
  app.get('/_sim/chargebacks', (_req, res) => {
    res.json({ chargebacks: [...ctx.state.chargebacks.values()] });
  });
  app.get('/_sim/chargebacks/report.csv', (_req, res) => {
    res.type('text/csv').attachment('chargebacks.csv').send(chargebackReportCsv(ctx));
  });
  /** raise a chargeback: {transactionId, amount?, fee?, reasonCode?, reason?, respondInDays?, caseNumber?} */
  app.post('/_sim/chargebacks', json, (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const tx = ctx.state.transactions.get(Number(body.transactionId));
    if (!tx) return void res.status(404).json({ error: `no transaction ${String(body.transactionId)}` });
    if (tx.status !== 'settled' || tx.type === 'REFUND') return void res.status(409).json({ error: `transaction ${tx.id} is ${tx.status} ${tx.type}: only a settled sale can be charged back` });
    const captured = (tx.capturedCents ?? tx.amountCents) - tx.refundedCents;
    const amount = body.amount === undefined ? captured : cents(body.amount);
    const fee = body.fee === undefined ? 1500 : cents(body.fee);
    if (amount === undefined || amount <= 0 || amount > captured) return void res.status(422).json({ error: `amount must be a positive decimal of at most ${dollars(captured)}` });
    if (fee === undefined) return void res.status(422).json({ error: 'fee must be a decimal amount' });
    const caseNumber = typeof body.caseNumber === 'string' && /^[A-Za-z0-9._-]{1,26}$/.test(body.caseNumber) ? body.caseNumber : ctx.state.nextChargebackCase();
    if (ctx.state.chargebacks.has(caseNumber)) return void res.status(409).json({ error: `case ${caseNumber} exists` });
    const now = ctx.clock.now();
    const days = typeof body.respondInDays === 'number' && body.respondInDays >= 0 ? body.respondInDays : 10;
    const cb: SimChargeback = {
      caseNumber,
      transactionId: tx.id,
      amountCents: amount,
      feeCents: fee,
      reasonCode: typeof body.reasonCode === 'string' ? body.reasonCode : '10.4',
      reason: typeof body.reason === 'string' ? body.reason : 'Other Fraud - Card Absent Environment',
      stage: 'received',
      receivedAt: now,
      respondBy: new Date(now.getTime() + days * 86_400_000),
    };
    ctx.state.chargebacks.set(caseNumber, cb);
    res.status(201).json(cb);
  });
  /** move a case: {stage: evidence_submitted | won | lost | accepted} */
  app.post('/_sim/chargebacks/:caseNumber/stage', json, (req: Request, res: Response) => {
    const cb = ctx.state.chargebacks.get(String(req.params.caseNumber));
    if (!cb) return void res.status(404).json({ error: 'no such case' });
    const stage = (req.body as { stage?: unknown } | undefined)?.stage;
    if (typeof stage !== 'string' || !(SIM_CHARGEBACK_STAGES as readonly string[]).includes(stage)) return void res.status(400).json({ error: `stage must be one of ${SIM_CHARGEBACK_STAGES.join(', ')}` });
    cb.stage = stage as SimChargebackStage;
    res.json(cb);
  });
}

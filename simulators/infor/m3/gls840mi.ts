import { formatCents, parseCents } from '../money';
import type { GlBatch } from '../state';
import type { MiCall, ProgramHandlers } from './engine';
import { NOK } from './mi-error';

/**
 * The PARM record layout of the simulator's FIM interface template (real layouts are defined
 * per tenant in GLS850): 1-based positions, amounts right-aligned with '.' decimals, a leading
 * '-' marks a credit.
 *   1-3 DIVI · 4-13 account (AIT1) · 14-21 accounting date yyyyMMdd · 22-24 currency ·
 *   25-41 amount · 42-81 voucher text
 */
export const GL_PARM_LAYOUT = {
  divi: [0, 3],
  account: [3, 13],
  accountingDate: [13, 21],
  currency: [21, 24],
  amount: [24, 41],
  text: [41, 81],
} as const;

export interface GlLine {
  divi: string;
  account: string;
  accountingDate: string;
  currency: string;
  cents: number;
  text: string;
}

export function parseGlParm(parm: string): GlLine | string {
  if (parm.length < GL_PARM_LAYOUT.amount[1]) return `record is shorter than ${GL_PARM_LAYOUT.amount[1]} positions`;
  const cut = ([from, to]: readonly [number, number]) => parm.slice(from, to).trim();
  const cents = parseCents(cut(GL_PARM_LAYOUT.amount));
  if (cents === null) return `amount "${cut(GL_PARM_LAYOUT.amount)}" in positions 25-41 is not an amount`;
  const account = cut(GL_PARM_LAYOUT.account);
  if (!account) return 'account in positions 4-13 is blank';
  const accountingDate = cut(GL_PARM_LAYOUT.accountingDate);
  if (!/^\d{8}$/.test(accountingDate)) return `accounting date "${accountingDate}" in positions 14-21 is not yyyyMMdd`;
  return { divi: cut(GL_PARM_LAYOUT.divi), account, accountingDate, currency: cut(GL_PARM_LAYOUT.currency), cents, text: cut(GL_PARM_LAYOUT.text) };
}

function batch(call: MiCall): GlBatch {
  const found = call.m3.glBatches.get(call.input.KEY1);
  if (!found) throw NOK.invalid('KEY1', 'Key value');
  return found;
}

function control(b: GlBatch): void {
  if (b.lines.length === 0) throw NOK.wrongStatus('KEY1', `Batch ${b.key1} has no lines`);
  let debit = 0;
  let credit = 0;
  for (const { line, parm } of b.lines) {
    const parsed = parseGlParm(parm);
    if (typeof parsed === 'string') throw NOK.badGlLine(line, parsed);
    if (parsed.cents >= 0) debit += parsed.cents;
    else credit -= parsed.cents;
  }
  if (debit !== credit) throw NOK.notBalanced(formatCents(debit), formatCents(credit));
  b.debitCents = debit;
  b.creditCents = credit;
  b.status = '20';
}

/** GLS840MI — Generic GL interface: a batch per unique KEY1, checked (CtrlBatch) then posted (UpdBatch) */
export const GLS840MI: ProgramHandlers = {
  AddBatchHead(call) {
    const key1 = call.input.KEY1;
    if (call.m3.glBatches.has(key1)) throw NOK.alreadyExists('KEY1', `Key value ${key1}`);
    if (!call.m3.setup.glInterfaces.includes(call.input.INTN ?? '')) throw NOK.invalid('INTN', 'Interface');
    call.m3.glBatches.set(key1, { key1, intn: call.input.INTN, desc: call.input.DESC, divi: call.divi, status: '10', lines: [], debitCents: 0, creditCents: 0, yea4: 0, vono: 0 });
    return { CONO: String(call.cono) };
  },
  /** remove a batch that is not updated yet (GLS840 option 4) */
  DelBatch(call) {
    const b = batch(call);
    if (b.status === '90') throw NOK.wrongStatus('KEY1', `Batch ${b.key1} is already updated`);
    call.m3.glBatches.delete(b.key1);
  },
  AddBatchLine(call) {
    const b = batch(call);
    if (b.status === '90') throw NOK.wrongStatus('KEY1', `Batch ${b.key1} is already updated`);
    const line = Number(call.input.LINE);
    if (line <= 0) throw NOK.mustBePositive('LINE', 'Line number');
    if (b.lines.some((l) => l.line === line)) throw NOK.alreadyExists('LINE', `Line ${line}`);
    b.lines.push({ line, parm: call.input.PARM });
    b.lines.sort((x, y) => x.line - y.line);
    b.status = '10';
    return { CONO: String(call.cono) };
  },
  CtrlBatch(call) {
    const b = batch(call);
    if (b.status === '90') throw NOK.wrongStatus('KEY1', `Batch ${b.key1} is already updated`);
    control(b);
    return { CONO: String(call.cono) };
  },
  UpdBatch(call) {
    const b = batch(call);
    if (b.status === '90') throw NOK.wrongStatus('KEY1', `Batch ${b.key1} is already updated`);
    control(b);
    call.m3.counters.voucher += 1;
    b.status = '90';
    b.yea4 = new Date().getUTCFullYear();
    b.vono = call.m3.counters.voucher;
    return { CONO: String(call.cono) };
  },
  LstBatchHead(call) {
    return [...call.m3.glBatches.values()]
      .filter((b) => call.input.KEY1 === undefined || b.key1 === call.input.KEY1)
      .map((b) => ({
        CONO: String(call.cono), DIVI: b.divi, KEY1: b.key1, INTN: b.intn, DESC: b.desc, STAT: b.status, NLIN: String(b.lines.length),
        DSUM: formatCents(b.debitCents), CSUM: formatCents(b.creditCents), YEA4: b.yea4 ? String(b.yea4) : '', VONO: b.vono ? String(b.vono) : '',
      }));
  },
  LstBatchLine(call) {
    const b = batch(call);
    return b.lines.map((l) => ({ CONO: String(call.cono), KEY1: b.key1, LINE: String(l.line), PARM: l.parm }));
  },
};

import type { M3Executor, M3Scope } from './executor';

/**
 * The PARM record of the GL interface template (GLS850, usage type 1). Real layouts are
 * defined per tenant, so positions are configuration; this default is the one the simulator's
 * template uses: DIVI 1-3 · account 4-13 · accounting date 14-21 · currency 22-24 ·
 * amount 25-41 (right-aligned, '.' decimals, '-' = credit) · voucher text 42-81.
 */
export interface GlInterfaceLayout {
  /** interface name (INTN) defined in GLS850 */
  interfaceName: string;
  fields: { divi: [number, number]; account: [number, number]; accountingDate: [number, number]; currency: [number, number]; amount: [number, number]; text: [number, number] };
}

export const DEFAULT_GL_LAYOUT: GlInterfaceLayout = {
  interfaceName: 'PAYTRACE',
  fields: { divi: [1, 3], account: [4, 13], accountingDate: [14, 21], currency: [22, 24], amount: [25, 41], text: [42, 81] },
};

export interface GlPostingLine {
  account: string;
  /** signed decimal text: positive = debit, negative = credit */
  amount: string;
  currency: string;
  text: string;
}

export function glParm(layout: GlInterfaceLayout, divi: string, accountingDate: string, line: GlPostingLine): string {
  const width = Math.max(...Object.values(layout.fields).map(([, to]) => to));
  const record = Array.from({ length: width }, () => ' ');
  const put = ([from, to]: [number, number], value: string, align: 'left' | 'right' = 'left') => {
    const size = to - from + 1;
    if (value.length > size) throw new Error(`GL interface field of ${size} positions cannot hold "${value}"`);
    const padded = align === 'right' ? value.padStart(size) : value.padEnd(size);
    for (let i = 0; i < size; i++) record[from - 1 + i] = padded[i]!;
  };
  put(layout.fields.divi, divi);
  put(layout.fields.account, line.account);
  put(layout.fields.accountingDate, accountingDate);
  put(layout.fields.currency, line.currency);
  put(layout.fields.amount, line.amount, 'right');
  put(layout.fields.text, line.text.slice(0, layout.fields.text[1] - layout.fields.text[0] + 1));
  return record.join('').trimEnd();
}

/**
 * A GL batch posted through GLS840MI: head with our unique KEY1, lines, control, update.
 * Resumable: it reads back what an earlier attempt left (the head, the lines present) and adds
 * only what is missing, so a retry after an unknown outcome never posts a line twice.
 */
export async function postGlBatch(
  m3: M3Executor,
  scope: M3Scope,
  layout: GlInterfaceLayout,
  batch: { key1: string; description: string; accountingDate: string; lines: GlPostingLine[] },
): Promise<{ key1: string; resumed: boolean }> {
  const existing = await findGlBatch(m3, scope, batch.key1);
  if (existing?.STAT === '90') return { key1: batch.key1, resumed: true };
  if (!existing) {
    await m3.execute('GLS840MI', 'AddBatchHead', { CONO: String(scope.cono), KEY1: batch.key1, INTN: layout.interfaceName, DESC: batch.description.slice(0, 40), DIVI: scope.divi }, scope);
  }
  const present = existing
    ? new Set((await m3.execute('GLS840MI', 'LstBatchLine', { CONO: String(scope.cono), KEY1: batch.key1, DIVI: scope.divi }, { ...scope, maxrecs: 0 })).records.map((r) => Number(r.LINE)))
    : new Set<number>();
  for (const [index, line] of batch.lines.entries()) {
    const lineNo = index + 1;
    if (present.has(lineNo)) continue;
    await m3.execute('GLS840MI', 'AddBatchLine', { CONO: String(scope.cono), KEY1: batch.key1, LINE: String(lineNo), PARM: glParm(layout, scope.divi, batch.accountingDate, line), DIVI: scope.divi }, scope);
  }
  await m3.execute('GLS840MI', 'CtrlBatch', { CONO: String(scope.cono), KEY1: batch.key1, DIVI: scope.divi }, scope);
  await m3.execute('GLS840MI', 'UpdBatch', { CONO: String(scope.cono), KEY1: batch.key1, DIVI: scope.divi }, scope);
  return { key1: batch.key1, resumed: existing !== undefined };
}

/** The GL interface batch with KEY1 `key1`, if M3 has it (GLS840MI/LstBatchHead). */
export async function findGlBatch(m3: M3Executor, scope: M3Scope, key1: string): Promise<Record<string, string> | undefined> {
  const { records } = await m3.execute('GLS840MI', 'LstBatchHead', { CONO: String(scope.cono), KEY1: key1 }, { ...scope, maxrecs: 0 });
  return records.find((r) => r.KEY1 === key1);
}

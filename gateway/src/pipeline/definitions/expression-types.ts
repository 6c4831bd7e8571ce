import type { z } from 'zod';

/**
 * What an expression can give, read from its syntax tree and what the definition knows — the
 * payments ledger's columns, the output schemas of the step types — without running it. The
 * validator uses it where a literal is not enough: a money input fed by something that is not
 * money, an M3 field fed by text that can be longer than the field or of the wrong type.
 * "unknown" is never an error: only what is certain is flagged.
 */

export type ValueKind = 'string' | 'number' | 'boolean' | 'money' | 'object' | 'unknown';

export interface InferredType {
  kind: ValueKind;
  /** the longest text it can give, when that is known */
  maxLength?: number;
  /** where a path leads, for messages: `payment.cuno` */
  source?: string;
  /** a ledger column that is known not to be money (`payment.cuno`) */
  notMoney?: boolean;
}

export interface TypeContext {
  /** the output schema of the step with this id (undefined: unknown step or no schema) */
  stepOutput(stepId: string): Record<string, z.ZodType> | undefined;
}

/** The payments ledger's columns as the run document's `payment` holds them (numeric → decimal text, bigint → text). */
const PAYMENT_COLUMNS: Record<string, InferredType> = {
  id: { kind: 'string', maxLength: 36, notMoney: true },
  flow: { kind: 'string', notMoney: true },
  status: { kind: 'string', notMoney: true },
  reference: { kind: 'string', notMoney: true },
  correlation_id: { kind: 'string', notMoney: true },
  cono: { kind: 'number', notMoney: true },
  yea4: { kind: 'number', notMoney: true },
  divi: { kind: 'string', notMoney: true },
  cuno: { kind: 'string', notMoney: true },
  orno: { kind: 'string', notMoney: true },
  ivno: { kind: 'string', notMoney: true },
  currency: { kind: 'string', maxLength: 3, notMoney: true },
  local_currency: { kind: 'string', maxLength: 3, notMoney: true },
  amount: { kind: 'money' },
  local_amount: { kind: 'money' },
  exchange_rate: { kind: 'string', notMoney: true },
  paytrace_transaction_id: { kind: 'string', maxLength: 19, notMoney: true },
  paytrace_customer_id: { kind: 'string', notMoney: true },
  storefront_order_id: { kind: 'string', notMoney: true },
  ledger_state: { kind: 'string', notMoney: true },
  settlement_state: { kind: 'string', notMoney: true },
  parent_payment_id: { kind: 'string', maxLength: 36, notMoney: true },
};

const STRING_FUNCTIONS = new Set(['string', 'uppercase', 'lowercase', 'trim', 'substring', 'substringBefore', 'substringAfter', 'join', 'replace', 'pad', 'base64encode', 'formatBase', 'formatInteger']);
const SAME_LENGTH_FUNCTIONS = new Set(['uppercase', 'lowercase', 'trim', 'substringBefore', 'substringAfter']);
const NUMBER_FUNCTIONS = new Set(['number', 'round', 'floor', 'ceil', 'abs', 'sum', 'count', 'length', 'power', 'sqrt', 'average', 'max', 'min', 'random', 'toMillis']);
const BOOLEAN_FUNCTIONS = new Set(['boolean', 'exists', 'not', 'contains']);
const COMPARISONS = new Set(['=', '!=', '<', '<=', '>', '>=', 'and', 'or', 'in']);
const ARITHMETIC = new Set(['+', '-', '*', '/', '%']);

interface Node {
  type?: string;
  value?: unknown;
  steps?: Node[];
  lhs?: Node;
  rhs?: Node;
  expression?: Node;
  expressions?: Node[];
  arguments?: Node[];
  procedure?: Node;
  then?: Node;
  else?: Node;
  [key: string]: unknown;
}

const UNKNOWN: InferredType = { kind: 'unknown' };

export function inferType(ast: unknown, ctx: TypeContext): InferredType {
  const n = ast as Node;
  if (!n || typeof n !== 'object') return UNKNOWN;
  switch (n.type) {
    case 'string':
      return { kind: 'string', maxLength: String(n.value).length };
    case 'number':
      return { kind: 'number', maxLength: String(n.value).length };
    case 'value':
      return typeof n.value === 'boolean' ? { kind: 'boolean' } : UNKNOWN;
    case 'unary':
      return n.value === '-' ? { kind: 'number' } : UNKNOWN;
    case 'binary': {
      const op = String(n.value);
      if (COMPARISONS.has(op)) return { kind: 'boolean' };
      if (ARITHMETIC.has(op)) return { kind: 'number' };
      if (op === '&') {
        const l = inferType(n.lhs, ctx);
        const r = inferType(n.rhs, ctx);
        return { kind: 'string', maxLength: l.maxLength !== undefined && r.maxLength !== undefined && l.kind !== 'unknown' && r.kind !== 'unknown' ? l.maxLength + r.maxLength : undefined };
      }
      return UNKNOWN;
    }
    case 'condition': {
      if (!n.else) return UNKNOWN;
      const a = inferType(n.then, ctx);
      const b = inferType(n.else, ctx);
      if (a.kind !== b.kind) return UNKNOWN;
      return { kind: a.kind, maxLength: a.maxLength !== undefined && b.maxLength !== undefined ? Math.max(a.maxLength, b.maxLength) : undefined };
    }
    case 'block':
      return n.expressions?.length === 1 ? inferType(n.expressions[0], ctx) : UNKNOWN;
    case 'function': {
      const name = typeof n.procedure?.value === 'string' ? n.procedure.value : '';
      const args = n.arguments ?? [];
      if (name === 'amount' || name.startsWith('money')) return { kind: name === 'moneyEquals' ? 'boolean' : 'money' };
      if (NUMBER_FUNCTIONS.has(name)) return { kind: 'number' };
      if (BOOLEAN_FUNCTIONS.has(name)) return { kind: 'boolean' };
      if (STRING_FUNCTIONS.has(name)) {
        const first = args[0] ? inferType(args[0], ctx) : UNKNOWN;
        if (name === 'substring' && args[2]?.type === 'number') return { kind: 'string', maxLength: Math.max(0, Number(args[2].value)) };
        if (SAME_LENGTH_FUNCTIONS.has(name) || (name === 'string' && first.kind === 'string')) return { kind: 'string', maxLength: first.maxLength };
        return { kind: 'string' };
      }
      return UNKNOWN;
    }
    case 'path':
      return pathType(n.steps ?? [], ctx);
    default:
      return UNKNOWN;
  }
}

/** `payment.<column>` and `steps.<id>.<field>`: plain names only (a predicate or a further step: unknown). */
function pathType(steps: Node[], ctx: TypeContext): InferredType {
  const plain = steps.every((s) => s.type === 'name' && typeof s.value === 'string' && Object.keys(s).every((k) => k === 'type' || k === 'value' || k === 'position'));
  if (!plain) return UNKNOWN;
  const names = steps.map((s) => String(s.value));
  if (names[0] === 'payment' && names.length === 2) {
    const column = PAYMENT_COLUMNS[names[1]!];
    return column ? { ...column, source: names.join('.') } : UNKNOWN;
  }
  if (names[0] === 'steps' && names.length === 3) {
    const field = ctx.stepOutput(names[1]!)?.[names[2]!];
    return field ? { ...zodType(field), source: `steps.${names[1]}.${names[2]}` } : UNKNOWN;
  }
  return UNKNOWN;
}

/** The kind (and for text, the longest length) a zod schema of a step's output field allows. */
function zodType(schema: z.ZodType): InferredType {
  const s = schema as unknown as { def?: { type?: string; innerType?: z.ZodType; in?: z.ZodType }; maxLength?: number | null };
  switch (s.def?.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
      return s.def.innerType ? zodType(s.def.innerType) : UNKNOWN;
    case 'pipe':
      return s.def.in ? zodType(s.def.in) : UNKNOWN;
    case 'string':
      return { kind: 'string', maxLength: s.maxLength ?? undefined };
    case 'number':
    case 'int':
      return { kind: 'number' };
    case 'boolean':
      return { kind: 'boolean' };
    case 'object':
    case 'array':
    case 'record':
      return { kind: 'object' };
    default:
      return UNKNOWN;
  }
}

/** Why a value of this type cannot feed a money input, or undefined when it can (or it is not known). */
export function notMoneyReason(t: InferredType): string | undefined {
  const from = t.source ? ` (${t.source})` : '';
  if (t.kind === 'boolean') return `it gives true or false${from}`;
  if (t.kind === 'number' && t.source) return `it gives a number${from}: numbers are floats and lose cents`;
  if (t.notMoney) return `${t.source ?? 'it'} is not an amount`;
  return undefined;
}

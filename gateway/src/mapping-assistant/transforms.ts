import type { AddressRules } from '../domain/address';
import type { Pattern } from './patterns';
import type { SourceField } from './source';
import type { TargetField, TargetKind } from './types';

/**
 * The JSONata expression proposed for a (target field, source field) pair: the plain path, or the
 * path inside one of the mapping functions (jsonata/functions.ts) when the target needs another
 * form — a date as yyyyMMdd, money with the currency's decimals, a street split into CUA1–CUA4
 * by the address rules, a country/region/postal code as M3 keeps it, a long text cut to length.
 */

export type TransformKind = 'none' | 'date' | 'amount' | 'street' | 'country' | 'region' | 'postal' | 'truncate';

export interface Proposal {
  expression: string;
  transform: TransformKind;
  /** a few words for the reason ("date → yyyyMMdd") */
  note?: string;
}

export interface TransformContext {
  kind: TargetKind;
  rules: AddressRules;
  /** every leaf of the sample, to find a street's sibling lines and the currency beside an amount */
  sources: readonly SourceField[];
  /** what the target expects (patterns.ts) */
  expected: readonly Pattern[];
  /** the target is money / currency … (sensitive.ts) */
  money: boolean;
}

const STREET_FIELD = /^(CUA|PYA|ADR)([1-4])$/;
const NOT_STREET = new Set(['city', 'postal', 'region', 'country', 'email', 'phone', 'fax', 'name', 'first', 'last', 'contact', 'type', 'id', 'date']);

/** the street lines of the object a source field sits in, in sample order */
function streetLines(source: SourceField, sources: readonly SourceField[]): SourceField[] {
  const isStreet = (s: SourceField) =>
    s.valueType === 'string' && (s.leafTokens.includes('address') || s.leafTokens.includes('line')) && !s.leafTokens.some((t) => NOT_STREET.has(t));
  if (!isStreet(source)) return [];
  return sources.filter((s) => s.parent === source.parent && isStreet(s));
}

/** the nearest currency field: same object first, then its ancestors, then anywhere */
function currencyBeside(source: SourceField, sources: readonly SourceField[]): SourceField | undefined {
  const currencies = sources.filter((s) => s.patterns.includes('currency') && (s.leafTokens.includes('currency') || s.leafTokens.includes('id') || s.leafTokens.length <= 2));
  const depth = (s: SourceField) => s.keys.length;
  return (
    currencies.find((c) => c.parent === source.parent) ??
    currencies.filter((c) => source.parent.startsWith(c.parent)).sort((a, b) => depth(b) - depth(a))[0] ??
    currencies.sort((a, b) => depth(a) - depth(b))[0]
  );
}

function countryBeside(source: SourceField, sources: readonly SourceField[]): SourceField | undefined {
  return sources.find((s) => s.parent === source.parent && s.leafTokens.includes('country'));
}

export function propose(target: TargetField, source: SourceField, ctx: TransformContext): Proposal {
  const path = source.path;
  const street = ctx.kind === 'm3' ? STREET_FIELD.exec(target.name) : null;
  if (street) {
    const lines = streetLines(source, ctx.sources);
    if (lines.length > 0) {
      return { expression: `$street([${lines.map((l) => l.path).join(', ')}], ${street[2]})`, transform: 'street', note: `street line ${street[2]} of ${lines.length} by the address rules` };
    }
  }
  const isDate = source.patterns.includes('date') || source.patterns.includes('datetime');
  if ((target.type === 'date' || ctx.expected.includes('date')) && isDate) {
    if (ctx.kind === 'm3' && !/^\d{8}$/.test(String(source.value))) return { expression: `$dateYMD(${path})`, transform: 'date', note: 'date → yyyyMMdd' };
    if (ctx.kind === 'paytrace') return { expression: `$dateMDY(${path})`, transform: 'date', note: 'date → MM/DD/YYYY' };
  }
  if (ctx.money && ctx.expected.includes('amount') && source.patterns.includes('amount') && target.type !== 'alpha') {
    if (ctx.kind === 'paytrace') return { expression: `$amount(${path}, "USD")`, transform: 'amount', note: 'money → 2 decimals (PayTrace is USD only)' };
    if (ctx.kind === 'm3') {
      const currency = currencyBeside(source, ctx.sources);
      return currency
        ? { expression: `$amount(${path}, ${currency.path})`, transform: 'amount', note: `money → decimals of ${currency.path}` }
        : { expression: `$amount(${path})`, transform: 'amount', note: 'money → plain decimal' };
    }
  }
  if (ctx.kind === 'm3' && typeof source.value === 'string') {
    const value = source.value.trim();
    if (ctx.expected.includes('country') && !(value.length <= 3 && /^[A-Z]+$/.test(value))) return { expression: `$countryCode(${path})`, transform: 'country', note: 'country → ISO code by the address rules' };
    if (ctx.expected.includes('region') && value.length > 2) {
      const country = countryBeside(source, ctx.sources);
      return { expression: country ? `$regionCode(${path}, ${country.path})` : `$regionCode(${path})`, transform: 'region', note: 'state name → code' };
    }
    if (ctx.expected.includes('postal') && target.length !== undefined && value.length > 0) {
      const country = countryBeside(source, ctx.sources);
      return { expression: country ? `$postalCode(${path}, ${country.path})` : `$postalCode(${path})`, transform: 'postal', note: 'postal code formatted' };
    }
  }
  if (target.type === 'alpha' && target.length !== undefined && source.valueType === 'string' && source.length > target.length && !source.patterns.some((p) => p !== 'text')) {
    return { expression: `$substring(${path}, 0, ${target.length})`, transform: 'truncate', note: `text cut to ${target.length}` };
  }
  if (ctx.kind === 'paytrace' && ctx.expected.includes('country') && typeof source.value === 'string' && source.value.trim().length > 2) {
    return { expression: `$countryCode(${path})`, transform: 'country', note: 'country → ISO code' };
  }
  return { expression: path, transform: 'none' };
}

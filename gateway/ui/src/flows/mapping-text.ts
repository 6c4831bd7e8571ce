import type { RawMapping } from '../../../src/admin/flow-builder-types';

/** A mapping as the admin edits it: an expression as written, JSON for objects, numbers and booleans. */
export const mappingText = (m: RawMapping | undefined): string => (m === undefined ? '' : typeof m === 'string' ? m : JSON.stringify(m, null, 1));

/** What the admin typed as a mapping: JSON for objects, numbers and booleans; an expression otherwise; nothing: none. */
export function mappingOf(value: string): RawMapping | undefined {
  const t = value.trim();
  if (!t) return undefined;
  if (/^[[{]/.test(t) || /^(-?\d+(\.\d+)?|true|false|null)$/.test(t)) {
    try {
      return JSON.parse(t) as RawMapping;
    } catch {
      return value;
    }
  }
  return value;
}

import { tokens } from './vocabulary';

/**
 * The M3 abbreviation dictionary, built from field descriptions in M3's own metadata (MRS001MI
 * LstFields over many transactions): CUNO → "Customer number", PYNO → "Payer", CUA1 → "Customer
 * address 1". M3 names are two 2-letter parts (CU+NO, PY+NO, IV+NO, OR+NO, CU+CD), so the
 * dictionary also learns what each part means from the names it has seen (CU… → customer, …NO →
 * number, …DT → date) and can read a name it has never seen (PYDT → payer date). Used for target
 * names and for samples that are an earlier M3 step's output (keys CUNO, CUNM, RAFC …).
 */

export interface M3FieldDescription {
  name: string;
  description: string;
}

export interface M3Dictionary {
  /** the description tokens of a field name: known name first, else its parts; empty if unknown */
  expand(name: string): string[];
  /** the most common description of a known name */
  describe(name: string): string | undefined;
  /** how many field names it knows */
  size: number;
}

const M3_NAME = /^[A-Z0-9]{4}$/;
/** M3's placeholder texts for a field nobody described ("New field description", "Alpha field A030"): they say nothing */
const PLACEHOLDER = /^(new field description|(alpha|numeric) field [A-Z0-9]{4})$/i;

/** Build the dictionary from (name, description) rows; repeated rows count as more evidence. */
export function buildM3Dictionary(rows: readonly M3FieldDescription[]): M3Dictionary {
  const descriptions = new Map<string, Map<string, number>>();
  for (const { name, description } of rows) {
    if (!M3_NAME.test(name) || !description.trim() || PLACEHOLDER.test(description.trim())) continue;
    const byText = descriptions.get(name) ?? new Map<string, number>();
    const key = description.trim();
    byText.set(key, (byText.get(key) ?? 0) + 1);
    descriptions.set(name, byText);
  }
  const best = new Map<string, string>();
  for (const [name, texts] of descriptions) {
    best.set(name, [...texts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0]);
  }

  // part@position → concept → number of names whose description has that concept
  const parts = new Map<string, Map<string, number>>();
  const partNames = new Map<string, number>();
  for (const [name, description] of best) {
    const concepts = new Set(tokens(description).filter((t) => !/^\d+$/.test(t)));
    for (const [part, at] of [
      [name.slice(0, 2), 0],
      [name.slice(2, 4), 2],
    ] as const) {
      const key = `${part}@${at}`;
      partNames.set(key, (partNames.get(key) ?? 0) + 1);
      const counts = parts.get(key) ?? new Map<string, number>();
      for (const c of concepts) counts.set(c, (counts.get(c) ?? 0) + 1);
      parts.set(key, counts);
    }
  }
  /** concepts a part stands for: seen in at least 3 names and in at least 40 % of the names with that part */
  const partMeaning = (key: string): string[] => {
    const total = partNames.get(key) ?? 0;
    const counts = parts.get(key);
    if (!counts || total < 3) return [];
    return [...counts.entries()].filter(([, n]) => n >= 3 && n / total >= 0.4).map(([c]) => c);
  };

  return {
    size: best.size,
    describe: (name) => best.get(name.toUpperCase()),
    expand(name) {
      const upper = name.toUpperCase();
      if (!M3_NAME.test(upper)) return [];
      const known = best.get(upper);
      const digits = /\d$/.test(upper) ? [upper.slice(-1)] : [];
      // what M3 says the field is, plus what its two parts usually mean (PYNO "Payer" → payer + number)
      return [...new Set([...(known ? tokens(known) : []), ...partMeaning(`${upper.slice(0, 2)}@0`), ...partMeaning(`${upper.slice(2, 4)}@2`), ...digits])];
    },
  };
}

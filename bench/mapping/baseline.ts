import type { Ranker } from '../../gateway/src/mapping-assistant/evaluation';
import { flattenSample } from '../../gateway/src/mapping-assistant/source';

/**
 * The plain name-similarity baseline the matcher is compared with: each target field ranks the
 * sample's leaves by the Dice coefficient of character bigrams between the field's name plus
 * description and the leaf's key (lower case, letters and digits only). No lexicon, no M3
 * dictionary, no value patterns, no learned weights; the path is proposed as it is.
 */
function bigrams(text: string): Map<string, number> {
  const s = text.toLowerCase().replace(/[^a-z0-9]/g, '');
  const out = new Map<string, number>();
  for (let i = 0; i < s.length - 1; i++) out.set(s.slice(i, i + 2), (out.get(s.slice(i, i + 2)) ?? 0) + 1);
  return out;
}

export function dice(a: string, b: string): number {
  const x = bigrams(a);
  const y = bigrams(b);
  let common = 0;
  let total = 0;
  for (const [g, n] of x) {
    common += Math.min(n, y.get(g) ?? 0);
    total += n;
  }
  for (const n of y.values()) total += n;
  return total ? (2 * common) / total : 0;
}

export const nameSimilarityRanker: Ranker = async (target, c) => {
  const sources = flattenSample(c.sample);
  return new Map(
    target.fields.map((field) => {
      const ranked = sources
        .map((s) => {
          const key = s.keys[s.keys.length - 1] ?? '';
          const score = Math.max(dice(field.name, key), dice(field.description, key));
          return { path: s.path, transform: 'none', confidence: score };
        })
        .sort((a, b) => b.confidence - a.confidence)
        .slice(0, 3);
      return [field.name, ranked];
    }),
  );
};

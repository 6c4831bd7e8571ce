import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { WordWeights } from './features';
import { buildM3Dictionary, type M3Dictionary, type M3FieldDescription } from './m3-dictionary';
import type { MatcherModel } from './model';

/**
 * What the matcher knows before it sees a target: the M3 field descriptions its abbreviation
 * dictionary and word weights come from (data/m3-fields.json, read from MRS001MI by
 * `npm run map -- dictionary`) and the learned model (data/model.json, fitted on the tuning split
 * by `npm run map -- train`). Both ship with the code: nothing is fetched at run time.
 */
export interface Knowledge {
  dictionary: M3Dictionary;
  weights: WordWeights;
  model: MatcherModel;
  descriptions: M3FieldDescription[];
}

// beside this file in the sources; a compiled build (dist/) reads the sources' copy
export const DATA_DIR = existsSync(path.join(__dirname, 'data', 'model.json')) ? path.join(__dirname, 'data') : path.resolve('gateway/src/mapping-assistant/data');

export function knowledgeFrom(descriptions: M3FieldDescription[]): Omit<Knowledge, 'model'> {
  return { dictionary: buildM3Dictionary(descriptions), weights: new WordWeights(descriptions.map((d) => d.description)), descriptions };
}

export function readDescriptions(dir = DATA_DIR): M3FieldDescription[] {
  const fields = JSON.parse(readFileSync(path.join(dir, 'm3-fields.json'), 'utf8')) as { fields: Array<[string, string]> };
  return fields.fields.map(([name, description]) => ({ name, description }));
}

let cached: Knowledge | undefined;

export function loadKnowledge(dir = DATA_DIR): Knowledge {
  if (dir === DATA_DIR && cached) return cached;
  const model = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')) as MatcherModel;
  const knowledge = { ...knowledgeFrom(readDescriptions(dir)), model };
  if (dir === DATA_DIR) cached = knowledge;
  return knowledge;
}

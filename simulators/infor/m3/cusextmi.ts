import { today, type M3Fields } from '../state';
import type { MiCall, ProgramHandlers } from './engine';
import { NOK } from './mi-error';

const KEY_FIELDS = ['PK01', 'PK02', 'PK03', 'PK04', 'PK05', 'PK06', 'PK07', 'PK08'];
const VALUE_FIELDS = ['A030', 'A130', 'A230', 'A330', 'A430', 'N096', 'N196', 'N296', 'N396', 'N496'];

function key(call: MiCall): string {
  return [call.input.FILE, ...KEY_FIELDS.map((k) => call.input[k] ?? '')].join('|');
}

function existing(call: MiCall): M3Fields {
  const found = call.m3.cusext.get(key(call));
  if (!found) throw NOK.recordMissing('PK01', `Record ${call.input.FILE}/${call.input.PK01}`);
  return found;
}

function setValues(call: MiCall, record: M3Fields): void {
  for (const field of VALUE_FIELDS) if (call.input[field] !== undefined) record[field] = call.input[field];
  record.LMDT = today();
}

/**
 * CUSEXTMI — custom extension table (CUGEX1-style): free values stored against any key, e.g. a
 * payment-link id against an invoice. Field names are inferred (see catalog.ts).
 */
export const CUSEXTMI: ProgramHandlers = {
  AddFieldValue(call) {
    const k = key(call);
    if (call.m3.cusext.has(k)) throw NOK.alreadyExists('PK01', `Record ${call.input.FILE}/${call.input.PK01}`);
    const record: M3Fields = { CONO: String(call.cono), FILE: call.input.FILE, RGDT: today() };
    for (const field of KEY_FIELDS) record[field] = call.input[field] ?? '';
    setValues(call, record);
    call.m3.cusext.set(k, record);
  },
  ChgFieldValue(call) {
    setValues(call, existing(call));
  },
  GetFieldValue: (call) => existing(call),
  DelFieldValue(call) {
    existing(call);
    call.m3.cusext.delete(key(call));
  },
  LstFieldValue(call) {
    return [...call.m3.cusext.values()].filter(
      (r) => r.FILE === call.input.FILE && KEY_FIELDS.every((k) => call.input[k] === undefined || r[k] === call.input[k]),
    );
  },
};

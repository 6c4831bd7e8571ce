import { CATALOG, inputLength, type TransactionSpec } from './catalog';
import type { MiCall, ProgramHandlers } from './engine';
import { NOK } from './mi-error';

const MULTI = /^(Lst|Search|Sel)/;

/** every program the repository describes: the ones served plus the metadata-only ones (catalog.ts) */
function described(served: () => string[]): string[] {
  return [...new Set([...served(), ...Object.keys(CATALOG)])].filter((name) => Object.hasOwn(CATALOG, name)).sort();
}

function program(call: MiCall, served: () => string[]) {
  const name = call.input.MINM;
  if (!described(served).includes(name)) throw NOK.invalid('MINM', 'Program name');
  return CATALOG[name];
}

/** an input field's length: as M3 tells it for the field, 8 for a date (yyyyMMdd), else 30 */
function inputFieldLength(t: TransactionSpec, name: string, type: string): number {
  return type === 'DateTime' ? 8 : (inputLength(t, name) ?? 30);
}

/**
 * MRS001MI — MI repository: the programs, transactions and fields this simulator describes
 * (those it runs and the metadata-only ones).
 */
export function createMRS001MI(served: () => string[]): ProgramHandlers {
  return {
    LstPrograms: () =>
      described(served).map((name) => ({ MINM: name, OBNM: name, MIDS: CATALOG[name].description, VERS: '16', CHID: 'M3SRVADM' })),
    LstTransactions(call) {
      const spec = program(call, served);
      return Object.entries(spec.transactions).map(([trnm, t]) => ({
        MINM: call.input.MINM, TRNM: trnm, TRDS: t.description, VERS: '16', STAT: '20', SIMU: MULTI.test(trnm) ? 'M' : 'S', CHID: 'M3SRVADM',
      }));
    },
    LstFields(call) {
      const spec = program(call, served);
      if (!Object.hasOwn(spec.transactions, call.input.TRNM)) throw NOK.invalid('TRNM', 'Transaction name');
      const t = spec.transactions[call.input.TRNM];
      if (call.input.TRTP !== 'I' && call.input.TRTP !== 'O') throw NOK.invalid('TRTP', 'Input/Output');
      let position = 1;
      const rows =
        call.input.TRTP === 'I'
          ? t.in.map(([name, mandatory, type, description]) => ({ name, description, length: inputFieldLength(t, name, type), kind: type === 'string' ? 'A' : 'N', mand: mandatory ? '1' : '0' }))
          : t.out.map(([name, type, length, description]) => ({ name, description, length, kind: type === 'A' ? 'A' : 'N', mand: '0' }));
      return rows.map((r) => {
        const from = position;
        position += r.length;
        return {
          MINM: call.input.MINM, TRNM: call.input.TRNM, TRTP: call.input.TRTP, FLNM: r.name, FLDS: r.description,
          FRPO: String(from), TOPO: String(from + r.length - 1), LENG: String(r.length), TYPE: r.kind, MAND: r.mand,
        };
      });
    },
  };
}

import type { Knex } from 'knex';
import { AppError } from '../errors';
import { loadM3Target, parseM3Target, type MetadataReader } from '../mapping-assistant/targets/m3';
import type { TargetSchema } from '../mapping-assistant/types';
import type { z } from 'zod';
import { objectShape, type CompileDeps, type TriggerType } from '../pipeline/definitions/compile';
import { LEDGER_FIELDS } from '../pipeline/definitions/schema';
import { EXACTLY_ONCE_EXPLAINED, type AnyStepType, type ExactlyOnce } from '../pipeline/step-contract';
import type { CatalogueStep, CatalogueTrigger, FlowCatalogue, M3Program, M3Transaction } from './flow-builder-types';

/**
 * The flow builder's server side beyond the version API: the palette (step and trigger
 * catalogues as the validator knows them) and the figures of the flow list. Validation itself is
 * the registry's compile, the same as `npm run flows -- validate` and start-up.
 */

function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

function stepEntry(t: AnyStepType): CatalogueStep {
  const inputs = objectShape(t.input) ?? {};
  const money = new Set(t.moneyInputs ?? []);
  const defaultConfig = t.config ? safe(() => t.config!.parse({}), undefined) : {};
  // most types fix their mechanism; for the others (m3.call: with or without a lookup) the validator says it per step
  const exactlyOnce: ExactlyOnce = safe(() => t.exactlyOnce(defaultConfig ?? {}), 'at-least-once');
  return {
    type: t.type,
    title: t.title,
    summary: t.summary,
    category: t.category,
    system: t.system,
    movesMoney: Boolean(t.movesMoney),
    exactlyOnce,
    exactlyOnceExplained: EXACTLY_ONCE_EXPLAINED[exactlyOnce],
    inputs: Object.entries(inputs).map(([name, schema]) => ({ name, required: !schema.safeParse(undefined).success, money: money.has(name) })),
    outputs: Object.keys((t.output && objectShape(t.output)) ?? {}),
    hasConfig: Boolean(t.config),
  };
}

/** Every choice of a trigger's enumerated options (`pay-page`: on charged, on declined). */
function optionSets(t: TriggerType): Array<Record<string, unknown>> {
  const shape = objectShape(t.options) ?? {};
  let sets: Array<Record<string, unknown>> = [{}];
  for (const [name, schema] of Object.entries(shape)) {
    const values = (schema as z.ZodType & { options?: unknown[] }).options;
    if (Array.isArray(values) && values.every((v) => typeof v === 'string')) sets = sets.flatMap((s) => values.map((v) => ({ ...s, [name]: v })));
  }
  return sets;
}

function triggerEntry(t: TriggerType): CatalogueTrigger {
  return {
    type: t.type,
    title: t.title,
    samples: optionSets(t).map((options) => ({ options, claim: safe(() => t.claim(options), t.type), event: safe(() => t.eventSample?.(options) ?? {}, {}) })),
  };
}

/** The palette: step types grouped by the order of the catalogue (PayTrace, M3, ION, notify, ledger, logic). */
export function flowCatalogue(deps: CompileDeps): FlowCatalogue {
  return {
    steps: [...deps.catalogue.list().map(stepEntry), BRANCH_ENTRY],
    triggers: deps.triggers.list().map(triggerEntry),
    ledgerFields: [...LEDGER_FIELDS, 'id', 'status', 'reference', 'flow'],
  };
}

/** `branch` is part of the language, not of the catalogue: the first branch whose condition holds runs. */
const BRANCH_ENTRY: CatalogueStep = {
  type: 'branch',
  title: 'Branch',
  summary: 'Runs the first branch whose condition holds, else "otherwise"',
  category: 'logic',
  system: 'none',
  movesMoney: false,
  exactlyOnce: 'read-only',
  exactlyOnceExplained: EXACTLY_ONCE_EXPLAINED['read-only'],
  inputs: [],
  outputs: [],
  hasConfig: false,
};

export interface FlowFigures {
  eventsToday: number;
  failuresToday: number;
  openDeadLetters: number;
}

/** Per flow: triggers received since the start of today in `timeZone`, how many failed, open dead letters. */
export async function flowFigures(db: Knex, timeZone: string): Promise<Map<string, FlowFigures>> {
  const today = await db('inbox')
    .whereNotNull('flow_id')
    .andWhereRaw(`received_at >= (date_trunc('day', now() at time zone ?) at time zone ?)`, [timeZone, timeZone])
    .groupBy('flow_id')
    .select<Array<{ flow_id: string; events: string; failures: string }>>('flow_id', db.raw('count(*) as events'), db.raw(`count(*) filter (where status in ('dead', 'rejected')) as failures`));
  const dead = await db('dead_letters').where({ status: 'open' }).groupBy('queue').select<Array<{ queue: string; open: string }>>('queue', db.raw('count(*) as open'));
  const out = new Map<string, FlowFigures>();
  const of = (id: string) => out.get(id) ?? out.set(id, { eventsToday: 0, failuresToday: 0, openDeadLetters: 0 }).get(id)!;
  for (const r of today) Object.assign(of(r.flow_id), { eventsToday: Number(r.events), failuresToday: Number(r.failures) });
  for (const r of dead) of(r.queue).openDeadLetters = Number(r.open);
  return out;
}

/**
 * The M3 picker of the step panel, from M3's own metadata (MRS001MI: the connected M3, or the
 * simulator in sandbox): programs, their transactions, and a transaction's input fields with
 * description, type, length and whether M3 needs them.
 */
export const m3Metadata = {
  async programs(m3: MetadataReader | undefined): Promise<M3Program[]> {
    const rows = (await reader(m3).execute('MRS001MI', 'LstPrograms', {}, { maxrecs: 0 })).records;
    return rows.map((r) => ({ program: String(r.MINM ?? '').trim(), description: String(r.MIDS ?? '').trim() })).filter((p) => p.program && p.program !== 'MRS001MI');
  },
  async transactions(m3: MetadataReader | undefined, program: string): Promise<M3Transaction[]> {
    parseM3Target(`${program}/Get`); // the program's name checked before M3 is asked
    const rows = (await reader(m3).execute('MRS001MI', 'LstTransactions', { MINM: program }, { maxrecs: 0 })).records;
    return rows.map((r) => ({ transaction: String(r.TRNM ?? '').trim(), description: String(r.TRDS ?? '').trim(), writes: !/^(Get|Lst|Search|Sel)/.test(String(r.TRNM ?? '')) }));
  },
  fields: (m3: MetadataReader | undefined, program: string, transaction: string): Promise<TargetSchema> => loadM3Target(reader(m3), `${program}/${transaction}`),
};

function reader(m3: MetadataReader | undefined): MetadataReader {
  if (!m3) throw new AppError('M3 is not configured (infor.ionapiFile): the picker needs M3 metadata', { code: 'MAPPING_M3_UNAVAILABLE', errorClass: 'configuration', httpStatus: 503 });
  return m3;
}

import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { M3Executor } from '../../infor/m3-programs/executor';
import type { IngestInput } from '../../pipeline/pipeline';
import { canonicalJson } from '../../pipeline/functions';
import { changeFromCrs610, type CustomerChange } from './customer-change';

/** The trigger a flow names to receive the customers the scheduled pull finds. */
export const CUSTOMER_PULL = 'm3-customer-pull';

/** One event per distinct content: the same customer unchanged is deduplicated at the inbox. */
export function customerDedupeKey(change: CustomerChange): string {
  const { source: _source, ...content } = change;
  return `${change.cono}:${change.cuno}:${createHash('sha256').update(canonicalJson(content)).digest('hex').slice(0, 32)}`;
}

/**
 * The scheduled pull for tenants without the Sync.CustomerPartyMaster document flow: customers
 * changed in M3 since the last pull (CRS610MI LstByNumber, LMDT from one day before the high-water
 * mark) become events of the flow that owns the trigger; unchanged content is deduplicated.
 */
export async function pullChangedCustomers(
  deps: { db: Knex; m3: M3Executor; store: (input: IngestInput) => Promise<{ duplicate: boolean } | undefined> },
  scope: { cono: number; divi: string },
  now = new Date(),
): Promise<{ seen: number; queued: number }> {
  const name = `crs610-pull:${scope.cono}`;
  const state = await deps.db('poller_state').where({ name }).first<{ high_water_mark: Date | null } | undefined>();
  const since = state?.high_water_mark ? new Date(state.high_water_mark.getTime() - 86_400_000).toISOString().slice(0, 10).replace(/-/g, '') : '';
  const { records } = await deps.m3.execute('CRS610MI', 'LstByNumber', {}, { ...scope, maxrecs: 0 });
  let queued = 0;
  const changed = records.filter((r) => !since || !r.LMDT || r.LMDT >= since);
  for (const record of changed) {
    const change = changeFromCrs610(scope.cono, record);
    const result = await deps.store({ source: 'customer-crs610-pull', dedupeKey: customerDedupeKey(change), kind: 'customer.changed', payload: change, correlationId: `crs610-pull-${record.CUNO}` });
    if (result && !result.duplicate) queued++;
  }
  await deps.db('poller_state')
    .insert({ name, high_water_mark: now, detail: JSON.stringify({ seen: changed.length, queued }) })
    .onConflict('name')
    .merge({ high_water_mark: now, detail: JSON.stringify({ seen: changed.length, queued }), updated_at: deps.db.fn.now() });
  return { seen: changed.length, queued };
}

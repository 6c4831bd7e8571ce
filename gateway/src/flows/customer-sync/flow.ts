import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { z } from 'zod';
import { harmonizeAddress } from '../../domain/address';
import { AppError } from '../../errors';
import { addToContext } from '../../observability/context';
import type { JobQueue } from '../../pipeline/job-queue';
import { ingest, type InboxRow } from '../../pipeline/inbox';
import { perform } from '../../pipeline/intents';
import { scopeOf, type FlowContext } from '../shared/context';

export const CUSTOMER_SYNC_QUEUE = 'customer-sync';

/** An M3 customer as the sync needs it, from a Sync.CustomerPartyMaster BOD or a CRS610MI read. */
export const customerChangeSchema = z.object({
  cono: z.number().int().positive(),
  cuno: z.string().trim().min(1).max(10),
  name: z.string().max(200),
  address: z.object({ lines: z.array(z.string()), city: z.string().optional(), region: z.string().optional(), postalCode: z.string().optional(), country: z.string().optional() }),
  email: z.string().optional(),
  phone: z.string().optional(),
  source: z.enum(['ion', 'crs610-pull']),
});
export type CustomerChange = z.output<typeof customerChangeSchema>;

/** The vault profile id of an M3 customer: deterministic, so a lost answer never makes a second profile. */
export function vaultCustomerId(cono: number, cuno: string): string {
  return `M3-${cono}-${cuno}`;
}

export function contentHash(change: CustomerChange): string {
  const { source: _source, ...content } = change;
  return createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 32);
}

/** Persist a customer change with its job; an identical change (same content) is one event. */
export async function customerChanged(db: Knex, queue: JobQueue, change: CustomerChange, correlationId: string) {
  return ingest(db, queue, {
    source: `customer-${change.source}`,
    dedupeKey: `${change.cono}:${change.cuno}:${contentHash(change)}`,
    kind: 'customer.changed',
    payload: change,
    correlationId,
    aggregateKey: `customer:${change.cono}:${change.cuno}`,
    queue: CUSTOMER_SYNC_QUEUE,
  });
}

interface VaultRow {
  cono: number;
  cuno: string;
  paytrace_customer_id: string;
  status: 'awaiting_card' | 'synced';
  masked_card: string | null;
  content_hash: string | null;
}

/**
 * Flow 3 — customer / payment-method sync. M3 is the master of the customer; PayTrace's vault
 * holds the card. A vault profile cannot exist without a card, so it is created when the customer
 * first saves one through PayTrace Protect; until then the customer waits as "awaiting_card".
 * For a customer with a profile, the billing details are brought in line with M3, and M3 keeps
 * the profile id and the masked card (CUSEXTMI) — nothing else of the card.
 */
export async function runCustomerSync(ctx: FlowContext, row: InboxRow): Promise<VaultRow> {
  const change = customerChangeSchema.parse(row.payload);
  const scope = scopeOf(ctx.config, change.cono);
  addToContext({ CONO: change.cono, CUNO: change.cuno });
  const vaultId = vaultCustomerId(change.cono, change.cuno);
  const hash = contentHash(change);

  // a read, not a side effect: always current (a replay must see a card saved since)
  const exported = await ctx.paytrace.exportCustomers(vaultId);
  const profile = exported.customers.find((c) => c.customerId === vaultId);
  if (!profile) {
    return saveVault(ctx.db, { cono: change.cono, cuno: change.cuno, paytrace_customer_id: vaultId, status: 'awaiting_card', masked_card: null, content_hash: hash });
  }

  const address = harmonizeAddress(ctx.rules.address, { name: change.name, lines: change.address.lines, city: change.address.city, region: change.address.region, postalCode: change.address.postalCode, country: change.address.country });
  await perform(ctx.db, {
    key: `customer:${change.cono}:${change.cuno}:${hash}:update`,
    system: 'paytrace',
    operation: 'customer/update',
    request: { customer_id: vaultId },
    idempotent: true, // an update sets the same values again
    execute: async () => {
      const updated = await ctx.paytrace.updateCustomer({
        customerId: vaultId,
        billingAddress: {
          name: change.name.slice(0, 50),
          streetAddress: address.m3.CUA1,
          streetAddress2: address.m3.CUA2,
          city: address.m3.TOWN,
          state: address.m3.ECAR,
          zip: address.m3.PONO,
          country: address.country?.alpha2,
        },
        email: change.email,
        phone: change.phone?.slice(0, 20),
      });
      if (!updated.approved) {
        throw new AppError(`PayTrace refused the profile update of ${vaultId}: ${updated.statusMessage}`, { code: 'VAULT_UPDATE_REFUSED', errorClass: 'business', details: { fieldErrors: updated.fieldErrors } });
      }
      return { responseCode: updated.responseCode };
    },
  });

  const masked = profile.maskedCardNumber ?? null;
  await perform(ctx.db, {
    key: `customer:${change.cono}:${change.cuno}:${hash}:m3-extension`,
    system: 'm3',
    operation: 'CUSEXTMI',
    request: { FILE: 'OCUSMA', PK01: change.cuno },
    idempotent: true, // read, then add or change to the same values
    execute: () => writeVaultReference(ctx, scope, change.cuno, vaultId, masked),
  });
  return saveVault(ctx.db, { cono: change.cono, cuno: change.cuno, paytrace_customer_id: vaultId, status: 'synced', masked_card: masked, content_hash: hash });
}

/** M3 keeps the vault profile id (A030) and the masked card (A130) against the customer in CUSEXT. */
async function writeVaultReference(ctx: FlowContext, scope: { cono: number; divi: string }, cuno: string, vaultId: string, masked: string | null): Promise<{ written: boolean }> {
  const fields = { FILE: 'OCUSMA', PK01: cuno, A030: vaultId, A130: masked ?? '' };
  let exists = true;
  try {
    const { records } = await ctx.m3.execute('CUSEXTMI', 'GetFieldValue', { FILE: 'OCUSMA', PK01: cuno }, scope);
    if (records[0]?.A030 === vaultId && (records[0]?.A130 ?? '') === (masked ?? '')) return { written: false };
  } catch (err) {
    if ((err as { code?: string }).code !== 'M3_NOK') throw err;
    exists = false;
  }
  await ctx.m3.execute('CUSEXTMI', exists ? 'ChgFieldValue' : 'AddFieldValue', fields, scope);
  return { written: true };
}

async function saveVault(db: Knex, row: VaultRow): Promise<VaultRow> {
  await db('vault_customers')
    .insert({ ...row, last_synced_at: db.fn.now() })
    .onConflict(['cono', 'cuno'])
    .merge({ status: row.status, masked_card: row.masked_card, content_hash: row.content_hash, last_synced_at: db.fn.now(), updated_at: db.fn.now() });
  return row;
}

/** A CRS610MI record (LstByNumber / GetBasicData) as a customer change. */
export function changeFromCrs610(cono: number, record: Record<string, string>): CustomerChange {
  return {
    cono,
    cuno: record.CUNO ?? '',
    name: record.CUNM ?? '',
    address: {
      lines: [record.CUA1, record.CUA2, record.CUA3, record.CUA4].filter((l): l is string => Boolean(l)),
      city: record.TOWN || undefined,
      region: record.ECAR || undefined,
      postalCode: record.PONO || undefined,
      country: record.CSCD || undefined,
    },
    email: record.MAIL || undefined,
    phone: record.PHNO || undefined,
    source: 'crs610-pull',
  };
}

/**
 * The scheduled pull: customers changed in M3 since the last pull (CRS610MI LstByNumber, LMDT
 * from one day before the high-water mark) become customer changes; unchanged content is deduped.
 */
export async function pullChangedCustomers(ctx: FlowContext, cono: number, now = new Date()): Promise<{ seen: number; queued: number }> {
  const state = await ctx.db('poller_state').where({ name: `crs610-pull:${cono}` }).first<{ high_water_mark: Date | null } | undefined>();
  const since = state?.high_water_mark ? new Date(state.high_water_mark.getTime() - 86_400_000).toISOString().slice(0, 10).replace(/-/g, '') : '';
  const { records } = await ctx.m3.execute('CRS610MI', 'LstByNumber', {}, { ...scopeOf(ctx.config, cono), maxrecs: 0 });
  let queued = 0;
  const changed = records.filter((r) => !since || !r.LMDT || r.LMDT >= since);
  for (const record of changed) {
    const result = await customerChanged(ctx.db, ctx.queue, changeFromCrs610(cono, record), `crs610-pull-${record.CUNO}`);
    if (!result.duplicate) queued++;
  }
  await ctx.db('poller_state')
    .insert({ name: `crs610-pull:${cono}`, high_water_mark: now, detail: JSON.stringify({ seen: changed.length, queued }) })
    .onConflict('name')
    .merge({ high_water_mark: now, detail: JSON.stringify({ seen: changed.length, queued }), updated_at: ctx.db.fn.now() });
  return { seen: changed.length, queued };
}

import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import type { Secret } from '../config';

export type LinkStatus = 'open' | 'paid' | 'expired' | 'cancelled' | 'superseded';

export interface LinkRow {
  id: string;
  cono: number;
  divi: string;
  ivno: string;
  yea4: number;
  orno: string | null;
  cuno: string;
  customer_name: string | null;
  /** CRS610MI MAIL when the link was made (prefills the receipt and new-link forms) */
  customer_email: string | null;
  /** decimal text with 2 decimals, as PostgreSQL returns numeric */
  amount: string;
  currency: string;
  due_date: string | null;
  /** M3 IVDT (yyyyMMdd) when the link was made: days-to-pay are counted from it */
  invoice_date?: string | null;
  status: LinkStatus;
  status_reason: string | null;
  expires_at: Date;
  attempts: number;
  charging_attempt: number | null;
  charging_since: Date | null;
  paid_payment_id: string | null;
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

export type NewLink = Pick<LinkRow, 'id' | 'cono' | 'divi' | 'ivno' | 'yea4' | 'orno' | 'cuno' | 'customer_name' | 'customer_email' | 'amount' | 'currency' | 'due_date' | 'invoice_date' | 'expires_at' | 'created_by'>;

export interface InvoiceKey {
  cono: number;
  divi: string;
  yea4: number;
  ivno: string;
}

export async function getLink(db: Knex, id: string): Promise<LinkRow | undefined> {
  return db<LinkRow>('payment_links').where({ id }).first();
}

export async function openLinkFor(db: Knex | Knex.Transaction, key: InvoiceKey): Promise<LinkRow | undefined> {
  return db<LinkRow>('payment_links').where({ ...key, status: 'open' }).first();
}

/** Insert a link; undefined when another open link for the invoice won the race. */
export async function insertLink(db: Knex | Knex.Transaction, link: NewLink): Promise<LinkRow | undefined> {
  const rows = await db('payment_links')
    .insert({ ...link, status: 'open' })
    .onConflict(db.raw(`(cono, divi, yea4, ivno) WHERE status = 'open'`))
    .ignore()
    .returning<LinkRow[]>('*');
  return rows[0];
}

/** Move a link out of `from` (guarded: a concurrent change wins, and this returns undefined). */
export async function setLinkStatus(db: Knex | Knex.Transaction, id: string, from: LinkStatus, to: LinkStatus, reason: string | null, extra: Partial<LinkRow> = {}): Promise<LinkRow | undefined> {
  const rows = await db<LinkRow>('payment_links')
    .where({ id, status: from })
    .update({ ...extra, status: to, status_reason: reason, updated_at: db.fn.now() })
    .returning('*');
  return rows[0] as LinkRow | undefined;
}

/** Close an open link that no attempt is charging right now; false when it is not open or busy. */
export async function closeIdleLink(db: Knex, id: string, to: 'cancelled' | 'superseded', reason: string): Promise<boolean> {
  const n = await db('payment_links').where({ id, status: 'open' }).whereNull('charging_attempt').update({ status: to, status_reason: reason, updated_at: db.fn.now() });
  return n > 0;
}

/**
 * Claim the next charge attempt of an open link. Only one attempt runs at a time: a double
 * click or a replayed submission finds `charging_attempt` set and gets nothing.
 */
export async function claimAttempt(db: Knex, id: string): Promise<LinkRow | undefined> {
  const rows = await db<LinkRow>('payment_links')
    .where({ id, status: 'open' })
    .whereNull('charging_attempt')
    .update({ attempts: db.raw('attempts + 1'), charging_attempt: db.raw('attempts + 1'), charging_since: db.fn.now(), updated_at: db.fn.now() })
    .returning('*');
  return rows[0] as LinkRow | undefined;
}

/** The attempt ended without a charge (declined, not sent, refused): the link can be paid again. */
export async function releaseAttempt(db: Knex, id: string, attempt: number): Promise<void> {
  await db('payment_links').where({ id, charging_attempt: attempt }).update({ charging_attempt: null, charging_since: null, updated_at: db.fn.now() });
}

/**
 * The signing key: the configured one, or a key generated once and kept in the database so
 * that every gateway instance on it signs and verifies alike.
 */
export async function loadSigningKey(db: Knex, configured: Secret | undefined): Promise<Buffer> {
  if (configured) return Buffer.from(configured.reveal(), 'utf8');
  await db('payment_link_keys').insert({ id: 1, secret: randomBytes(32).toString('base64') }).onConflict('id').ignore();
  const row = await db('payment_link_keys').where({ id: 1 }).first<{ secret: string }>('secret');
  return Buffer.from(row.secret, 'base64');
}

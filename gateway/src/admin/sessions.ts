import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Knex } from 'knex';
import type { Role } from './roles';

export const SESSION_COOKIE = 'm3pt_session';

export interface AdminSession {
  subject: string;
  name: string | null;
  email: string | null;
  roles: Role[];
  csrfToken: string;
  expiresAt: Date;
}

interface SessionRow {
  id_hash: string;
  subject: string;
  name: string | null;
  email: string | null;
  roles: string[];
  csrf_token: string;
  expires_at: Date;
}

const hash = (value: string) => createHash('sha256').update(value).digest('hex');

/** Create a session; answers the cookie value (only its hash is stored). */
export async function createSession(
  db: Knex,
  user: { subject: string; name?: string; email?: string; roles: Role[] },
  ttlMinutes: number,
): Promise<{ cookie: string; session: AdminSession }> {
  const cookie = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(Date.now() + ttlMinutes * 60_000);
  await db('admin_sessions').insert({
    id_hash: hash(cookie),
    subject: user.subject,
    name: user.name ?? null,
    email: user.email ?? null,
    roles: user.roles,
    csrf_token: csrfToken,
    expires_at: expiresAt,
  });
  // old sessions go on each sign-in: no separate sweeper needed
  await db('admin_sessions').where('expires_at', '<', db.fn.now()).delete();
  return { cookie, session: { subject: user.subject, name: user.name ?? null, email: user.email ?? null, roles: user.roles, csrfToken, expiresAt } };
}

export async function findSession(db: Knex, cookie: string | undefined): Promise<AdminSession | undefined> {
  if (!cookie || cookie.length > 200) return undefined;
  const row = await db<SessionRow>('admin_sessions').where({ id_hash: hash(cookie) }).where('expires_at', '>', db.fn.now()).first();
  if (!row) return undefined;
  return { subject: row.subject, name: row.name, email: row.email, roles: row.roles as Role[], csrfToken: row.csrf_token, expiresAt: row.expires_at };
}

export async function deleteSession(db: Knex, cookie: string | undefined): Promise<void> {
  if (cookie) await db('admin_sessions').where({ id_hash: hash(cookie) }).delete();
}

export function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Read one cookie from a Cookie header (no cookie-parser dependency for one value). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      // a malformed escape (`%`, `%E0%A4%A`) is no session: undefined, so the caller answers 401
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

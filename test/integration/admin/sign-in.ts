import type { Knex } from 'knex';
import { createSession, SESSION_COOKIE } from '../../../gateway/src/admin/sessions';
import type { Role } from '../../../gateway/src/admin/roles';

export interface SignedIn {
  cookie: string;
  csrfToken: string;
}

/**
 * The real sign-in over HTTP, as a browser does it: gateway /auth/login → Infor OS (simulator)
 * login page → form post with the demo user → gateway /auth/callback → session cookie.
 */
export async function signInThroughInforOs(gatewayUrl: string, user: 'viewer' | 'operator' | 'admin'): Promise<SignedIn> {
  const start = await fetch(`${gatewayUrl}/auth/login?returnTo=/ui/`, { redirect: 'manual' });
  if (start.status !== 302) throw new Error(`login start: ${start.status} ${await start.text()}`);
  const authorize = new URL(start.headers.get('location')!);
  const page = await fetch(authorize);
  const fields = Object.fromEntries([...(await page.text()).matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!.replaceAll('&amp;', '&')]));
  const login = await fetch(authorize.origin + authorize.pathname, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...fields, username: user, password: user }),
    redirect: 'manual',
  });
  if (login.status !== 302) throw new Error(`Infor OS login: ${login.status}`);
  const callback = await fetch(login.headers.get('location')!, { redirect: 'manual' });
  if (callback.status !== 302) throw new Error(`callback: ${callback.status} ${await callback.text()}`);
  const setCookie = callback.headers.get('set-cookie') ?? '';
  const cookie = /m3pt_session=([^;]+)/.exec(setCookie)?.[1];
  if (!cookie) throw new Error('no session cookie');
  const me = (await (await fetch(`${gatewayUrl}/admin/api/me`, { headers: { cookie: `${SESSION_COOKIE}=${cookie}` } })).json()) as { csrfToken: string };
  return { cookie: `${SESSION_COOKIE}=${cookie}`, csrfToken: me.csrfToken };
}

/** A session straight in the session store (for role matrices, including a user with no role). */
export async function sessionWithRoles(db: Knex, roles: Role[]): Promise<SignedIn> {
  const { cookie, session } = await createSession(db, { subject: `test-${roles.join('-') || 'none'}`, roles }, 30);
  return { cookie: `${SESSION_COOKIE}=${cookie}`, csrfToken: session.csrfToken };
}

/** A call as a signed-in browser on the gateway's own origin. */
export async function adminCall(gatewayUrl: string, who: SignedIn | undefined, method: 'GET' | 'POST', path: string, body?: unknown, extraHeaders: Record<string, string> = {}) {
  const res = await fetch(`${gatewayUrl}${path}`, {
    method,
    headers: {
      ...(who ? { cookie: who.cookie } : {}),
      ...(method === 'POST' ? { 'content-type': 'application/json', origin: gatewayUrl, ...(who ? { 'x-csrf-token': who.csrfToken } : {}) } : {}),
      ...extraHeaders,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: Record<string, unknown>;
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    json = { text };
  }
  return { status: res.status, json, text };
}

/** The admin API from the browser: same-origin cookie session, CSRF token on every write. */

export interface Me {
  subject: string;
  name: string | null;
  email: string | null;
  roles: Array<'viewer' | 'operator' | 'admin'>;
  csrfToken: string;
}

export interface FieldError {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
  }
}

let csrfToken = '';
export function setCsrfToken(token: string): void {
  csrfToken = token;
}

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json', 'x-csrf-token': csrfToken }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json: unknown = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    const problem = (json ?? {}) as { code?: string; detail?: string; title?: string; errors?: FieldError[] };
    throw new ApiError(res.status, problem.code ?? `HTTP_${res.status}`, problem.detail ?? problem.title ?? res.statusText, problem.errors ?? []);
  }
  return json as T;
}

export const api = {
  get: <T>(path: string) => call<T>('GET', path),
  post: <T>(path: string, body: unknown) => call<T>('POST', path, body),
};

/** `/admin/api/flows/<id><rest>`: a flow's resources in the admin API (the id encoded). */
export const flowApi = (flowId: string, rest = '') => `/admin/api/flows/${encodeURIComponent(flowId)}${rest}`;

export function query(params: Record<string, string | number | undefined>): string {
  const entries = Object.entries(params).filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== '');
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}` : '';
}

export function hasRole(me: Me, role: Me['roles'][number]): boolean {
  const order = ['viewer', 'operator', 'admin'];
  return me.roles.some((r) => order.indexOf(r) >= order.indexOf(role));
}

/** "123.45" → 12345n: exact sums of money strings (never floats). */
export function cents(amount: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(amount.trim());
  if (!m) return 0n;
  const value = BigInt(m[2]!) * 100n + BigInt((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -value : value;
}

export function formatCents(value: bigint): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${whole}.${(abs % 100n).toString().padStart(2, '0')}`;
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Express, Request, Response } from 'express';
import { mountApi } from './auth';
import { checkCard } from './cards';
import { ERROR, ERROR_MESSAGES } from './codes';
import type { ProtectCard } from './state';
import { FieldErrors, readBody, text, type JsonBody, type SimContext } from './wire';

/**
 * PayTrace Protect (hosted fields), reference §6.1:
 *   1. the merchant's server gets a `clientKey` from /v1/payment_fields/token/create;
 *   2. the page loads /js/protect.min.js, which renders the card fields in an iframe served from this
 *      simulator's origin (/protect/hpf), so card data never touches the merchant page or server;
 *   3. process() makes the iframe post the card to /protect/hpf/tokenize (same origin as the iframe)
 *      and hands the page `{message:{hpf_token, enc_key}}`;
 *   4. the merchant's server posts the tokens to a pt_protect endpoint, which accepts them once.
 * The browser code lives in ./protect-assets (plain JS, run by the browser, not by Node).
 */

// Next to this file when run from source (tsx, jest); a tsc build to dist/ does not copy them,
// so fall back to the source tree.
const ASSET_DIRS = [path.join(__dirname, 'protect-assets'), path.resolve(__dirname, '..', '..', 'simulators', 'paytrace', 'protect-assets')];
const assetCache = new Map<string, string>();
function asset(file: string): string {
  const cached = assetCache.get(file);
  if (cached !== undefined) return cached;
  for (const dir of ASSET_DIRS) {
    try {
      const content = readFileSync(path.join(dir, file), 'utf8');
      assetCache.set(file, content);
      return content;
    } catch {
      // try the next place
    }
  }
  throw new Error(`PayTrace simulator: Protect asset ${file} not found in ${ASSET_DIRS.join(' or ')}`);
}

/** The Protect token pair of a pt_protect call: known, unused, unexpired, matching; else error 2001. Not consumed here. */
export function takeProtectCard(body: JsonBody, ctx: SimContext, errors: FieldErrors): ProtectCard | undefined {
  const token = text(body, 'hpf_token');
  const encKey = text(body, 'enc_key');
  const entry = token === undefined ? undefined : ctx.state.protectCards.get(token);
  if (!entry || entry.used || entry.encKey !== encKey || entry.expiresAt <= ctx.clock.now()) {
    errors.add(ERROR.protectToken);
    return undefined;
  }
  return entry;
}

function clientKeyValid(ctx: SimContext, key: unknown): boolean {
  if (typeof key !== 'string') return false;
  const entry = ctx.state.clientKeys.get(key);
  return entry !== undefined && entry.expiresAt > ctx.clock.now();
}

/** Browser-facing responses: no Rails API headers, and the fields page may be framed by any merchant page. */
function sendAsset(res: Response, type: string, body: string, framable = false): void {
  res.set({ 'Content-Type': type, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' });
  if (framable) {
    res.set('Content-Security-Policy', "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors *");
  }
  res.send(body);
}

export function mountProtect(app: Express, ctx: SimContext): void {
  mountApi(
    app,
    ctx,
    '/v1/payment_fields/token/create',
    (_body, c) => ({ status: 200, body: { clientKey: c.state.issueClientKey(c.clock.now(), c.config.clientKeyLifetimeSeconds).key } }),
    { integratorId: false },
  );

  app.get('/js/protect.min.js', (_req, res) => sendAsset(res, 'application/javascript; charset=utf-8', asset('protect.js')));
  app.get('/protect/hpf.js', (_req, res) => sendAsset(res, 'application/javascript; charset=utf-8', asset('hpf.js')));
  app.get('/protect/hpf', (req: Request, res: Response) => {
    const state = clientKeyValid(ctx, req.query.clientKey) ? 'ok' : 'invalid';
    sendAsset(res, 'text/html; charset=utf-8', asset('hpf.html').replace('{{CLIENT_KEY_STATE}}', state), true);
  });

  // Only the fields iframe (same origin) can call this: it answers JSON without CORS headers,
  // so a merchant page's own script cannot post a card here.
  app.post('/protect/hpf/tokenize', (req: Request, res: Response) => {
    const parsed = readBody(req);
    const body: JsonBody = parsed === 'malformed' ? {} : parsed;
    if (!clientKeyValid(ctx, body.clientKey)) {
      res.status(401).json({ errors: [{ responseCode: ERROR.protectToken, description: 'The clientKey is invalid or has expired.' }] });
      return;
    }
    const errors = new FieldErrors();
    const now = ctx.clock.now();
    const card = checkCard({ number: body.number, month: body.expiration_month, year: body.expiration_year }, now, errors);
    const csc = typeof body.csc === 'string' && body.csc.trim() !== '' ? body.csc.trim() : undefined;
    if (csc !== undefined && !/^\d{3,4}$/.test(csc)) errors.add(ERROR.csc);
    if (errors.any || !card) {
      const list = Object.entries(errors.errors).map(([responseCode, messages]) => ({ responseCode, description: messages[0] ?? ERROR_MESSAGES[ERROR.cardNumber]() }));
      res.status(400).json({ errors: list });
      return;
    }
    const entry = ctx.state.storeProtectCard(card, csc, now, ctx.config.hpfTokenLifetimeSeconds);
    res.json({ message: { hpf_token: entry.hpfToken, enc_key: entry.encKey } });
  });
}

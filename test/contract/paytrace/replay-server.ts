import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP server that plays back recorded PayTrace answers: the token endpoint
 * (form-encoded password grant only) and, per path, a queue of replies. It records every
 * request it gets, so tests can check what the client put on the wire. Replies can be
 * delayed, dropped (socket destroyed) or non-JSON, to drive the transport's failure paths.
 */
export interface Reply {
  status: number;
  body?: Record<string, unknown>;
  text?: string;
  delayMs?: number;
  /** destroy the socket instead of answering */
  drop?: boolean;
}

export interface ReplayedRequest {
  path: string;
  contentType: string | undefined;
  authorization: string | undefined;
  body: unknown;
  raw: string;
}

export interface ReplayServer {
  url: string;
  requests: ReplayedRequest[];
  /** queue replies for a path; when the queue is empty the path's `fallback` answers */
  reply(path: string, ...replies: Reply[]): void;
  fallback(path: string, reply: Reply): void;
  /** make the next `n` resource calls fail with 401 invalid_token (an expired token) */
  expireTokens(n: number): void;
  tokensIssued: number;
  close(): Promise<void>;
}

export async function startReplayServer(options: { expiresIn?: number; tokenType?: string; username?: string; password?: string } = {}): Promise<ReplayServer> {
  const queues = new Map<string, Reply[]>();
  const fallbacks = new Map<string, Reply>();
  const requests: ReplayedRequest[] = [];
  let expiring = 0;
  const state = { tokensIssued: 0 };
  const valid = new Set<string>();

  const app = express();
  app.use(express.text({ type: '*/*' }));
  app.use(async (req, res) => {
    const raw = typeof req.body === 'string' ? req.body : '';
    let body: unknown = raw;
    if (req.is('application/json')) body = raw ? JSON.parse(raw) : {};
    else if (req.is('application/x-www-form-urlencoded')) body = Object.fromEntries(new URLSearchParams(raw));
    requests.push({ path: req.path, contentType: req.get('content-type'), authorization: req.get('authorization'), body, raw });

    if (req.path === '/oauth/token') {
      const form = body as Record<string, string>;
      if (!req.is('application/x-www-form-urlencoded') || form.grant_type !== 'password' || form.username !== (options.username ?? 'demo123') || form.password !== (options.password ?? 'demo123')) {
        res.status(400).json({ error: 'invalid_grant', error_description: 'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.' });
        return;
      }
      state.tokensIssued += 1;
      const token = `t${state.tokensIssued}:abc:def`;
      valid.add(token);
      res.json({ access_token: token, token_type: options.tokenType ?? 'Bearer', expires_in: options.expiresIn ?? 7200, created_at: Math.floor(Date.now() / 1000) });
      return;
    }
    const auth = req.get('authorization') ?? '';
    const token = /^Bearer (\S+)$/.exec(auth)?.[1];
    if (!token || !valid.has(token) || expiring > 0) {
      if (token && expiring > 0) {
        expiring -= 1;
        valid.delete(token);
      }
      res.status(401).json({ error: 'invalid_token', error_description: 'The access token expired' });
      return;
    }
    const reply = queues.get(req.path)?.shift() ?? fallbacks.get(req.path) ?? { status: 404, text: '<html>Not Found</html>' };
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (reply.drop) {
      req.socket.destroy();
      return;
    }
    if (reply.body) res.status(reply.status).json(reply.body);
    else res.status(reply.status).type('text/html').send(reply.text ?? '');
  });

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reply(path, ...replies) {
      queues.set(path, [...(queues.get(path) ?? []), ...replies]);
    },
    fallback(path, reply) {
      fallbacks.set(path, reply);
    },
    expireTokens(n) {
      expiring = n;
    },
    get tokensIssued() {
      return state.tokensIssued;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

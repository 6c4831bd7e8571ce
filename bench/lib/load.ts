import http from 'node:http';
import { percentile } from './report';

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50ms: number;
  p99ms: number;
}

export interface LoadRequest {
  method?: string;
  body?: string;
  headers?: Record<string, string>;
}

/**
 * Closed-loop load: `concurrency` keep-alive clients each sending requests back to back for `seconds`.
 * `next` gives each call its own request (e.g. another invoice per call); otherwise every call is the same.
 */
export async function closedLoop(url: string, options: { concurrency: number; seconds: number; next?: () => LoadRequest } & LoadRequest): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const target = new URL(url);
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + options.seconds * 1000;
  const one = () =>
    new Promise<void>((resolve) => {
      const r = options.next?.() ?? options;
      const started = performance.now();
      const req = http.request(
        { agent, host: target.hostname, port: target.port, path: target.pathname + target.search, method: r.method ?? 'GET', headers: { ...(r.body ? { 'content-type': 'application/json' } : {}), ...r.headers } },
        (res) => {
          res.resume();
          res.on('end', () => {
            if ((res.statusCode ?? 500) >= 400) errors++;
            latencies.push(performance.now() - started);
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(r.body);
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (performance.now() < deadline) await one();
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, errors, seconds, perSecond: latencies.length / seconds, p50ms: percentile(latencies, 50), p99ms: percentile(latencies, 99) };
}

import type { NextFunction, Request, Response } from 'express';

/**
 * Fault injection shared by every simulator, driven through /_sim/faults:
 * latency (fixed or a range), random server errors, a full outage, "commit then drop the
 * connection" (the request takes effect but the client never sees the answer: the unknown
 * outcome), and a concurrency throttle like an API gateway's (429/503 with Retry-After).
 */
export interface Faults {
  /** added before every non-/_sim request (the lower end when latencyMaxMs is set) */
  latencyMs: number;
  /** when above latencyMs, each request waits a uniformly drawn time in [latencyMs, latencyMaxMs] */
  latencyMaxMs: number;
  /** 0..1 share of requests answered with errorStatus before they take effect */
  errorRate: number;
  errorStatus: number;
  /** every request fails with 503 (or a dropped connection when outageMode = 'drop') */
  outage: boolean;
  outageMode: 'status' | 'drop';
  /** the next N requests take effect, then the connection is destroyed instead of answered */
  dropAfterCommit: number;
  /**
   * at most this many requests are served at once (0 = no limit); the ones beyond it are answered
   * at once with throttleStatus, before they take effect — as an API gateway's spike arrest does
   */
  maxConcurrent: number;
  throttleStatus: number;
  /** Retry-After (seconds) on throttled, errorRate and outage answers; 0 = no header */
  retryAfterSeconds: number;
  /** only requests whose path matches this regular expression are affected (all when empty) */
  pathPattern: string;
  /** seed of the error-rate dice, so a test run is repeatable */
  seed: number;
}

export const defaultFaults = (): Faults => ({
  latencyMs: 0,
  latencyMaxMs: 0,
  errorRate: 0,
  errorStatus: 500,
  outage: false,
  outageMode: 'status',
  dropAfterCommit: 0,
  maxConcurrent: 0,
  throttleStatus: 429,
  retryAfterSeconds: 0,
  pathPattern: '',
  seed: 1,
});

/** mulberry32: small, fast, seedable */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A /_sim/faults patch as settings: known keys only, values of the right kind; `null` puts a key
 * back to its default (and a boolean on a count means 1 or 0, as older callers send it).
 * Returns the patch, or the problem.
 */
export function faultsPatch(body: Record<string, unknown>): { patch: Partial<Faults> } | { problem: string } {
  const defaults = defaultFaults();
  const patch: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(body)) {
    if (!(key in defaults)) return { problem: `unknown fault ${key}` };
    const fallback = defaults[key as keyof Faults];
    const expected = typeof fallback;
    const value = raw === null ? fallback : expected === 'number' && typeof raw === 'boolean' ? Number(raw) : raw;
    if (typeof value !== expected) return { problem: `${key} must be a ${expected}` };
    if (expected === 'number' && (!Number.isFinite(value) || (value as number) < 0)) return { problem: `${key} must be a number ≥ 0` };
    if (key === 'pathPattern') {
      try {
        new RegExp(value as string);
      } catch {
        return { problem: 'pathPattern is not a regular expression' };
      }
    }
    patch[key] = value;
  }
  return { patch: patch as Partial<Faults> };
}

export class FaultInjector {
  faults: Faults = defaultFaults();
  #random = prng(1);
  /** latency draws have their own dice, so a latency range does not move the error-rate sequence */
  #latencyRandom = prng(2);
  /** requests admitted past the throttle and not yet answered */
  #admitted = 0;

  update(patch: Partial<Faults>): Faults {
    this.faults = { ...this.faults, ...patch };
    if (patch.seed !== undefined) {
      this.#random = prng(patch.seed);
      this.#latencyRandom = prng(patch.seed + 1);
    }
    return this.faults;
  }

  reset(): void {
    this.faults = defaultFaults();
    this.#random = prng(1);
    this.#latencyRandom = prng(2);
  }

  /** The latency of the next request: fixed, or drawn from the range. */
  latency(): number {
    const { latencyMs, latencyMaxMs } = this.faults;
    if (latencyMaxMs <= latencyMs) return latencyMs;
    return latencyMs + this.#latencyRandom() * (latencyMaxMs - latencyMs);
  }

  #retryAfter(res: Response): void {
    if (this.faults.retryAfterSeconds > 0) res.setHeader('retry-after', String(this.faults.retryAfterSeconds));
  }

  middleware() {
    return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
      if (req.path.startsWith('/_sim')) return next();
      const f = this.faults;
      if (f.pathPattern && !new RegExp(f.pathPattern).test(req.path)) return next();
      if (f.maxConcurrent > 0) {
        if (this.#admitted >= f.maxConcurrent) {
          this.#retryAfter(res);
          res.status(f.throttleStatus).type('text/html').send(`<html><body><h1>${f.throttleStatus} too many concurrent requests</h1></body></html>`);
          return;
        }
        this.#admitted++;
        let counted = true;
        const done = () => {
          if (counted) this.#admitted--;
          counted = false;
        };
        res.once('finish', done);
        res.once('close', done);
      }
      const latency = this.latency();
      if (latency > 0) await new Promise((r) => setTimeout(r, latency));
      if (f.outage) {
        if (f.outageMode === 'drop') {
          req.socket.destroy();
          return;
        }
        this.#retryAfter(res);
        res.status(503).type('text/html').send('<html><body><h1>503 Service Unavailable</h1></body></html>');
        return;
      }
      if (f.errorRate > 0 && this.#random() < f.errorRate) {
        this.#retryAfter(res);
        res.status(f.errorStatus).type('text/html').send(`<html><body><h1>${f.errorStatus} simulated error</h1></body></html>`);
        return;
      }
      if (f.dropAfterCommit > 0) {
        this.faults.dropAfterCommit -= 1;
        // Let the handler do its work, then kill the socket instead of answering.
        res.end = ((..._args: unknown[]) => {
          req.socket.destroy();
          return res;
        }) as typeof res.end;
      }
      next();
    };
  }
}

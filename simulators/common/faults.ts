import type { NextFunction, Request, Response } from 'express';

/**
 * Fault injection shared by every simulator, driven through /_sim/faults:
 * latency, random server errors, a full outage, and "commit then drop the connection"
 * (the request takes effect but the client never sees the answer: the unknown outcome).
 */
export interface Faults {
  /** added before every non-/_sim request */
  latencyMs: number;
  /** 0..1 share of requests answered with errorStatus before they take effect */
  errorRate: number;
  errorStatus: number;
  /** every request fails with 503 (or a dropped connection when outageMode = 'drop') */
  outage: boolean;
  outageMode: 'status' | 'drop';
  /** the next N requests take effect, then the connection is destroyed instead of answered */
  dropAfterCommit: number;
  /** only requests whose path matches this regular expression are affected (all when empty) */
  pathPattern: string;
  /** seed of the error-rate dice, so a test run is repeatable */
  seed: number;
}

export const defaultFaults = (): Faults => ({
  latencyMs: 0,
  errorRate: 0,
  errorStatus: 500,
  outage: false,
  outageMode: 'status',
  dropAfterCommit: 0,
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

export class FaultInjector {
  faults: Faults = defaultFaults();
  #random = prng(1);

  update(patch: Partial<Faults>): Faults {
    this.faults = { ...this.faults, ...patch };
    if (patch.seed !== undefined) this.#random = prng(patch.seed);
    return this.faults;
  }

  reset(): void {
    this.faults = defaultFaults();
    this.#random = prng(1);
  }

  middleware() {
    return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
      if (req.path.startsWith('/_sim')) return next();
      const f = this.faults;
      if (f.pathPattern && !new RegExp(f.pathPattern).test(req.path)) return next();
      if (f.latencyMs > 0) await new Promise((r) => setTimeout(r, f.latencyMs));
      if (f.outage) {
        if (f.outageMode === 'drop') {
          req.socket.destroy();
          return;
        }
        res.status(503).type('text/html').send('<html><body><h1>503 Service Unavailable</h1></body></html>');
        return;
      }
      if (f.errorRate > 0 && this.#random() < f.errorRate) {
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

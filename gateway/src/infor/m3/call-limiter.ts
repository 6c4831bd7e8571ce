/**
 * How many M3 MI calls run at once for one tenant, and how that number gives way when the ION API
 * gateway or M3 says "too much" (HTTP 429/503).
 *
 * - A ceiling (`infor.m3MaxConcurrentCalls`): never more calls in flight than this.
 * - Adaptive below the ceiling (AIMD, as TCP does it): a 429/503 halves the current limit (once
 *   per pause, however many calls were refused together) and stops new calls until its
 *   Retry-After has passed; every `limit` calls answered normally raise the limit by one again.
 * - Shared (optional): each call also needs one of the tenant's slots, held in PostgreSQL by the
 *   gateway process running it (`SharedPermits`), so every gateway on one database together stays
 *   under the ceiling.
 *
 * A permit is held for one HTTP exchange (request sent → answer read), never across retry waits.
 */

export interface SharedPermits {
  /** slots this process holds now: at most this many calls may run here */
  readonly held: number;
  /**
   * Connect the limiter: `wanted()` permits it could use now (running + waiting), `running()`
   * calls in flight (read at the moment a slot is given back); `onChange` when `held` changes.
   */
  attach(limiter: { wanted(): number; running(): number }, onChange: () => void): void;
  /** the limiter's demand changed */
  demand(): void;
  close(): Promise<void>;
}

export interface CallLimiterOptions {
  /** the ceiling: never more calls at once than this */
  maxConcurrent: number;
  /** the adaptive limit never goes below this (default 1) */
  minConcurrent?: number;
  /** how long new calls wait after a 429/503 that names no Retry-After (default 1 s) */
  defaultPauseMs?: number;
  /** the longest Retry-After honoured (default 60 s): a broken header must not stop us for a day */
  maxPauseMs?: number;
  shared?: SharedPermits;
}

export interface CallLimiterStats {
  ceiling: number;
  limit: number;
  inFlight: number;
  waiting: number;
  /** slots held in PostgreSQL (shared scope), or the ceiling */
  held: number;
  pausedForMs: number;
  throttled: number;
}

export class M3CallLimiter {
  readonly ceiling: number;
  readonly #min: number;
  readonly #defaultPauseMs: number;
  readonly #maxPauseMs: number;
  readonly #shared: SharedPermits | undefined;
  #limit: number;
  #inFlight = 0;
  #waiters: Array<() => void> = [];
  #pausedUntil = 0;
  #pauseTimer: NodeJS.Timeout | undefined;
  #successes = 0;
  #throttled = 0;
  #closed = false;

  constructor(options: CallLimiterOptions) {
    if (!Number.isInteger(options.maxConcurrent) || options.maxConcurrent < 1) throw new Error('maxConcurrent must be a whole number ≥ 1');
    this.ceiling = options.maxConcurrent;
    this.#min = Math.min(options.minConcurrent ?? 1, this.ceiling);
    this.#limit = this.ceiling;
    this.#defaultPauseMs = options.defaultPauseMs ?? 1000;
    this.#maxPauseMs = options.maxPauseMs ?? 60_000;
    this.#shared = options.shared;
    this.#shared?.attach({ wanted: () => Math.min(this.#limit, this.#inFlight + this.#waiters.length), running: () => this.#inFlight }, () => this.#pump());
  }

  /** The adaptive limit now (≤ ceiling). */
  get limit(): number {
    return this.#limit;
  }

  stats(): CallLimiterStats {
    return {
      ceiling: this.ceiling,
      limit: this.#limit,
      inFlight: this.#inFlight,
      waiting: this.#waiters.length,
      held: this.#shared ? this.#shared.held : this.ceiling,
      pausedForMs: Math.max(0, this.#pausedUntil - Date.now()),
      throttled: this.#throttled,
    };
  }

  /** Wait for a permit; call the returned function exactly once when the exchange is over. */
  acquire(): Promise<() => void> {
    if (this.#closed) return Promise.reject(new Error('the M3 call limiter is closed'));
    return new Promise((resolve) => {
      this.#waiters.push(() => {
        this.#inFlight++;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.#inFlight--;
          this.#pump();
        });
      });
      this.#pump();
    });
  }

  /** M3 or the ION API gateway refused a call (429/503): give way. */
  throttled(retryAfterMs: number | undefined): void {
    this.#throttled++;
    const now = Date.now();
    const pause = Math.min(this.#maxPauseMs, Math.max(0, retryAfterMs ?? this.#defaultPauseMs));
    // the calls refused together are one signal: halve once per pause, not once per refused call
    if (now >= this.#pausedUntil) this.#limit = Math.max(this.#min, Math.floor(this.#limit / 2));
    this.#successes = 0;
    this.#pausedUntil = Math.max(this.#pausedUntil, now + pause);
    this.#pump();
  }

  /** A call was answered normally: after `limit` of them, one more may run at once. */
  succeeded(): void {
    if (this.#limit >= this.ceiling) return;
    if (++this.#successes >= this.#limit) {
      this.#successes = 0;
      this.#limit++;
      this.#pump();
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#pauseTimer);
    await this.#shared?.close();
  }

  #capacity(): number {
    return Math.min(this.#limit, this.#shared ? this.#shared.held : this.ceiling);
  }

  #pump(): void {
    const now = Date.now();
    if (now < this.#pausedUntil) {
      if (!this.#pauseTimer) {
        this.#pauseTimer = setTimeout(() => {
          this.#pauseTimer = undefined;
          this.#pump();
        }, this.#pausedUntil - now);
      }
    } else {
      while (this.#waiters.length > 0 && this.#inFlight < this.#capacity()) this.#waiters.shift()!();
    }
    this.#shared?.demand();
  }
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

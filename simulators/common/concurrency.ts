import type { NextFunction, Request, Response } from 'express';

export interface ConcurrencyReading {
  /** only requests whose path matches are counted (all when empty) */
  pathPattern: string;
  /** requests received and not yet answered, now */
  inFlight: number;
  /** the most there were at once since `since` */
  peak: number;
  peakAt: string | null;
  /** requests counted since `since` */
  requests: number;
  since: string;
}

/**
 * How many requests the simulator is serving at once, measured where the real system would
 * feel it: from the moment a request arrives (before any injected latency or throttle) to the
 * moment its answer is sent or its connection closes. `GET /_sim/concurrency` reads it,
 * `PUT /_sim/concurrency {"pathPattern": "/M3/"}` starts a new count (e.g. M3 MI calls only).
 */
export class ConcurrencyGauge {
  #pattern: RegExp | undefined;
  #pathPattern = '';
  #inFlight = 0;
  #peak = 0;
  #peakAt: Date | null = null;
  #requests = 0;
  #since = new Date();

  restart(pathPattern = this.#pathPattern): ConcurrencyReading {
    this.#pattern = pathPattern ? new RegExp(pathPattern) : undefined;
    this.#pathPattern = pathPattern;
    // requests already in flight under the old pattern are not ours to count down: start from zero
    this.#inFlight = 0;
    this.#peak = 0;
    this.#peakAt = null;
    this.#requests = 0;
    this.#since = new Date();
    return this.reading();
  }

  reading(): ConcurrencyReading {
    return {
      pathPattern: this.#pathPattern,
      inFlight: this.#inFlight,
      peak: this.#peak,
      peakAt: this.#peakAt?.toISOString() ?? null,
      requests: this.#requests,
      since: this.#since.toISOString(),
    };
  }

  middleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      if (req.path.startsWith('/_sim') || (this.#pattern && !this.#pattern.test(req.path))) return next();
      const generation = this.#since;
      this.#requests++;
      this.#inFlight++;
      if (this.#inFlight > this.#peak) {
        this.#peak = this.#inFlight;
        this.#peakAt = new Date();
      }
      let open = true;
      const done = () => {
        if (open && generation === this.#since) this.#inFlight--;
        open = false;
      };
      res.once('finish', done);
      res.once('close', done);
      next();
    };
  }
}

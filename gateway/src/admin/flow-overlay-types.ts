/**
 * The flow builder's live overlay, as the admin API answers it and the operator app reads it
 * (type-only imports on both sides). Money is a decimal string with its currency, never a number.
 */

/** Where a run is at a step (flow_run_steps.state). */
export type OverlayRunState = 'running' | 'done' | 'retrying' | 'failed' | 'dead';

export interface OverlayMoney {
  currency: string;
  /** exact decimal, e.g. "1325.5000" (the ledger's numeric(19,4)) */
  amount: string;
}

export interface OverlayStep {
  stepId: string;
  /** runs at the step now: running, or failed and waiting for a retry */
  inProgress: number;
  /** runs that failed for good at the step within the window (parked or not) */
  failed: number;
  /** open dead letters whose run failed at the step (no window) */
  deadLettered: number;
  /** payments of the runs at this money step whose effect is not confirmed (intent pending or unknown), per currency */
  moneyInFlight: OverlayMoney[];
  /** p95 of a successful attempt's time (ms) over the runs done at the step within the window; null without any */
  p95Ms: number | null;
  /** how many successful attempts the p95 is over */
  timed: number;
  /** p95 of the step's total time across all its attempts (ms), over the runs settled at the step (done, failed, parked) within the window */
  p95TotalMs: number | null;
  /** how many runs p95TotalMs is over */
  settled: number;
  /** runs (payments) within the window that needed more than one attempt at the step */
  retried: number;
}

export interface FlowOverlay {
  flowId: string;
  /** the published version the canvas draws (runs of older versions count under the same step ids) */
  publishedVersion: number;
  windowMinutes: number;
  /** when the figures were read (server clock) */
  at: string;
  steps: OverlayStep[];
}

/** One attempt of a run at a step: a failed job that was retried (or a replayed dead letter) ran it again. */
export interface OverlayAttempt {
  startedAt: string;
  /** integer ms; null while it runs, or for an attempt that never finished (the process stopped) */
  ms: number | null;
  outcome: 'running' | 'done' | 'failed';
  errorCode: string | null;
}

export interface OverlayRun {
  inboxId: string;
  state: OverlayRunState;
  startedAt: string;
  /** the last attempt's time */
  ms: number | null;
  errorCode: string | null;
  /** every attempt, oldest first (a step reused from an earlier attempt adds none) */
  attempts: OverlayAttempt[];
  /** the attempts' times added up (those that finished) */
  totalMs: number | null;
  flowVersion: number | null;
  payment: { id: string; reference: string; status: string; amount: string | null; currency: string | null } | null;
  /** the open dead letter of a run parked at this step: "Replay from this step" replays it */
  deadLetterId: string | null;
}

export interface OverlayRuns {
  flowId: string;
  stepId: string;
  runs: OverlayRun[];
}

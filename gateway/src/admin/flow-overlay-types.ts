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
  /** p95 of the step's time over the executions finished within the window; null without any */
  p95Ms: number | null;
  /** how many executions the p95 is over */
  timed: number;
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

export interface OverlayRun {
  inboxId: string;
  state: OverlayRunState;
  startedAt: string;
  ms: number | null;
  errorCode: string | null;
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

/**
 * What the builder's test-run panel (gateway/ui/src/flows/TestRun.tsx) and its admin API
 * (flow-test-run.ts) say to each other. Types only: the operator app imports them with `import type`.
 */
import type { StepTrace } from '../pipeline/runner';

export type { StepTrace } from '../pipeline/runner';

/** Where a sample event comes from. */
export type SampleOrigin = 'typed' | 'shipped' | 'inbox';

/** The sample a flow is test-run with, kept per flow (table flow_test_samples). */
export interface TestSample {
  origin: SampleOrigin;
  /** what the panel calls it: "typed in", "invoice-links.json", "inbox #42 (Sync.Invoice, …)" */
  label: string;
  event: unknown;
  /** the pinned inbox row (origin inbox) */
  inboxId: string | null;
  updatedBy: string;
  updatedAt: string;
}

/** A sample shipped with the product: a file of `mappings/flows/samples/` named after the flow. */
export interface ShippedSample {
  /** file:<name> */
  id: string;
  label: string;
  event: unknown;
}

/** A past real trigger of the flow, to pin (its payload is not sent until it is pinned). */
export interface InboxEventSummary {
  id: string;
  kind: string;
  source: string;
  status: string;
  receivedAt: string;
}

/** GET /admin/api/flows/:id/test-samples */
export interface TestSamples {
  saved: TestSample | null;
  shipped: ShippedSample[];
  /** the latest triggers of the flow in the inbox (operators only; empty for a viewer) */
  inbox: InboxEventSummary[];
  /** the flow's newest test run (running or ended), kept on the server: what a reload draws again */
  lastRun: LastTestRun | null;
}

/** A test run of a flow, as kept (table flow_test_runs: the flow's last 20 runs). */
export interface LastTestRun {
  runId: string;
  /** running: its lock is held now; ended: `result` is its answer; interrupted: the gateway running it stopped before its end */
  state: 'running' | 'ended' | 'interrupted';
  ranBy: string;
  startedAt: string;
  endedAt: string | null;
  /** the definition that ran (the canvas's YAML as it was sent) and its SHA-256 (hex) */
  source: string;
  sourceSha256: string;
  /** the sample event it ran with */
  event: unknown;
  sampleLabel: string | null;
  /** steps run so far (a running run writes it between steps) */
  stepsRan: number;
  /** who asked to cancel it, and when (the run stops before its next step) */
  cancelRequestedBy: string | null;
  cancelRequestedAt: string | null;
  /** the answer once it ended, bounded: an input or output over 8 KB of JSON is cut, with `truncated` in its place */
  result: TestRunResult | null;
}

/** A kept test run, whole: `GET /admin/api/flows/:id/test-runs/:runId`. */
export type KeptTestRun = LastTestRun;

/** One of a flow's kept test runs as the "Past runs" list shows it (no definition, event or result). */
export interface TestRunSummary {
  runId: string;
  state: LastTestRun['state'];
  /** how it ended (null while running, or when interrupted) */
  outcome: TestRunResult['outcome'] | null;
  ranBy: string;
  startedAt: string;
  endedAt: string | null;
  sampleLabel: string | null;
  stepsRan: number;
  /** SHA-256 (hex) of the definition that ran */
  sourceSha256: string;
  /** whether that definition is the flow's saved draft now, its published one now (null: the flow has none) */
  sameAsDraft: boolean | null;
  sameAsPublished: boolean | null;
}

/** GET /admin/api/flows/:id/test-runs: the flow's kept test runs, newest first (at most `keep`). */
export interface TestRunHistory {
  runs: TestRunSummary[];
  /** how many runs of a flow are kept (the oldest goes when a new one starts) */
  keep: number;
}

/** POST /admin/api/flows/:id/test-run/cancel: asked; the run stops before its next step. */
export interface TestRunCancelAnswer {
  runId: string;
  cancelRequestedBy: string;
  cancelRequestedAt: string;
}

/** What stands in the kept result for an input or output too big to keep. */
export interface TruncatedValue {
  truncated: true;
  /** its size as JSON, in bytes */
  bytes: number;
  /** its first characters as JSON */
  preview: string;
}

/** POST /admin/api/flows/:id/test-sample: a typed or shipped event, or an inbox row to pin. */
export type TestSampleInput = { origin: 'typed' | 'shipped'; label?: string; event: unknown } | { origin: 'inbox'; inboxId: string; source?: string };

/** POST /admin/api/flows/:id/test-run */
export interface TestRunRequest {
  /** the definition as it is on the canvas now (the draft, saved or not) */
  source: string;
  /** the event; absent: the flow's saved sample */
  event?: unknown;
  /** stop waiting after this long (1–120 s; default 60 s) */
  timeLimitMs?: number;
}

export interface TestRunResult {
  flowId: string;
  /**
   * done: every reached step ran; failed/rejected: a step failed (its trace entry says why);
   * timeout: the time limit came first; cancelled: an operator's Cancel stopped it between steps
   */
  outcome: 'done' | 'failed' | 'rejected' | 'timeout' | 'cancelled';
  startedAt: string;
  ms: number;
  timeLimitMs: number;
  /** the steps that ran, in order: input, output, time and outcome of each */
  trace: StepTrace[];
  error?: { code: string; errorClass: string; message: string };
  /** the run's id (its row in flow_test_runs): what Cancel stops */
  runId?: string;
  /** in a kept result: some input or output was too big and is cut (`TruncatedValue` in its place), or card-like text was replaced */
  truncated?: boolean;
  redacted?: boolean;
}

import { createContext, useContext, useEffect, useState } from 'react';
import type { FlowOverlay, OverlayRuns, OverlayStep } from '../../../src/admin/flow-overlay-types';
import { api, flowApi } from '../api';
import { Problem, ReplayPanel, StateBadge, When } from '../components';
import { money } from '../format';
import { attemptsText, retriesText } from './overlay-text';

/**
 * The live overlay on the published flow: per node, the runs in progress, failed and parked there,
 * the money in flight there, the p95 time of a successful attempt, and — when runs needed more than
 * one attempt there — how many and the p95 of their time across all attempts (GET
 * /admin/api/flows/:id/overlay: one aggregate query on the server per refresh); a node's recent runs
 * with their attempts and links to their traces, and
 * "Replay from this step" for a run parked there (the dead-letter replay: steps already done are
 * reused, so the run goes on from the step it failed at).
 */

/** how often the figures are read again while the overlay is shown */
export const OVERLAY_REFRESH_MS = 5000;

/** The overlay's figures by step id, for the nodes (undefined: the overlay is off). */
export const OverlayContext = createContext<Map<string, OverlayStep> | undefined>(undefined);

export function useLiveOverlay(flowId: string, enabled: boolean): { overlay?: FlowOverlay; error?: Error; refresh: () => void } {
  const [overlay, setOverlay] = useState<FlowOverlay>();
  const [error, setError] = useState<Error>();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // the next read is scheduled after the answer: a slow server never gets overlapping refreshes
    const read = () => {
      if (document.hidden) return void (timer = setTimeout(read, OVERLAY_REFRESH_MS));
      api.get<FlowOverlay>(flowApi(flowId, '/overlay')).then(
        (o) => live && (setOverlay(o), setError(undefined)),
        (err: unknown) => live && setError(err as Error),
      ).finally(() => {
        if (live) timer = setTimeout(read, OVERLAY_REFRESH_MS);
      });
    };
    read();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [flowId, enabled, tick]);
  return { overlay: enabled ? overlay : undefined, error: enabled ? error : undefined, refresh: () => setTick((t) => t + 1) };
}

export function overlayByStep(overlay: FlowOverlay | undefined): Map<string, OverlayStep> | undefined {
  return overlay && new Map(overlay.steps.map((s) => [s.stepId, s]));
}

/** The figures on a node (nothing when the overlay is off). */
export function NodeOverlay({ stepId }: { stepId: string }) {
  const byStep = useContext(OverlayContext);
  if (!byStep) return null;
  const s = byStep.get(stepId);
  if (!s) return <span className="node-overlay quiet" data-testid={`overlay-${stepId}`}>no runs in the window</span>;
  const parts: string[] = [];
  if (s.inProgress) parts.push(`${s.inProgress} in progress`);
  if (s.failed) parts.push(`${s.failed} failed`);
  if (s.deadLettered) parts.push(`${s.deadLettered} dead-lettered`);
  const retries = retriesText(s);
  return (
    <span className={`node-overlay${s.deadLettered || s.failed ? ' bad' : ''}`} data-testid={`overlay-${stepId}`} aria-label={`live: ${[...parts, ...s.moneyInFlight.map((m) => `${money(m.amount, m.currency)} in flight`), s.p95Ms === null ? '' : `p95 ${s.p95Ms} ms`, retries].filter(Boolean).join(', ')}`}>
      {parts.length > 0 && <span className="overlay-counts">{parts.join(' · ')}</span>}
      {s.moneyInFlight.map((m) => (
        <span key={m.currency} className="overlay-money" title="payments at this step whose effect is not confirmed yet">
          {money(m.amount, m.currency)} in flight
        </span>
      ))}
      {s.p95Ms !== null && <span className="overlay-time" title={`time of a successful attempt, over ${s.timed} in the window`}>p95 {s.p95Ms} ms · n={s.timed}</span>}
      {retries && <span className="overlay-retries" title={`runs in the window that needed more than one attempt here; p95 of the step's time across all attempts, over ${s.settled} run${s.settled === 1 ? '' : 's'} settled here`}>{retries}</span>}
    </span>
  );
}

/** The toolbar's switch and what the overlay says about itself. */
export function OverlayStatus({ overlay, error }: { overlay?: FlowOverlay; error?: Error }) {
  if (error) return <Problem error={error} />;
  if (!overlay) return <span className="muted">reading live figures…</span>;
  return (
    <span className="muted small" role="status" data-testid="overlay-status">
      live on published v{overlay.publishedVersion} · failures and p95 over the last {overlay.windowMinutes} min · read <When iso={overlay.at} />
    </span>
  );
}

/** A node's recent runs: each payment linked to its trace; a run parked here can be replayed from this step (operators). */
export function OverlayRunsPanel({ flowId, stepId, canReplay, onReplayed }: { flowId: string; stepId: string; canReplay: boolean; onReplayed: () => void }) {
  const [runs, setRuns] = useState<OverlayRuns>();
  const [error, setError] = useState<Error>();
  const [replaying, setReplaying] = useState<string>();
  const [done, setDone] = useState<string>();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    api.get<OverlayRuns>(flowApi(flowId, `/overlay/steps/${encodeURIComponent(stepId)}/runs`)).then((r) => live && setRuns(r), (err: unknown) => live && setError(err as Error));
    return () => {
      live = false;
    };
  }, [flowId, stepId, tick]);
  return (
    <section className="overlay-runs" data-testid="overlay-runs" aria-label={`recent runs at ${stepId}`}>
      <h2>Recent runs at {stepId}</h2>
      <Problem error={error} />
      {done && <p className="notice" role="status">{done}</p>}
      {replaying && (
        <ReplayPanel
          deadLetterId={replaying}
          onCancel={() => setReplaying(undefined)}
          onDone={(message) => {
            setReplaying(undefined);
            setDone(message);
            setTick((t) => t + 1);
            onReplayed();
          }}
        />
      )}
      {runs && !runs.runs.length && <p className="muted">No run has reached this step yet.</p>}
      {runs && runs.runs.length > 0 && (
        <ul className="overlay-run-list">
          {runs.runs.map((r) => (
            <li key={r.inboxId} className={`run-${r.state}`}>
              <span className={`run-state ${r.state}`}>{RUN_STATES[r.state]}</span>{' '}
              {r.payment ? <a href={`#/trace?payment=${encodeURIComponent(r.payment.id)}`}>{r.payment.reference}</a> : <span className="muted">trigger {r.inboxId}</span>}
              {r.payment && <> · {money(r.payment.amount, r.payment.currency)} <StateBadge state={r.payment.status} /></>}
              <div className="muted small">
                <When iso={r.startedAt} />
                {/* several attempts: each with its time and outcome (the last one's time and code among them) */}
                {r.attempts.length > 1 ? (
                  <> · <span className="overlay-attempts" data-testid="run-attempts">{attemptsText(r.attempts, r.state === 'running')}</span></>
                ) : (
                  r.ms !== null && ` · ${r.ms} ms`
                )}
                {r.flowVersion !== null && ` · v${r.flowVersion}`}
                {r.errorCode && r.attempts.length < 2 && <> · <code>{r.errorCode}</code></>}
              </div>
              {r.deadLetterId && canReplay && (
                <button type="button" onClick={() => setReplaying(r.deadLetterId!)} aria-label={`Replay from this step: ${r.payment?.reference ?? r.inboxId}`}>
                  Replay from this step
                </button>
              )}
              {r.deadLetterId && !canReplay && <span className="muted small"> parked (dead letter {r.deadLetterId}): an operator can replay it</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

const RUN_STATES: Record<OverlayRuns['runs'][number]['state'], string> = { running: 'in progress', retrying: 'retrying', done: 'done', failed: 'failed', dead: 'dead-lettered' };

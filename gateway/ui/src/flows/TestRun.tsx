import { useEffect, useMemo, useRef, useState } from 'react';
import type { FlowCatalogue } from '../../../src/admin/flow-builder-types';
import type { KeptTestRun, LastTestRun, TestRunCancelAnswer, TestRunHistory, TestRunResult, TestRunSummary, TestSample, TestSampleInput, TestSamples } from '../../../src/admin/flow-test-run-types';
import { api, flowApi } from '../api';
import { Json, Problem, When } from '../components';
import type { Definition } from './model';
import { errorText, OUTCOME_LABELS, preview, runFits, type NodeRun } from './test-run';

/**
 * The builder's test-run panel: choose a sample event (typed in, a shipped sample, a past real
 * trigger pinned from the inbox), kept per flow on the server so it survives reloads; run the
 * definition on the canvas — the draft, saved or not — against the sandbox simulators. The
 * per-step results go on the canvas (`onResult`), and are listed here in full. The last 20 runs
 * are kept on the server: a reload shows the newest again (drawn while the canvas has the steps it
 * ran), "Past runs" lists them all and draws the one chosen. A run of the flow going on elsewhere
 * (another browser or gateway, or before a reload) is followed to its end and drawn then. A
 * running test can be cancelled: it stops before its next step.
 */

/** how often a run going on elsewhere is read while it is followed */
const FOLLOW_MS = 500;
/** how often the past runs are read while none is followed: a run started elsewhere shows up within this */
const WATCH_MS = 2000;

interface Choice {
  key: string;
  label: string;
  /** the event, or how to get it (an inbox row is pinned on the server: it maps and checks it) */
  event?: unknown;
  inboxId?: string;
  origin: 'typed' | 'shipped' | 'inbox';
}

/** A test run as the canvas shows it: its answer, and the event and definition it ran with. */
export interface ShownTestRun {
  result: TestRunResult;
  event: unknown;
  source: string;
  /** a run kept on the server (the newest after a reload, a past run chosen, a run followed): which, who ran it, when */
  kept?: { runId: string; ranBy: string; startedAt: string };
}

interface Props {
  flowId: string;
  /** the definition on the canvas, as YAML: what runs */
  source: string;
  def: Definition;
  catalogue: FlowCatalogue;
  /** operators and admins run tests; viewers see the sample only */
  canTest: boolean;
  result?: ShownTestRun;
  onResult: (run: ShownTestRun | undefined) => void;
}

const pretty = (value: unknown) => JSON.stringify(value, null, 2);
const shownKept = (run: KeptTestRun): ShownTestRun | undefined =>
  run.state === 'ended' && run.result ? { result: run.result, event: run.event, source: run.source, kept: { runId: run.runId, ranBy: run.ranBy, startedAt: run.startedAt } } : undefined;

export const OUTCOME_WORDS: Record<TestRunResult['outcome'], string> = { done: 'Done', timeout: 'Time limit reached', rejected: 'Rejected', cancelled: 'Cancelled', failed: 'Failed' };
const summaryOutcome = (r: TestRunSummary) => (r.state === 'running' ? 'running' : r.state === 'interrupted' ? 'interrupted' : r.outcome ? OUTCOME_WORDS[r.outcome] : 'ended');
/** JSON with sorted keys: the same event, whatever order its keys came in */
const canonical = (value: unknown): string => JSON.stringify(value, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));

/** The samples of the definition's trigger types, as the catalogue has them (the source tree's too). */
function triggerSamples(def: Definition, catalogue: FlowCatalogue): Choice[] {
  return (def.triggers ?? []).flatMap((t, i) => {
    const { type, event: _mapping, ...options } = t as Record<string, unknown>;
    const entry = catalogue.triggers.find((c) => c.type === type);
    const sample = entry?.samples.find((s) => Object.entries(s.options).every(([k, v]) => options[k] === v)) ?? entry?.samples[0];
    return sample ? [{ key: `trigger:${i}`, label: `${entry!.title}: ${sample.claim} (trigger sample)`, event: sample.event, origin: 'shipped' as const }] : [];
  });
}

export function TestRunPanel({ flowId, source, def, catalogue, canTest, result, onResult }: Props) {
  const [samples, setSamples] = useState<TestSamples>();
  const [text, setText] = useState('');
  const [current, setCurrent] = useState<{ origin: Choice['origin']; label: string }>({ origin: 'typed', label: 'typed in' });
  const [saved, setSaved] = useState<TestSample | null>(null);
  const [busy, setBusy] = useState<'saving' | 'running'>();
  const [error, setError] = useState<Error>();
  /** a run of the flow going on elsewhere (another tab, operator or gateway; or started before a reload): followed to its end */
  const [elsewhere, setElsewhere] = useState<LastTestRun>();
  const [cancel, setCancel] = useState<TestRunCancelAnswer>();
  /** the flow's kept runs, newest first ("Past runs") */
  const [history, setHistory] = useState<TestRunHistory>();
  /** a followed run that did not end: the gateway running it stopped */
  const [interrupted, setInterrupted] = useState<LastTestRun>();
  /** this panel's own run is in flight (its POST answers it): not followed as one from elsewhere */
  const ownRun = useRef(false);
  // two quick choices of a past run can be answered out of order: only the last one asked is drawn,
  // and not over a followed run drawn after it was asked
  const lastChoice = useRef(0);
  const onResultRef = useRef(onResult);
  onResultRef.current = onResult;

  const shipped = useMemo(() => triggerSamples(def, catalogue), [def, catalogue]);
  useEffect(() => {
    let live = true;
    api.get<TestSamples>(flowApi(flowId, '/test-samples')).then(
      (s) => {
        if (!live) return;
        setSamples(s);
        setSaved(s.saved);
        // the kept sample first; else the first shipped one
        const first = s.saved ? { origin: s.saved.origin, label: s.saved.label, event: s.saved.event } : (s.shipped[0] ? { origin: 'shipped' as const, label: s.shipped[0].label, event: s.shipped[0].event } : shipped[0]);
        if (first) {
          setText(pretty(first.event));
          setCurrent({ origin: first.origin, label: first.label });
        }
        // the newest run, kept on the server: drawn again as it was; a running one is followed to its end
        const last = s.lastRun;
        if (last?.state === 'ended' && last.result) onResult(shownKept(last));
        else if (last?.state === 'running') setElsewhere(last);
      },
      (err: unknown) => live && setError(err as Error),
    );
    return () => {
      live = false;
    };
    // the samples are read once per flow; the trigger samples only fill an empty editor
  }, [flowId]);

  // the past runs, read again every 2 s while no run is followed: a run started elsewhere is
  // followed once it shows up (the gateway has no push channel to the app: it is asked)
  const following = elsewhere?.runId;
  useEffect(() => {
    if (following) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const look = async () => {
      try {
        const h = await api.get<TestRunHistory>(flowApi(flowId, '/test-runs'));
        if (!live) return;
        // the same list again (most looks): no new render of the panel
        setHistory((was) => (JSON.stringify(was) === JSON.stringify(h) ? was : h));
        const newest = h.runs[0];
        if (newest?.state === 'running' && !ownRun.current) {
          const run = await api.get<KeptTestRun>(flowApi(flowId, `/test-runs/${newest.runId}`));
          if (!live) return;
          // this panel's own run started meanwhile: not one to follow; looking goes on below
          if (!ownRun.current && run.state === 'running') {
            setInterrupted(undefined);
            setElsewhere(run);
            return; // the follower takes over
          }
        }
      } catch {
        // the next look tries again (the page says when the gateway is down)
      }
      if (live) timer = setTimeout(() => void look(), document.hidden ? WATCH_MS * 5 : WATCH_MS);
    };
    void look();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [flowId, following]);

  // a run going on elsewhere, read every 500 ms: its steps so far, then its result drawn at its end
  useEffect(() => {
    if (!following) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const look = async () => {
      try {
        const run = await api.get<KeptTestRun>(flowApi(flowId, `/test-runs/${following}`));
        if (!live) return;
        if (run.state === 'running') setElsewhere(run);
        else {
          if (run.state === 'ended') {
            lastChoice.current++;
            onResultRef.current(shownKept(run));
          }
          else setInterrupted(run);
          setElsewhere(undefined);
          setCancel(undefined);
          return;
        }
      } catch (err) {
        if (!live) return;
        // pruned (20 newer runs since), gone, or no longer ours to see (signed out): nothing to follow;
        // a 5xx or a network error is tried again
        const status = (err as { status?: number }).status;
        if (status !== undefined && status >= 400 && status < 500) {
          setElsewhere(undefined);
          if (status !== 404) setError(err as Error);
          return;
        }
      }
      timer = setTimeout(() => void look(), FOLLOW_MS);
    };
    timer = setTimeout(() => void look(), FOLLOW_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [flowId, following]);

  const choices: Choice[] = [
    ...(samples?.shipped ?? []).map((s): Choice => ({ key: s.id, label: s.label, event: s.event, origin: 'shipped' })),
    ...shipped,
    ...(samples?.inbox ?? []).map((e): Choice => ({ key: `inbox:${e.id}`, label: `inbox #${e.id} · ${e.kind} · ${e.status} · ${new Date(e.receivedAt).toISOString().slice(0, 16).replace('T', ' ')} UTC`, inboxId: e.id, origin: 'inbox' })),
  ];
  const parsed = useMemo((): { event?: unknown; problem?: string } => {
    if (!text.trim()) return { problem: 'type or choose a sample event' };
    try {
      return { event: JSON.parse(text) as unknown };
    } catch (err) {
      return { problem: `not JSON: ${(err as Error).message}` };
    }
  }, [text]);
  const unsaved = !saved || parsed.event === undefined || canonical(saved.event) !== canonical(parsed.event);

  const keep = async (input: TestSampleInput): Promise<TestSample> => {
    const stored = await api.post<TestSample>(flowApi(flowId, '/test-sample'), input);
    setSaved(stored);
    setCurrent({ origin: stored.origin, label: stored.label });
    return stored;
  };
  const act = async (what: 'saving' | 'running', fn: () => Promise<void>) => {
    setBusy(what);
    setError(undefined);
    try {
      await fn();
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(undefined);
    }
  };
  const choose = (key: string) => {
    const choice = choices.find((c) => c.key === key);
    if (!choice) return;
    if (choice.inboxId) {
      // pinned on the server: the trigger's mapping gives the event, and card data is refused there
      void act('saving', async () => {
        const stored = await keep({ origin: 'inbox', inboxId: choice.inboxId!, source });
        setText(pretty(stored.event));
      });
      return;
    }
    setText(pretty(choice.event));
    setCurrent({ origin: choice.origin, label: choice.label });
  };
  const keepTyped = async () => {
    if (parsed.event === undefined) return;
    // an inbox event edited in the editor is no longer the inbox's: typed
    const origin = current.origin === 'inbox' ? 'typed' : current.origin;
    await keep({ origin, label: origin === 'typed' ? 'typed in' : current.label, event: parsed.event });
  };
  const run = () =>
    act('running', async () => {
      if (parsed.event === undefined) return;
      if (unsaved) await keepTyped(); // what was run is what a reload shows
      onResult(undefined);
      setCancel(undefined);
      setElsewhere(undefined);
      setInterrupted(undefined);
      ownRun.current = true;
      try {
        const answer = await api.post<TestRunResult>(flowApi(flowId, '/test-run'), { source, event: parsed.event });
        onResult({ result: answer, event: parsed.event, source });
      } finally {
        ownRun.current = false;
        api.get<TestRunHistory>(flowApi(flowId, '/test-runs')).then(setHistory, () => undefined);
      }
    });
  // a past run, read whole and drawn as the newest is after a reload
  const choosePast = async (runId: string) => {
    setError(undefined);
    const asked = ++lastChoice.current;
    try {
      const run = await api.get<KeptTestRun>(flowApi(flowId, `/test-runs/${runId}`));
      if (asked !== lastChoice.current) return;
      const shown = shownKept(run);
      if (shown) onResult(shown);
    } catch (err) {
      if (asked === lastChoice.current) setError(err as Error);
    }
  };
  // asks the running test to stop before its next step; its own answer (outcome cancelled) ends "Running…"
  const askCancel = async () => {
    setError(undefined);
    try {
      // a run followed from elsewhere is named: a run started after it ended is not stopped by mistake
      setCancel(await api.post<TestRunCancelAnswer>(flowApi(flowId, '/test-run/cancel'), elsewhere ? { runId: elsewhere.runId } : {}));
    } catch (err) {
      setError(err as Error);
    }
  };

  const r = result?.result;
  const shownId = result?.kept?.runId ?? r?.runId;
  const newestId = history?.runs[0]?.runId;
  const fits = useMemo(() => (result ? runFits(result.source, source, def) : undefined), [result, source, def]);
  return (
    <section className="card test-run" data-testid="test-run" aria-labelledby="test-run-title">
      <h2 id="test-run-title">Test run</h2>
      <p className="muted small">
        Runs the definition on the canvas — the draft, saved or not — with the sample event against the sandbox simulators: every step really calls them; nothing is kept in the gateway's
        database. One test of a flow at a time, at most 60 s.
      </p>
      <div className="test-run-sample">
        <label>
          Sample
          <select aria-label="sample" value="" onChange={(e) => choose(e.target.value)} disabled={busy !== undefined}>
            <option value="">{saved ? `kept: ${saved.label}` : 'choose a sample…'}</option>
            {choices.map((c) => (
              <option key={c.key} value={c.key} disabled={c.origin === 'inbox' && !canTest}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <span className="muted small" data-testid="sample-origin">
          {unsaved ? `${current.label} · not kept yet` : `kept: ${saved!.label} · by ${saved!.updatedBy} · `}
          {!unsaved && <When iso={saved!.updatedAt} />}
        </span>
      </div>
      <label className="test-run-editor">
        Event (JSON; card numbers and security codes are refused)
        <textarea
          aria-label="sample event (JSON)"
          value={text}
          rows={10}
          spellCheck={false}
          readOnly={!canTest}
          onChange={(e) => {
            setText(e.target.value);
            setCurrent({ origin: 'typed', label: 'typed in' });
          }}
        />
      </label>
      {parsed.problem && <p className="flow-node-problem" role="note">{parsed.problem}</p>}
      {canTest ? (
        <div className="toolbar">
          <button type="button" onClick={() => void act('saving', keepTyped)} disabled={busy !== undefined || !unsaved || parsed.event === undefined}>Keep sample</button>
          <button type="button" className="primary" onClick={() => void run()} disabled={busy !== undefined || parsed.event === undefined || elsewhere !== undefined}>
            {busy === 'running' ? 'Running…' : 'Run test'}
          </button>
          {(busy === 'running' || elsewhere) && (
            <button type="button" onClick={() => void askCancel()} disabled={cancel !== undefined}>
              {cancel ? 'Cancelling…' : 'Cancel'}
            </button>
          )}
        </div>
      ) : (
        <p className="muted small">Operators and admins run tests.</p>
      )}
      {elsewhere && (
        <p className="muted small" role="status" data-testid="test-run-elsewhere">
          A test run of this flow is running: started by {elsewhere.ranBy} <When iso={elsewhere.startedAt} />, {elsewhere.stepsRan} step{elsewhere.stepsRan === 1 ? '' : 's'} ran so far. Its result is drawn when it ends.
          {cancel && ' Asked to stop: it stops before its next step.'}
        </p>
      )}
      {interrupted && !elsewhere && (
        <p className="muted small" role="note" data-testid="test-run-interrupted">
          The test run started by {interrupted.ranBy} <When iso={interrupted.startedAt} /> did not end: the gateway running it stopped after {interrupted.stepsRan} step{interrupted.stepsRan === 1 ? '' : 's'}.
        </p>
      )}
      {cancel && busy === 'running' && <p className="muted small" role="status">Asked to stop: the step running now ends, the rest do not run.</p>}
      <Problem error={error} />
      {r && (
        <div className="test-run-result">
          {result.kept && (
            <p className="muted small" data-testid="test-run-kept">
              {newestId === undefined || newestId === result.kept.runId ? 'The last test run, kept' : 'A past test run'}: by {result.kept.ranBy} · <When iso={result.kept.startedAt} />
            </p>
          )}
          {fits !== 'same' && (
            <p className="muted small" role="note" data-testid="test-run-changed">
              Ran on an earlier version of this draft
              {fits === 'same-steps' ? ' (the steps are the same: its results are drawn on them)' : ': its steps differ from the canvas, so its results are listed here, not drawn on the nodes'}.
            </p>
          )}
          <p role="status" data-testid="test-run-outcome" className={`run-outcome run-${r.outcome}`}>
            <b>{OUTCOME_WORDS[r.outcome]}</b> in {r.ms} ms · {r.trace.length} step{r.trace.length === 1 ? '' : 's'} ran
            {r.error && (
              <>
                {' · '}
                <code>{r.error.code}</code> {r.error.message}
              </>
            )}
          </p>
          {(r.truncated || r.redacted) && (
            <p className="muted small" role="note">
              {r.truncated && 'An input or output over 8 KB is cut: its size and first characters are shown (truncated: true). '}
              {r.redacted && 'What looked like card data in an input or output is not kept: removed.'}
            </p>
          )}
          <ol className="test-run-steps" aria-label="steps of the test run">
            {r.trace.map((t, i) => (
              <li key={`${t.stepId}-${i}`} className={`run-${t.outcome}`}>
                <details open={t.outcome === 'failed'}>
                  <summary>
                    <b>{t.name || t.stepId}</b> <code>{t.type}</code> · {OUTCOME_LABELS[t.outcome]} · {Math.round(t.ms)} ms
                    {t.error && <span className="flow-node-problem"> · {t.error.code}: {errorText(t.error)}</span>}
                  </summary>
                  <div className="test-run-io">
                    <div>
                      <h3>Input</h3>
                      <Json value={t.input ?? null} />
                    </div>
                    <div>
                      <h3>Output</h3>
                      <Json value={t.output ?? null} />
                    </div>
                  </div>
                </details>
              </li>
            ))}
          </ol>
        </div>
      )}
      {history && (
        <div className="test-run-history" data-testid="past-runs">
          <h3 id="past-runs-title">Past runs</h3>
          <p className="muted small">
            {history.runs.length === 0 ? 'None yet: the last ' : 'The last '}
            {history.keep} test runs of this flow are kept, newest first: choose one to draw its results on the nodes.
          </p>
          <ol aria-labelledby="past-runs-title">
            {history.runs.map((h) => (
              <li key={h.runId}>
                <button
                  type="button"
                  className={`link past-run run-${h.state === 'ended' ? h.outcome : h.state}`}
                  aria-pressed={shownId === h.runId}
                  disabled={h.state !== 'ended'}
                  title={h.state === 'ended' ? 'draw its results' : h.state === 'running' ? 'running: its results are drawn when it ends' : 'the gateway running it stopped: no results'}
                  onClick={() => void choosePast(h.runId)}
                >
                  <When iso={h.startedAt} /> · {h.ranBy} · <b>{summaryOutcome(h)}</b> · {h.sampleLabel ?? 'no sample label'}
                  {h.sameAsPublished ? ' · the published definition' : h.sameAsDraft ? ' · the saved draft' : ''}
                </button>
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}

/** What a test run did at one node, on the node itself: outcome, time, input and output (or the error). */
export function NodeRunInfo({ run }: { run: NodeRun }) {
  const t = run.trace;
  const ranHere = run.outcome !== 'not-reached' && run.outcome !== 'taken' && run.outcome !== 'started';
  // the first line beside the outcome: the input of a step that ran, else why (not reached, branch taken)
  const first = ranHere ? (t?.input !== undefined ? { text: `in: ${preview(t.input)}`, title: pretty(t.input) } : undefined) : run.note ? { text: run.note, title: run.note } : undefined;
  return (
    <div className={`flow-node-run run-${run.outcome}`} data-testid={`run-${run.outcome}`}>
      <div className="flow-node-run-head">
        <span className={`chip run-${run.outcome}`}>
          {OUTCOME_LABELS[run.outcome]}
          {t && ` · ${Math.round(t.ms)} ms`}
        </span>
        {first && <span className="flow-node-run-line" title={first.title}>{first.text}</span>}
      </div>
      {ranHere &&
        (t?.error ? (
          <span className="flow-node-problem" role="note" title={`${t.error.code}: ${errorText(t.error)}`}>{errorText(t.error)}</span>
        ) : (
          t?.output !== undefined && <span className="flow-node-run-line" title={pretty(t.output)}>out: {preview(t.output)}</span>
        ))}
    </div>
  );
}

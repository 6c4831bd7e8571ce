import { useEffect, useMemo, useState } from 'react';
import type { FlowCatalogue } from '../../../src/admin/flow-builder-types';
import type { LastTestRun, TestRunCancelAnswer, TestRunResult, TestSample, TestSampleInput, TestSamples } from '../../../src/admin/flow-test-run-types';
import { api } from '../api';
import { Json, Problem, When } from '../components';
import type { Definition } from './model';
import { errorText, OUTCOME_LABELS, preview, runFits, type NodeRun } from './test-run';

/**
 * The builder's test-run panel: choose a sample event (typed in, a shipped sample, a past real
 * trigger pinned from the inbox), kept per flow on the server so it survives reloads; run the
 * definition on the canvas — the draft, saved or not — against the sandbox simulators. The
 * per-step results go on the canvas (`onResult`), and are listed here in full. The last run is
 * kept on the server: a reload shows it again (drawn while the canvas has the steps it ran). A
 * running test can be cancelled: it stops before its next step.
 */

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
  /** a run kept on the server (shown after a reload): who ran it, when */
  kept?: { ranBy: string; startedAt: string };
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
  /** a run of the flow found running when the panel opened (another tab, another operator) */
  const [elsewhere, setElsewhere] = useState<LastTestRun>();
  const [cancel, setCancel] = useState<TestRunCancelAnswer>();

  const shipped = useMemo(() => triggerSamples(def, catalogue), [def, catalogue]);
  useEffect(() => {
    let live = true;
    api.get<TestSamples>(`/admin/api/flows/${encodeURIComponent(flowId)}/test-samples`).then(
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
        // the last run, kept on the server: drawn again as it was
        const last = s.lastRun;
        if (last?.state === 'ended' && last.result) onResult({ result: last.result, event: last.event, source: last.source, kept: { ranBy: last.ranBy, startedAt: last.startedAt } });
        else if (last?.state === 'running') setElsewhere(last);
      },
      (err: unknown) => live && setError(err as Error),
    );
    return () => {
      live = false;
    };
    // the samples are read once per flow; the trigger samples only fill an empty editor
  }, [flowId]);

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
    const stored = await api.post<TestSample>(`/admin/api/flows/${encodeURIComponent(flowId)}/test-sample`, input);
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
      const answer = await api.post<TestRunResult>(`/admin/api/flows/${encodeURIComponent(flowId)}/test-run`, { source, event: parsed.event });
      onResult({ result: answer, event: parsed.event, source });
    });
  // asks the running test to stop before its next step; its own answer (outcome cancelled) ends "Running…"
  const askCancel = async () => {
    setError(undefined);
    try {
      setCancel(await api.post<TestRunCancelAnswer>(`/admin/api/flows/${encodeURIComponent(flowId)}/test-run/cancel`, {}));
    } catch (err) {
      setError(err as Error);
    }
  };

  const r = result?.result;
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
          A test run of this flow is running: started by {elsewhere.ranBy} <When iso={elsewhere.startedAt} />, {elsewhere.stepsRan} step{elsewhere.stepsRan === 1 ? '' : 's'} ran so far.
          {cancel && ' Asked to stop: it stops before its next step.'}
        </p>
      )}
      {cancel && busy === 'running' && <p className="muted small" role="status">Asked to stop: the step running now ends, the rest do not run.</p>}
      <Problem error={error} />
      {r && (
        <div className="test-run-result">
          {result.kept && (
            <p className="muted small" data-testid="test-run-kept">
              The last test run, kept: by {result.kept.ranBy} · <When iso={result.kept.startedAt} />
            </p>
          )}
          {fits !== 'same' && (
            <p className="muted small" role="note" data-testid="test-run-changed">
              Ran on an earlier version of this draft
              {fits === 'same-steps' ? ' (the steps are the same: its results are drawn on them)' : ': its steps differ from the canvas, so its results are listed here, not drawn on the nodes'}.
            </p>
          )}
          <p role="status" data-testid="test-run-outcome" className={`run-outcome run-${r.outcome}`}>
            <b>{r.outcome === 'done' ? 'Done' : r.outcome === 'timeout' ? 'Time limit reached' : r.outcome === 'rejected' ? 'Rejected' : r.outcome === 'cancelled' ? 'Cancelled' : 'Failed'}</b> in {r.ms} ms · {r.trace.length} step{r.trace.length === 1 ? '' : 's'} ran
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

import { applyNodeChanges, Background, Controls, MiniMap, ReactFlow, ReactFlowProvider, useReactFlow, type Connection, type Edge, type NodeChange } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { CatalogueStep, DraftSaved, FlowCatalogue, FlowLayout, FlowPublished, FlowValidation, FlowVersionView, SourceProblem } from '../../../src/admin/flow-builder-types';
import { api, flowApi, ApiError } from '../api';
import { Problem, When } from '../components';
import { diffFlows } from './diff';
import { FlowSettingsPanel } from './FlowSettings';
import { useHistory } from './history';
import { OverlayContext, OverlayRunsPanel, OverlayStatus, overlayByStep, useLiveOverlay } from './LiveOverlay';
import { autoLayout } from './layout';
import { addCompensation, addLoose, allSteps, connect, findStep, newStep, parseDefinition, problemsByStep, remove, serialize, stepsBefore, toGraph, TRIGGER_NODE, update, type Definition, type Snapshot } from './model';
import { Palette, STEP_MIME } from './Palette';
import { sourceFields } from './sources';
import { StepNode, type StepNodeType } from './StepNode';
import { StepPanel } from './StepPanel';
import { nodeRuns, OUTCOME_LABELS, runFits } from './test-run';
import { TestRunPanel, type ShownTestRun } from './TestRun';

const NODE_TYPES = { step: StepNode };

export interface BuilderStart {
  /** the YAML text and layout to start from (a new flow: its template, not saved yet) */
  source: string;
  layout: FlowLayout | null;
  isNew?: boolean;
}

interface Props {
  flowId: string;
  catalogue: FlowCatalogue;
  canEdit: boolean;
  canSuggest: boolean;
  start?: BuilderStart;
  /** the flow is now stored (a draft or published): later loads read it from the server */
  onStored?: () => void;
}

export function FlowBuilder(props: Props) {
  const [loaded, setLoaded] = useState<{ start: BuilderStart; versions: FlowVersionView[] }>();
  const [error, setError] = useState<Error>();
  // kept here: a publish reloads the canvas, and what it says must stay
  const [notice, setNotice] = useState<string>();
  const load = useCallback(async () => {
    try {
      if (props.start) return setLoaded({ start: props.start, versions: [] });
      const { versions } = await api.get<{ versions: FlowVersionView[] }>(flowApi(props.flowId));
      const current = versions.find((v) => v.status === 'draft') ?? versions.find((v) => v.status === 'published') ?? versions[0]!;
      setLoaded({ start: { source: current.source, layout: current.layout }, versions });
    } catch (err) {
      setError(err as Error);
    }
  }, [props.flowId, props.start]);
  useEffect(() => {
    void load();
  }, [load]);
  if (error) return <Problem error={error} />;
  if (!loaded) return <p>Loading the flow…</p>;
  const parsed = parseDefinition(loaded.start.source);
  if (!parsed.def) {
    return (
      <div>
        <Problem error={{ message: `This version cannot be drawn: ${parsed.error}` }} />
        <pre className="json">{loaded.start.source}</pre>
      </div>
    );
  }
  return (
    <ReactFlowProvider>
      <Canvas {...props} key={loaded.start.source} def={parsed.def} start={loaded.start} versions={loaded.versions} reload={load} notice={notice} setNotice={setNotice} />
    </ReactFlowProvider>
  );
}

function Canvas({ flowId, catalogue, canEdit, canSuggest, def, start, versions, reload, onStored, notice, setNotice }: Props & { def: Definition; start: BuilderStart; versions: FlowVersionView[]; reload: () => Promise<void>; notice?: string; setNotice: (n: string | undefined) => void }) {
  const [original, setOriginal] = useState(() => (start.isNew ? undefined : { text: start.source, def }));
  const history = useHistory<Snapshot>({ def, loose: start.layout?.loose ?? [], positions: start.layout?.positions ?? {} });
  const snapshot = history.present;
  const [selected, setSelected] = useState<string>();
  const [problems, setProblems] = useState<SourceProblem[]>([]);
  const [validating, setValidating] = useState(false);
  const [error, setError] = useState<Error>();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [elk, setElk] = useState<Map<string, { x: number; y: number }>>();
  const [nodes, setNodes] = useState<StepNodeType[]>([]);
  // the last test run (TestRun.tsx): what each node did, drawn on it
  const [testRun, setTestRun] = useState<ShownTestRun>();
  const flow = useReactFlow();
  const wrapper = useRef<HTMLDivElement>(null);

  const entries = useMemo(() => new Map(catalogue.steps.map((s) => [s.type, s])), [catalogue]);
  const graph = useMemo(() => toGraph(snapshot), [snapshot]);
  const source = useMemo(() => serialize(snapshot.def, original), [snapshot.def, original]);
  // drawn while the nodes are the ones it ran (the same ids, types and branches); else listed in the panel only
  const runs = useMemo(
    () => (testRun && runFits(testRun.source, source, snapshot.def) !== 'steps-differ' ? nodeRuns(snapshot.def, testRun.result, testRun.event) : undefined),
    [testRun, source, snapshot.def],
  );
  const { byStep, flow: flowProblems } = useMemo(() => problemsByStep(snapshot, problems), [snapshot, problems]);
  const errors = problems.filter((p) => p.severity !== 'warning');
  const sample = useMemo(() => {
    const t = snapshot.def.triggers?.[0] as Record<string, unknown> | undefined;
    const type = catalogue.triggers.find((c) => c.type === t?.type);
    const { type: _type, event: _event, ...options } = t ?? {};
    return type?.samples.find((s) => Object.entries(s.options).every(([k, v]) => options[k] === v))?.event ?? type?.samples[0]?.event ?? {};
  }, [snapshot.def.triggers, catalogue]);

  // auto-layout when the structure changes (not when a node is moved or a mapping typed)
  const structure = useMemo(() => JSON.stringify([graph.nodes.filter((n) => !n.loose).map((n) => n.id), graph.edges.map((e) => [e.source, e.target])]), [graph]);
  useEffect(() => {
    let live = true;
    autoLayout(graph.nodes, graph.edges).then((positions) => live && setElk(positions), (err: unknown) => setError(err as Error));
    return () => {
      live = false;
    };
  }, [structure]); // graph is read through structure: a moved node or a typed mapping does not lay out again

  // the nodes React Flow draws: from the graph, the layout and what the validator said
  useEffect(() => {
    if (!elk) return;
    const triggers = (snapshot.def.triggers ?? []).map((t) => Object.entries(t).map(([k, v]) => (k === 'type' ? v : `${k}: ${String(v)}`)).join(' · ')).join(', ');
    setNodes((prev) => {
      const before = new Map(prev.map((n) => [n.id, n]));
      return graph.nodes.map((n): StepNodeType => {
        const loose = snapshot.loose.find((l) => l.step.id === n.id);
        const position = snapshot.positions[n.id] ?? (loose ? { x: loose.x, y: loose.y } : undefined) ?? elk.get(n.id) ?? { x: 0, y: 0 };
        const entry = n.step ? entries.get(n.step.type) : undefined;
        const own = byStep.get(n.id) ?? [];
        const title = n.step ? n.step.name ?? n.step.id : `When: ${triggers}`;
        return {
          id: n.id,
          type: 'step',
          position,
          measured: before.get(n.id)?.measured,
          selected: n.id === selected,
          deletable: canEdit && n.id !== TRIGGER_NODE,
          draggable: canEdit,
          ariaLabel: n.step ? `${title}, ${entry?.title ?? n.step.type}${n.loose ? ', not connected' : ''}${n.compensation ? ', compensation' : ''}${own.length ? `, ${own.length} problem${own.length > 1 ? 's' : ''}: ${own[0]!.message}` : ''}${runs?.get(n.id) ? `, test run: ${OUTCOME_LABELS[runs.get(n.id)!.outcome]}` : ''}` : `Trigger: ${triggers}`,
          data: { title, kind: n.step ? n.step.type : 'trigger', entry, trigger: !n.step, loose: n.loose, branch: n.step?.type === 'branch', compensation: n.compensation, problems: own, run: runs?.get(n.id) },
        };
      });
    });
  }, [graph, elk, snapshot, byStep, selected, entries, canEdit, runs]);
  useEffect(() => {
    if (elk && nodes.length) performance.mark('flow-canvas-rendered');
  }, [elk, nodes.length]);

  const edges: Edge[] = useMemo(() => graph.edges.map((e) => ({ id: e.id, source: e.source, sourceHandle: e.sourceHandle, target: e.target, label: e.label, deletable: false, ...(e.compensation ? { className: 'compensation-edge', ariaLabel: `${e.target} undoes ${e.source} if it fails` } : { ariaLabel: `${e.source} then ${e.target}` }) })), [graph]);

  // validation as the admin edits: the kernel's compiler on the server
  useEffect(() => {
    let live = true;
    setValidating(true);
    const timer = setTimeout(() => {
      api
        .post<FlowValidation>(flowApi(flowId, '/validate'), { source })
        .then((v) => live && setProblems(v.problems), (err: unknown) => live && setError(err as Error))
        .finally(() => live && setValidating(false));
    }, 300);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [source, flowId]);

  const onNodesChange = useCallback((changes: NodeChange<StepNodeType>[]) => {
    // removal goes through the history (onNodesDelete); the rest (drag, measure, select) is the canvas's
    setNodes((ns) => applyNodeChanges(changes.filter((c) => c.type !== 'remove'), ns));
    for (const c of changes) if (c.type === 'select' && c.selected) setSelected(c.id);
  }, []);
  const onConnect = useCallback(
    (c: Connection) => {
      let refused = false;
      history.push((s) => {
        const next = connect(s, c.source, c.target, c.sourceHandle);
        refused = !next;
        return next;
      });
      setNotice(refused ? `${c.target} cannot run after ${c.source}: that would make a loop, or ${c.source} is not connected itself.` : undefined);
    },
    [history],
  );
  const add = (entry: CatalogueStep) => {
    const step = newStep(snapshot, entry);
    const center = flow.screenToFlowPosition({ x: (wrapper.current?.getBoundingClientRect().left ?? 0) + 200, y: (wrapper.current?.getBoundingClientRect().top ?? 0) + 120 });
    history.push((s) => {
      const dropped = addLoose(s, step, center);
      return selected && (selected === TRIGGER_NODE || findStep(s, selected)?.loose === false) ? (connect(dropped, selected, step.id) ?? dropped) : dropped;
    });
    setSelected(step.id);
  };
  const onDrop = (e: React.DragEvent) => {
    const type = e.dataTransfer.getData(STEP_MIME);
    const entry = entries.get(type);
    if (!entry || !canEdit) return;
    e.preventDefault();
    const step = newStep(snapshot, entry);
    history.push((s) => addLoose(s, step, flow.screenToFlowPosition({ x: e.clientX, y: e.clientY })));
    setSelected(step.id);
  };
  const layoutOf = (): FlowLayout => ({ positions: snapshot.positions, loose: snapshot.loose });

  const run = async (what: () => Promise<string>) => {
    setBusy(true);
    setError(undefined);
    try {
      setNotice(await what());
    } catch (err) {
      setError(err as Error);
      if (err instanceof ApiError && err.code === 'FLOW_DEFINITION_INVALID') setNotice(undefined);
    } finally {
      setBusy(false);
    }
  };
  const saveDraft = () =>
    run(async () => {
      const saved = await api.post<DraftSaved>(flowApi(flowId, '/draft'), { source, layout: layoutOf() });
      setProblems(saved.problems);
      onStored?.();
      const errs = saved.problems.filter((p) => p.severity !== 'warning').length;
      return `Saved as draft v${saved.version}${errs ? ` with ${errs} error${errs > 1 ? 's' : ''}: it cannot be published until they are fixed` : ''}.`;
    });
  const publish = () =>
    run(async () => {
      await api.post<DraftSaved>(flowApi(flowId, '/draft'), { source, layout: layoutOf() });
      const published = await api.post<FlowPublished>(flowApi(flowId, '/publish'), { reason });
      setReason('');
      setOriginal({ text: source, def: snapshot.def });
      onStored?.();
      void reload();
      return `Published v${published.version}: new events run it on every gateway; runs already started finish on their version.`;
    });
  const rollback = (version: number) =>
    run(async () => {
      const done = await api.post<{ version: number }>(flowApi(flowId, '/rollback'), { version, reason });
      void reload();
      return `Rolled back: v${version} published again as v${done.version}.`;
    });
  const importFile = async (file: File) => {
    const text = await file.text();
    const parsed = parseDefinition(text);
    if (!parsed.def) return setError(new Error(`${file.name} cannot be read: ${parsed.error}`));
    setOriginal({ text, def: parsed.def });
    history.reset({ def: parsed.def, loose: [], positions: {} });
    setNotice(`Imported ${file.name}: save it as a draft to keep it.`);
  };
  // one live download link at a time, not one per keystroke
  const [exportHref, setExportHref] = useState<string>();
  useEffect(() => {
    const url = URL.createObjectURL(new Blob([source], { type: 'application/yaml' }));
    setExportHref(url);
    return () => URL.revokeObjectURL(url);
  }, [source]);

  const onKeyDown = (e: React.KeyboardEvent) => {
    if ((e.target as HTMLElement).closest('input, textarea, select')) return;
    const mod = e.ctrlKey || e.metaKey;
    if (mod && e.key.toLowerCase() === 'z') {
      e.preventDefault();
      if (e.shiftKey) history.redo();
      else history.undo();
    } else if (mod && e.key.toLowerCase() === 'y') {
      e.preventDefault();
      history.redo();
    }
  };

  const current = selected ? findStep(snapshot, selected) : undefined;
  const placed = allSteps(snapshot.def.steps);
  const publishedVersion = versions.find((v) => v.status === 'published');
  const dirty = source !== (versions.find((v) => v.status === 'draft') ?? publishedVersion)?.source;
  const publishedDef = useMemo(() => (publishedVersion ? parseDefinition(publishedVersion.source).def : undefined), [publishedVersion]);
  const changes = useMemo(() => (publishedDef ? diffFlows(publishedDef, snapshot.def) : []), [publishedDef, snapshot.def]);
  const [live, setLive] = useState(false);
  const overlay = useLiveOverlay(flowId, live && Boolean(publishedVersion));
  const overlaySteps = useMemo(() => overlayByStep(overlay.overlay), [overlay.overlay]);

  return (
    <div className="builder" onKeyDown={onKeyDown}>
      <div className="toolbar builder-bar">
        <h1>{snapshot.def.name}</h1>
        <span className="muted">
          {flowId} · {publishedVersion ? `published v${publishedVersion.version}` : 'not published'}
          {versions.some((v) => v.status === 'draft') && ` · draft v${versions.find((v) => v.status === 'draft')!.version}`}
          {dirty && ' · unsaved changes'}
        </span>
        <span className="validation" role="status" aria-live="polite" data-state={validating ? 'validating' : errors.length ? 'invalid' : 'valid'}>
          {validating ? 'checking…' : errors.length ? `${errors.length} error${errors.length > 1 ? 's' : ''}` : 'valid'}
        </span>
        {canEdit && (
          <>
            <button type="button" onClick={history.undo} disabled={!history.canUndo} aria-keyshortcuts="Control+Z">Undo</button>
            <button type="button" onClick={history.redo} disabled={!history.canRedo} aria-keyshortcuts="Control+Shift+Z">Redo</button>
            <button type="button" onClick={() => void saveDraft()} disabled={busy}>Save draft</button>
          </>
        )}
        {publishedVersion && (
          <button type="button" className="overlay-toggle" aria-pressed={live} onClick={() => setLive(!live)} title="per step: runs in progress, failed, dead-lettered, money in flight, p95 time">
            Live overlay
          </button>
        )}
        <a className="button" href={exportHref} download={`${flowId}.yaml`}>Export YAML</a>
        {canEdit && (
          <label className="button">
            Import YAML
            <input type="file" accept=".yaml,.yml" hidden aria-label="import YAML" onChange={(e) => e.target.files?.[0] && void importFile(e.target.files[0])} />
          </label>
        )}
      </div>
      {live && <OverlayStatus overlay={overlay.overlay} error={overlay.error} />}
      {notice && <p className="notice" role="status">{notice}</p>}
      <Problem error={error} />
      {flowProblems.length > 0 && (
        <ul className="node-problems" aria-label="problems of the flow">
          {flowProblems.map((p, i) => (
            <li key={i} className={p.severity === 'warning' ? 'warning' : 'error'}>{p.message} <code className="muted">{p.path || p.file}</code></li>
          ))}
        </ul>
      )}
      <div className={`builder-body${canEdit ? '' : ' read-only'}`}>
        {canEdit && <Palette steps={catalogue.steps} onAdd={add} selected={current && !current.loose ? selected : selected === TRIGGER_NODE ? 'the trigger' : undefined} />}
        <OverlayContext.Provider value={live ? overlaySteps : undefined}>
        <div className="canvas" ref={wrapper} onDragOver={(e) => e.preventDefault()} onDrop={onDrop} data-testid="canvas" aria-label="flow canvas">
          {elk ? (
            <ReactFlow<StepNodeType, Edge>
              nodes={nodes}
              edges={edges}
              nodeTypes={NODE_TYPES}
              onNodesChange={onNodesChange}
              onNodeDragStop={(_e, _n, moved) => history.push((s) => ({ ...s, positions: { ...s.positions, ...Object.fromEntries(moved.map((m) => [m.id, { x: Math.round(m.position.x), y: Math.round(m.position.y) }])) } }))}
              onNodesDelete={(deleted) => history.push((s) => deleted.reduce((acc, n) => remove(acc, n.id), s))}
              onConnect={canEdit ? onConnect : undefined}
              onPaneClick={() => setSelected(undefined)}
              nodesConnectable={canEdit}
              deleteKeyCode={canEdit ? ['Backspace', 'Delete'] : null}
              onlyRenderVisibleElements={nodes.length > 80}
              fitView
              fitViewOptions={{ maxZoom: 1 }}
              minZoom={0.1}
              ariaLabelConfig={{ 'node.a11yDescription.default': 'Press Enter or Space to select this step; the arrow keys move it, Delete removes it.' }}
            >
              <Background />
              <Controls />
              {/* the minimap redraws every node on each frame of a pan: only for mid-sized flows (bench/ui) */}
              {nodes.length > 30 && nodes.length <= 120 && <MiniMap pannable zoomable />}
            </ReactFlow>
          ) : (
            <p className="muted">Laying out…</p>
          )}
        </div>
        </OverlayContext.Provider>
        {selected === TRIGGER_NODE && !live ? (
          <FlowSettingsPanel def={snapshot.def} catalogue={catalogue} problems={flowProblems} canEdit={canEdit} onChange={(def) => history.push((s) => ({ ...s, def }))} />
        ) : live && current && !current.loose ? (
          <aside className="step-panel">
            <OverlayRunsPanel key={selected} flowId={flowId} stepId={selected!} canReplay={canSuggest} onReplayed={overlay.refresh} />
          </aside>
        ) : current ? (
          <StepPanel
            key={selected}
            step={current.step}
            entry={entries.get(current.step.type)}
            loose={current.loose}
            problems={byStep.get(selected!) ?? []}
            sources={sourceFields(sample, catalogue.ledgerFields, stepsBefore(snapshot, selected!), entries)}
            sample={sample}
            canEdit={canEdit}
            canSuggest={canSuggest}
            connectTargets={[{ id: TRIGGER_NODE, label: 'the trigger (first)' }, ...placed.filter((s) => s.id !== selected).map((s) => ({ id: s.id, label: s.name ?? s.id }))]}
            onChange={(step) => {
              history.push((s) => update(s, selected!, step));
              if (step.id !== selected) setSelected(step.id);
            }}
            onDelete={() => {
              history.push((s) => remove(s, selected!));
              setSelected(undefined);
            }}
            onConnect={(after) => history.push((s) => connect(s, after, selected!))}
            errorPolicy={{
              compensations: (snapshot.def.compensations ?? []).map((c) => ({ id: c.id, label: c.name ?? c.id })),
              isCompensation: Boolean(current.compensation),
              types: catalogue.steps.filter((c) => c.type !== 'branch'),
              onAddCompensation: (type) => {
                const entry = entries.get(type);
                if (!entry) return;
                const step = newStep(snapshot, entry);
                history.push((s) => addCompensation(s, selected!, step));
                setSelected(step.id);
              },
            }}
          />
        ) : (
          <aside className="step-panel">
            <h2>Versions</h2>
            <ul className="versions" aria-label="versions">
              {versions.map((v) => (
                <li key={v.version}>
                  <b>v{v.version}</b> {v.status} · {v.createdBy} · <When iso={v.createdAt} />
                  {v.reason && <div className="muted">{v.reason}</div>}
                  {canEdit && v.status === 'retired' && (
                    <button type="button" className="link" disabled={reason.trim().length < 3 || busy} onClick={() => void rollback(v.version)}>Roll back to v{v.version}</button>
                  )}
                </li>
              ))}
              {!versions.length && <li className="muted">not saved yet</li>}
            </ul>
            <p className="muted small">Select a step to configure it. Tab moves between nodes; Enter selects; arrows move; Delete removes; Ctrl+Z undoes.</p>
          </aside>
        )}
      </div>
      {canEdit && (
        <div className="toolbar actions">
          <label>
            Reason (required to publish or roll back) <input value={reason} onChange={(e) => setReason(e.target.value)} aria-label="publish reason" size={40} placeholder="what changes and why" />
          </label>
          <button type="button" className="primary" disabled={busy || reason.trim().length < 3 || errors.length > 0 || validating || snapshot.loose.length > 0} onClick={() => void publish()}>
            Publish
          </button>
          {errors.length > 0 && <span className="muted">fix the {errors.length} error{errors.length > 1 ? 's' : ''} first</span>}
          {snapshot.loose.length > 0 && <span className="muted">connect or delete the unconnected steps first</span>}
        </div>
      )}
      <TestRunPanel flowId={flowId} source={source} def={snapshot.def} catalogue={catalogue} canTest={canSuggest} result={testRun} onResult={setTestRun} />
      {publishedVersion && (
        <section className="card" data-testid="flow-diff" aria-labelledby="flow-diff-title">
          <h2 id="flow-diff-title">Changes against published v{publishedVersion.version}</h2>
          {changes.length ? (
            <ul className="changes">
              {changes.map((c, i) => (
                <li key={i} className={`change-${c.kind}`}>
                  <b>{c.kind}</b> {c.step && <code>{c.step}</code>} {c.what}
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">none: this is what runs</p>
          )}
        </section>
      )}
      <details className="card">
        <summary>Definition (YAML, as exported)</summary>
        <pre className="json" data-testid="flow-yaml">{source}</pre>
      </details>
    </div>
  );
}

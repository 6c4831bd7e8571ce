import { createHash } from 'node:crypto';
import { type z } from 'zod';
import { formatProblem, schemaProblems, YamlSource, type SourceProblem } from '../../config/yaml-source';
import type { M3FieldDictionary } from '../../domain/field-maps';
import { AppError } from '../../errors';
import { Expression, type Mapping } from '../expressions';
import type { AnyStepType, ExactlyOnce, StepCatalogue } from '../step-contract';
import { inferType, notMoneyReason, type TypeContext } from './expression-types';
import { errorPolicySchema, flowDefinitionSchema, type ErrorPolicy, type FlowDefinition, type RawMapping, type RawStep, type RawTrigger } from './schema';

/**
 * From YAML text to a flow the runner can execute, with every problem — syntax, schema, unknown
 * step types, expressions that do not compile, references to steps that have not run, money fed
 * by float arithmetic, M3 fields that do not fit, steps made only at-least-once — reported as
 * `file:line:column path: message`. The same checks run at start-up, in `npm run flows --
 * validate`, and in the builder as the admin edits.
 */

/** A trigger type as the definitions see it (the adapters live in gateway/src/triggers). */
export interface TriggerType {
  type: string;
  title: string;
  /** the trigger's own options (endpoint, document, …) */
  options: z.ZodType;
  /** the name under which one published flow owns this trigger (`bod:Sync.Invoice`, …) */
  claim(options: Record<string, unknown>): string;
  /** what the trigger's event looks like (for the builder and the mapping assistant) */
  eventSample?(options: Record<string, unknown>): unknown;
}

export interface TriggerCatalogue {
  get(type: string): TriggerType | undefined;
  list(): TriggerType[];
}

/** M3 metadata of one transaction (MRS001MI LstFields), when the validator has it. */
export interface M3TransactionMetadata {
  program: string;
  transaction: string;
  inputs: Array<{ name: string; description: string; type: 'A' | 'N' | 'D' | string; length: number; mandatory: boolean }>;
}

export interface CompileDeps {
  catalogue: StepCatalogue;
  triggers: TriggerCatalogue;
  /** the M3 field dictionary (m3-fields.yaml): lengths and types of the fields the steps write */
  m3Fields?: M3FieldDictionary;
  /** MRS001MI metadata by `PROGRAM/Transaction`, for m3.call */
  m3Metadata?: ReadonlyMap<string, M3TransactionMetadata>;
  /** error codes a flow.require step may use (the error registry); unchecked when absent */
  knownErrorCodes?: ReadonlySet<string>;
}

export interface CompiledStep {
  id: string;
  type: string;
  name: string;
  /** where it sits in the file: ['steps', 2, 'branches', 0, 'steps', 1] */
  path: Array<string | number>;
  stepType?: AnyStepType;
  config: unknown;
  when?: Expression;
  input: Record<string, Mapping>;
  ledger?: { status?: string | Expression; record?: Record<string, Mapping>; event?: boolean };
  onError: ErrorPolicy;
  exactlyOnce: ExactlyOnce;
  operation: string;
  branches?: Array<{ name: string; when: Expression; steps: CompiledStep[] }>;
  otherwise?: CompiledStep[];
}

export interface CompiledTrigger {
  type: string;
  options: Record<string, unknown>;
  claim: string;
  event?: Mapping;
}

export interface CompiledFlow {
  id: string;
  name: string;
  description?: string;
  definition: FlowDefinition;
  /** the YAML text it was compiled from */
  source: string;
  /** sha256 of the source: what a version is */
  hash: string;
  triggers: CompiledTrigger[];
  aggregateKey?: Expression;
  runKey?: Expression;
  scope: { company?: Expression; division?: Expression };
  concurrency?: number;
  completeStatus: string;
  onError: ErrorPolicy;
  steps: CompiledStep[];
  compensations: Map<string, CompiledStep>;
  warnings: SourceProblem[];
}

export class FlowDefinitionError extends AppError {
  constructor(readonly problems: SourceProblem[]) {
    super(`Invalid flow definition:\n${problems.map((p) => `  - ${formatProblem(p)}`).join('\n')}`, { code: 'FLOW_DEFINITION_INVALID', errorClass: 'configuration', httpStatus: 422, details: { problems } });
    this.name = 'FlowDefinitionError';
  }
}

/**
 * The longest expression a definition may hold: far below the evaluator's hard bound
 * (EXPRESSION_LIMITS.sourceChars), so that what an admin writes in a field mapping stays readable
 * and reviewable in a diff — logic longer than this belongs in map steps or a $function.
 */
export const DEFINITION_EXPRESSION_MAX_CHARS = 2000;

const RUN_ROOTS = new Set(['event', 'trigger', 'settings', 'scope', 'payment', 'steps']);
const ARITHMETIC = new Set(['+', '-', '*', '/', '%']);

/** Compile a definition; `problems` holds errors and warnings (a flow comes back only without errors). */
export function compileFlow(file: string, text: string, deps: CompileDeps): { flow?: CompiledFlow; problems: SourceProblem[] } {
  const { source, data, problems } = YamlSource.parse(file, text);
  if (!source) return { problems };
  const parsed = flowDefinitionSchema.safeParse(data);
  if (!parsed.success) return { problems: schemaProblems(source, parsed.error) };
  const def = parsed.data;
  const out: SourceProblem[] = [];
  const error = (path: Array<string | number>, message: string, offset?: number) => out.push(source.problem(path, message, { offset }));
  const warn = (path: Array<string | number>, message: string) => out.push(source.problem(path, message, { severity: 'warning' }));

  const compileExpr = (path: Array<string | number>, text: string): Expression | undefined => {
    if (text.length > DEFINITION_EXPRESSION_MAX_CHARS) {
      error(path, `the expression has ${text.length} characters; an expression in a definition may have at most ${DEFINITION_EXPRESSION_MAX_CHARS} (move the logic into map steps)`);
      return undefined;
    }
    const compiled = Expression.compile(text);
    if (compiled instanceof Expression) return compiled;
    error(path, `not a valid expression: ${compiled.message}`, compiled.position);
    return undefined;
  };
  const compileMapping = (path: Array<string | number>, raw: RawMapping): Mapping => {
    if (typeof raw === 'string') return compileExpr(path, raw) ?? null;
    if (raw === null || typeof raw !== 'object') return raw;
    const outMap: Record<string, Mapping> = {};
    for (const [k, v] of Object.entries(raw)) outMap[k] = compileMapping([...path, k], v);
    return outMap;
  };

  // ids are unique across the whole flow: they name intents and trace entries
  const seen = new Map<string, string>();
  const visitIds = (steps: RawStep[] | undefined, path: Array<string | number>) => {
    steps?.forEach((s, i) => {
      const here = [...path, i];
      if (seen.has(s.id)) error([...here, 'id'], `step id "${s.id}" is used twice (also at ${seen.get(s.id)})`);
      else seen.set(s.id, here.join('.'));
      s.branches?.forEach((b, j) => visitIds(b.steps, [...here, 'branches', j, 'steps']));
      visitIds(s.otherwise, [...here, 'otherwise']);
    });
  };
  visitIds(def.steps, ['steps']);
  visitIds(def.compensations, ['compensations']);

  // what each step's output holds (its type's output schema): expressions reading it are typed by it
  const typeById = new Map<string, string>();
  const collectTypes = (steps: RawStep[] | undefined) =>
    steps?.forEach((s) => {
      typeById.set(s.id, s.type);
      s.branches?.forEach((b) => collectTypes(b.steps));
      collectTypes(s.otherwise);
    });
  collectTypes(def.steps);
  collectTypes(def.compensations);
  const typeCtx: TypeContext = {
    stepOutput: (id) => {
      const output = deps.catalogue.get(typeById.get(id) ?? '')?.output;
      return output ? objectShape(output) : undefined;
    },
  };

  // triggers
  const triggers: CompiledTrigger[] = [];
  def.triggers.forEach((t: RawTrigger, i) => {
    const type = deps.triggers.get(t.type);
    if (!type) {
      error(['triggers', i, 'type'], `unknown trigger type "${t.type}" (known: ${deps.triggers.list().map((x) => x.type).join(', ')})`);
      return;
    }
    const { type: _t, event, ...rest } = t;
    const options = type.options.safeParse(rest);
    if (!options.success) {
      for (const issue of options.error.issues) error(['triggers', i, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], issue.code === 'unrecognized_keys' ? `unknown option(s) ${issue.keys.join(', ')}` : issue.message);
      return;
    }
    const opts = options.data as Record<string, unknown>;
    triggers.push({ type: t.type, options: opts, claim: type.claim(opts), event: event === undefined ? undefined : compileMapping(['triggers', i, 'event'], event) });
  });
  const claims = triggers.map((t) => t.claim);
  claims.forEach((c, i) => claims.indexOf(c) !== i && error(['triggers', i], `the flow has the trigger ${c} twice`));

  const aggregateKey = def.aggregateKey ? compileExpr(['aggregateKey'], def.aggregateKey) : undefined;
  const runKey = def.runKey ? compileExpr(['runKey'], def.runKey) : undefined;
  // the flow's keys are computed before any step runs: the aggregate key when the trigger is stored,
  // the run key when the run starts; what they read must exist then, or every event gets an empty key
  const keyRoots = (name: 'aggregateKey' | 'runKey', expr: Expression | undefined, roots: string[], when: string) => {
    for (const root of expr?.references().roots ?? []) if (!roots.includes(root)) error([name], `${name} is computed ${when}: "${root}" is not there yet (it may read ${roots.join(', ')})`);
  };
  keyRoots('aggregateKey', aggregateKey, ['event', 'trigger', 'settings'], 'when the trigger is stored');
  keyRoots('runKey', runKey, ['event', 'trigger', 'settings', 'scope'], 'when the run starts, before any step');
  const scope = { company: def.scope?.company ? compileExpr(['scope', 'company'], def.scope.company) : undefined, division: def.scope?.division ? compileExpr(['scope', 'division'], def.scope.division) : undefined };

  // steps
  let paymentKnown = false; // after ledger.open-payment / ledger.use-payment on every path
  const compileSteps = (steps: RawStep[] | undefined, path: Array<string | number>, before: ReadonlySet<string>, maybe: ReadonlySet<string>, deferred: Set<string>): { compiled: CompiledStep[]; definite: Set<string>; possible: Set<string> } => {
    const definite = new Set(before);
    const possible = new Set(maybe);
    const compiled: CompiledStep[] = [];
    let ended = false;
    (steps ?? []).forEach((raw, i) => {
      const here = [...path, i];
      if (ended) error([...here, 'id'], `step "${raw.id}" can never run: the step before it always ends the run`);
      const checkRefs = (exprPath: Array<string | number>, expr: Expression | undefined, self?: string) => {
        if (!expr) return;
        const refs = expr.references();
        for (const root of refs.roots) if (!RUN_ROOTS.has(root)) warn(exprPath, `"${root}" is not part of the run document (${[...RUN_ROOTS].join(', ')}): it will be empty`);
        for (const id of refs.steps) {
          if (id === self) error(exprPath, `step "${id}" cannot read its own output here`);
          else if (deferred.has(id)) error(exprPath, `step "${id}" is written with the run's next commit: its output cannot be read by later steps`);
          else if (definite.has(id)) continue;
          else if (possible.has(id)) warn(exprPath, `step "${id}" runs only on some paths: its output may be empty here`);
          else if (seen.has(id)) error(exprPath, `step "${id}" has not run yet at this point (a step can only read steps before it)`);
          else {
            const hyphenated = [...seen.keys()].find((k) => k.startsWith(`${id}-`));
            error(exprPath, hyphenated ? `there is no step "${id}": an id with "-" is written in backticks, steps.\`${hyphenated}\`` : `there is no step "${id}"`);
          }
        }
      };
      const when = raw.when ? compileExpr([...here, 'when'], raw.when) : undefined;
      checkRefs([...here, 'when'], when);
      if (raw.when && /^\s*false\s*$/.test(raw.when)) warn([...here, 'when'], `step "${raw.id}" can never run: its condition is false`);
      const onError = errorPolicySchema.parse({ ...def.onError, ...raw.onError });
      for (const c of onError.compensate) if (!def.compensations?.some((s) => s.id === c)) error([...here, 'onError', 'compensate'], `there is no compensation step "${c}"`);

      if (raw.type === 'branch') {
        const branches: NonNullable<CompiledStep['branches']> = [];
        const outcomes: Array<Set<string>> = [];
        const union = new Set<string>();
        raw.branches!.forEach((b, j) => {
          const bPath = [...here, 'branches', j];
          const bWhen = compileExpr([...bPath, 'when'], b.when);
          checkRefs([...bPath, 'when'], bWhen);
          if (/^\s*false\s*$/.test(b.when)) warn([...bPath, 'when'], `branch "${b.name}" can never run: its condition is false`);
          const inner = compileSteps(b.steps, [...bPath, 'steps'], definite, possible, deferred);
          outcomes.push(inner.definite);
          inner.possible.forEach((x) => union.add(x));
          inner.definite.forEach((x) => union.add(x));
          if (bWhen) branches.push({ name: b.name, when: bWhen, steps: inner.compiled });
        });
        const other = compileSteps(raw.otherwise, [...here, 'otherwise'], definite, possible, deferred);
        outcomes.push(other.definite);
        other.possible.forEach((x) => union.add(x));
        other.definite.forEach((x) => union.add(x));
        // a step id is definite after the branch when every way through defined it (and the branch itself always runs)
        for (const id of union) {
          if (!when && outcomes.every((o) => o.has(id))) definite.add(id);
          else possible.add(id);
        }
        compiled.push({ id: raw.id, type: 'branch', name: raw.name ?? raw.id, path: here, config: undefined, when, input: {}, onError, exactlyOnce: 'read-only', operation: 'branch', branches, otherwise: other.compiled });
        return;
      }

      const stepType = deps.catalogue.get(raw.type);
      let config: unknown = raw.config ?? {};
      if (!stepType) {
        error([...here, 'type'], `unknown step type "${raw.type}" (see npm run flows -- show, or the palette)`);
      } else {
        if (stepType.config) {
          const parsedConfig = stepType.config.safeParse(raw.config ?? {});
          if (!parsedConfig.success) {
            for (const issue of parsedConfig.error.issues) error([...here, 'config', ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], issue.code === 'unrecognized_keys' ? `unknown setting(s) ${issue.keys.join(', ')} (misspelled?)` : issue.message);
          } else {
            config = parsedConfig.data;
            for (const message of stepType.checkConfig?.(config) ?? []) error([...here, 'config'], message);
          }
        } else if (raw.config && Object.keys(raw.config).length) {
          error([...here, 'config'], `${raw.type} has no settings`);
        }
      }
      const input: Record<string, Mapping> = {};
      for (const [name, value] of Object.entries(raw.input ?? {})) {
        input[name] = compileMapping([...here, 'input', name], value);
        forEachExpression(input[name], (e, sub) => checkRefs([...here, 'input', name, ...sub], e, raw.id));
      }
      if (stepType) checkInputs(stepType, config, raw, input, here);
      const exactlyOnce = stepType ? safeCall(() => stepType.exactlyOnce(config), 'at-least-once' as ExactlyOnce) : 'read-only';
      const operation = stepType ? safeCall(() => stepType.operation(config), raw.type) : raw.type;
      if (exactlyOnce === 'at-least-once') warn([...here, 'type'], `${raw.type} "${raw.id}" is at-least-once: without a lookup a lost answer may repeat ${operation}`);
      if (stepType?.type === 'ledger.open-payment' || stepType?.type === 'ledger.use-payment') paymentKnown = true;
      else if (stepType && exactlyOnce !== 'read-only' && exactlyOnce !== 'local' && !paymentKnown && !def.runKey) {
        error([...here, 'type'], `step "${raw.id}" has an effect but the run has no key yet: open the payment first (ledger.open-payment) or give the flow a runKey`);
      }
      let ledger: CompiledStep['ledger'];
      if (raw.ledger) {
        const record: Record<string, Mapping> = {};
        definite.add(raw.id); // a step's ledger effect reads its own output
        for (const [field, value] of Object.entries(raw.ledger.record ?? {})) {
          record[field] = compileMapping([...here, 'ledger', 'record', field], value as RawMapping);
          forEachExpression(record[field], (e, sub) => checkRefs([...here, 'ledger', 'record', field, ...sub], e));
        }
        let status: string | Expression | undefined = raw.ledger.status;
        if (status !== undefined && !/^[a-z_]{1,40}$/.test(status)) {
          status = compileExpr([...here, 'ledger', 'status'], status);
          checkRefs([...here, 'ledger', 'status'], status);
        }
        ledger = { status, record: raw.ledger.record ? record : undefined, event: raw.ledger.event };
      }
      if (stepType?.type === 'flow.fail' && !when) ended = true;
      compiled.push({ id: raw.id, type: raw.type, name: raw.name ?? stepType?.title ?? raw.id, path: here, stepType, config, when, input, ledger, onError, exactlyOnce, operation });
      if (stepType?.deferred) deferred.add(raw.id);
      if (when) possible.add(raw.id);
      else definite.add(raw.id);
    });
    return { compiled, definite, possible };
  };

  const checkInputs = (stepType: AnyStepType, config: unknown, raw: RawStep, input: Record<string, Mapping>, here: Array<string | number>) => {
    const shape = objectShape(stepType.input);
    if (shape) {
      for (const name of Object.keys(input)) if (!(name in shape)) error([...here, 'input', name], `${stepType.type} has no input "${name}" (inputs: ${Object.keys(shape).join(', ')})`);
      for (const [name, schema] of Object.entries(shape)) {
        if (!(name in input) && !schema.safeParse(undefined).success) error([...here, 'input'], `input "${name}" is required by ${stepType.type}`);
      }
    }
    for (const name of stepType.moneyInputs ?? []) {
      const m = input[name];
      if (m === undefined) continue;
      if (typeof m === 'number') error([...here, 'input', name], `money input "${name}" is a number: write money as a decimal string ("12.34"); numbers are floats and lose cents`);
      if (m instanceof Expression && feedsFloat(m.ast())) error([...here, 'input', name], `money input "${name}" is fed by a non-money expression (number arithmetic is floating point): use a path, a decimal string, $amount or the $money… functions`);
      else if (m instanceof Expression) {
        const literal = literalOf(m);
        const why = literal !== undefined ? (/^-?\d+(\.\d+)?$/.test(literal) ? undefined : `"${literal}" is not a decimal amount`) : notMoneyReason(inferType(m.ast(), typeCtx));
        if (why) error([...here, 'input', name], `money input "${name}" is fed by a non-money expression: ${why}`);
      } else if (typeof m === 'boolean' || (m !== null && typeof m === 'object')) error([...here, 'input', name], `money input "${name}" is fed by a non-money value: write money as a decimal string ("12.34")`);
    }
    const m3 = stepType.m3?.(config);
    if (m3) checkM3(m3, input, here, raw);
  };

  const checkM3 = (usage: NonNullable<ReturnType<NonNullable<AnyStepType['m3']>>>, input: Record<string, Mapping>, here: Array<string | number>, raw: RawStep) => {
    const metadata = deps.m3Metadata?.get(`${usage.program}/${usage.transaction}`);
    // m3.call maps M3 field names directly under input.fields
    const fields = raw.type === 'm3.call' ? ((input.fields && typeof input.fields === 'object' && !(input.fields instanceof Expression) ? input.fields : {}) as Record<string, Mapping>) : Object.fromEntries(Object.entries(usage.fields).filter(([k]) => k in input).map(([k, f]) => [f, input[k]!]));
    const fieldPath = (f: string) => (raw.type === 'm3.call' ? [...here, 'input', 'fields', f] : [...here, 'input', Object.entries(usage.fields).find(([, v]) => v === f)?.[0] ?? f]);
    if (metadata) {
      const known = new Map(metadata.inputs.map((f) => [f.name, f]));
      for (const name of Object.keys(fields)) if (!known.has(name)) error(fieldPath(name), `${usage.program}/${usage.transaction} has no input field ${name}`);
      for (const f of metadata.inputs) if (f.mandatory && !(f.name in fields) && !['CONO', 'DIVI'].includes(f.name)) error(raw.type === 'm3.call' ? [...here, 'input', 'fields'] : [...here, 'input'], `${usage.program}/${usage.transaction} needs ${f.name} (${f.description})`);
    }
    for (const [name, m] of Object.entries(fields)) {
      const meta = metadata?.inputs.find((f) => f.name === name) ?? (deps.m3Fields?.fields[name] ? { ...deps.m3Fields.fields[name]!, name } : undefined);
      if (!meta) continue;
      const literal = literalOf(m);
      if (literal === undefined) {
        // not a constant: what the expression can give, when that is certain
        if (!(m instanceof Expression)) continue;
        const t = inferType(m.ast(), typeCtx);
        const what = t.source ?? 'the expression';
        if (t.kind === 'string' && t.maxLength !== undefined && t.maxLength > meta.length) error(fieldPath(name), `${name} (${meta.description}) holds ${meta.length} characters; ${what} can give ${t.maxLength}`);
        if (t.kind === 'boolean') error(fieldPath(name), `${name} (${meta.description}) is ${meta.type === 'N' ? 'numeric' : meta.type === 'D' ? 'a date (yyyyMMdd)' : 'text'}; ${what} gives true or false`);
        continue;
      }
      if (literal.length > meta.length) error(fieldPath(name), `${name} (${meta.description}) holds ${meta.length} characters; "${literal}" has ${literal.length}`);
      if (meta.type === 'N' && !/^-?\d+(\.\d+)?$/.test(literal)) error(fieldPath(name), `${name} (${meta.description}) is numeric; "${literal}" is not a number`);
      if (meta.type === 'D' && !/^\d{8}$/.test(literal)) error(fieldPath(name), `${name} (${meta.description}) is a date (yyyyMMdd); "${literal}" is not`);
    }
  };

  const main = compileSteps(def.steps, ['steps'], new Set(), new Set(), new Set());
  const compensations = new Map<string, CompiledStep>();
  const comp = compileSteps(def.compensations, ['compensations'], main.definite, main.possible, new Set());
  for (const c of comp.compiled) compensations.set(c.id, c);

  for (const step of allSteps(main.compiled)) {
    if (step.type === 'flow.require' && deps.knownErrorCodes) {
      const code = (step.config as { code?: string } | undefined)?.code;
      if (code && !deps.knownErrorCodes.has(code)) error([...step.path, 'config', 'code'], `error code ${code} is not registered (gateway/src/errors/registry.ts): operators could not look it up`);
    }
  }

  const errors = out.filter((p) => p.severity !== 'warning');
  if (errors.length) return { problems: out };
  return {
    flow: {
      id: def.id,
      name: def.name,
      description: def.description,
      definition: def,
      source: text,
      hash: createHash('sha256').update(text).digest('hex'),
      triggers,
      aggregateKey,
      runKey,
      scope,
      concurrency: def.concurrency,
      completeStatus: def.completeStatus,
      onError: errorPolicySchema.parse(def.onError ?? {}),
      steps: main.compiled,
      compensations,
      warnings: out,
    },
    problems: out,
  };
}

/** Compile or throw FlowDefinitionError with every problem. */
export function compileFlowOrThrow(file: string, text: string, deps: CompileDeps): CompiledFlow {
  const { flow, problems } = compileFlow(file, text, deps);
  if (!flow) throw new FlowDefinitionError(problems.filter((p) => p.severity !== 'warning'));
  return flow;
}

/** Every step of a flow, branches included, in file order. */
export function allSteps(steps: CompiledStep[]): CompiledStep[] {
  return steps.flatMap((s) => [s, ...(s.branches?.flatMap((b) => allSteps(b.steps)) ?? []), ...allSteps(s.otherwise ?? [])]);
}

function forEachExpression(m: Mapping, fn: (e: Expression, sub: string[]) => void, sub: string[] = []): void {
  if (m instanceof Expression) fn(m, sub);
  else if (m && typeof m === 'object') for (const [k, v] of Object.entries(m)) forEachExpression(v, fn, [...sub, k]);
}

/** The fields of an object schema (through defaults and pipes): a step's inputs and outputs. */
export function objectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  const s = schema as unknown as { shape?: Record<string, z.ZodType>; def?: { innerType?: z.ZodType; in?: z.ZodType } };
  if (s.shape) return s.shape;
  const inner = s.def?.innerType ?? s.def?.in;
  return inner ? objectShape(inner) : undefined;
}

/** The text of a mapping that is a constant: a quoted string or a number literal. */
function literalOf(m: Mapping): string | undefined {
  if (typeof m === 'number') return String(m);
  if (!(m instanceof Expression)) return undefined;
  const ast = m.ast() as { type: string; value?: unknown };
  if ((ast.type === 'string' || ast.type === 'number') && ast.value !== undefined) return String(ast.value);
  return undefined;
}

/** Does the expression compute a number (arithmetic, number literals, $number/$sum/…)? Money must not. */
function feedsFloat(ast: unknown): boolean {
  const n = ast as { type?: string; value?: unknown; procedure?: { value?: unknown }; [k: string]: unknown };
  if (!n || typeof n !== 'object') return false;
  if (n.type === 'number') return true;
  if (n.type === 'binary' && typeof n.value === 'string' && ARITHMETIC.has(n.value)) return true;
  if (n.type === 'unary' && n.value === '-') return true;
  if (n.type === 'function' && typeof n.procedure?.value === 'string' && ['number', 'sum', 'round', 'floor', 'ceil', 'power', 'sqrt', 'average', 'abs', 'max', 'min', 'formatNumber'].includes(n.procedure.value)) return true;
  if (n.type === 'function' && typeof n.procedure?.value === 'string' && (n.procedure.value.startsWith('money') || n.procedure.value === 'amount')) return false;
  for (const [k, v] of Object.entries(n)) {
    if (k === 'procedure') continue;
    if (Array.isArray(v) ? v.some(feedsFloat) : v && typeof v === 'object' && feedsFloat(v)) return true;
  }
  return false;
}

function safeCall<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

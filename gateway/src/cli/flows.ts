/**
 * npm run flows -- list                        every flow definition: triggers, steps, warnings
 * npm run flows -- validate [dir]              validate every definition (exit 1 with the errors)
 * npm run flows -- show <flow>                 steps, systems, and how each is made exactly-once
 * npm run flows -- dry-run <flow> --event <file.json> [--charge]
 *                                              run the flow against sandbox simulators started here,
 *                                              printing each step's input and output; nothing is kept
 *
 * The folder is mappings/flows (RULES_DIR/flows), or the one given; the rules beside it are used.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildConfig } from '../config';
import { loadRules, RulesError, type Rules } from '../domain/rules-loader';
import { formatProblem, type SourceProblem } from '../config/yaml-source';
import { ERROR_CODES } from '../errors/registry';
import { compileFlow, allSteps, type CompiledFlow, type CompiledStep } from '../pipeline/definitions/compile';
import { EXACTLY_ONCE_EXPLAINED } from '../pipeline/step-contract';
import { stepCatalogue } from '../steps';
import { triggerCatalogue } from '../triggers/catalogue';
import { eventsModule } from '../events/module';
import { inforModule } from '../infor/module';
import { createLogger } from '../observability/logger';
import { payTraceModule } from '../paytrace/module';
import { startGateway } from '../runtime/gateway';
import { rulesModule } from '../runtime/rules-module';
import { startInfrastructure } from '../runtime/sandbox';
import { flowsModule } from '../triggers/module';
import { storefrontCharge } from '../../../simulators/paytrace/storefront';

const out = (line = '') => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

function folders(arg?: string): { flowsDir: string; rulesDir: string } {
  const rulesDefault = path.resolve(process.env.RULES_DIR ?? 'mappings');
  if (!arg) return { flowsDir: path.join(rulesDefault, 'flows'), rulesDir: rulesDefault };
  const dir = path.resolve(arg);
  // a flows folder inside a rules folder uses those rules; otherwise the default rules
  const parent = path.dirname(dir);
  return { flowsDir: dir, rulesDir: existsSync(path.join(parent, 'status-map.yaml')) ? parent : rulesDefault };
}

async function compileAll(flowsDir: string, rules: Rules): Promise<Array<{ file: string; flow?: CompiledFlow; problems: SourceProblem[] }>> {
  const deps = { catalogue: stepCatalogue(), triggers: triggerCatalogue(), m3Fields: rules.m3Fields, knownErrorCodes: new Set(Object.keys(ERROR_CODES)) };
  const names = (await readdir(flowsDir)).filter((n) => /\.ya?ml$/i.test(n)).sort();
  const results = [];
  for (const name of names) {
    const compiled = compileFlow(`flows/${name}`, await readFile(path.join(flowsDir, name), 'utf8'), deps);
    if (compiled.flow && `${compiled.flow.id}.yaml` !== name) compiled.problems.push({ file: `flows/${name}`, path: 'id', message: `the file of flow "${compiled.flow.id}" must be named ${compiled.flow.id}.yaml` });
    results.push({ file: name, ...compiled, flow: compiled.problems.some((p) => p.severity !== 'warning') ? undefined : compiled.flow });
  }
  return results;
}

async function rulesOf(rulesDir: string): Promise<Rules> {
  try {
    return await loadRules(rulesDir);
  } catch (e) {
    if (e instanceof RulesError) {
      err(e.message);
      process.exit(1);
    }
    throw e;
  }
}

function describeStep(step: CompiledStep, indent: string): void {
  if (step.type === 'branch') {
    out(`${indent}${step.id}  branch${step.when ? `  when ${step.when.source}` : ''}`);
    for (const b of step.branches ?? []) {
      out(`${indent}  ├ ${b.name}: when ${b.when.source}`);
      for (const s of b.steps) describeStep(s, `${indent}  │   `);
    }
    if (step.otherwise?.length) {
      out(`${indent}  └ otherwise`);
      for (const s of step.otherwise) describeStep(s, `${indent}      `);
    }
    return;
  }
  const t = step.stepType;
  out(`${indent}${step.id}  ${step.type}  — ${step.name}`);
  out(`${indent}    system ${t?.system ?? '?'} · ${step.operation} · exactly-once: ${step.exactlyOnce} (${EXACTLY_ONCE_EXPLAINED[step.exactlyOnce]})${t?.movesMoney ? ' · moves money: recorded before it runs' : ''}`);
  if (step.when) out(`${indent}    when ${step.when.source}`);
  if (step.ledger?.status) out(`${indent}    payment status → ${typeof step.ledger.status === 'string' ? step.ledger.status : step.ledger.status.source}`);
}

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  switch (command) {
    case 'list': {
      const { flowsDir, rulesDir } = folders(args[0]);
      const results = await compileAll(flowsDir, await rulesOf(rulesDir));
      for (const r of results) {
        if (!r.flow) {
          out(`${r.file}  INVALID (npm run flows -- validate)`);
          continue;
        }
        const warnings = r.problems.filter((p) => p.severity === 'warning').length;
        out(`${r.flow.id}  "${r.flow.name}"  triggers: ${r.flow.triggers.map((t) => t.claim).join(', ')}  steps: ${allSteps(r.flow.steps).length}${warnings ? `  warnings: ${warnings}` : ''}`);
      }
      return;
    }
    case 'validate': {
      const { flowsDir, rulesDir } = folders(args[0]);
      const results = await compileAll(flowsDir, await rulesOf(rulesDir));
      let errors = 0;
      for (const r of results) {
        for (const p of r.problems) {
          (p.severity === 'warning' ? out : err)(formatProblem(p));
          if (p.severity !== 'warning') errors++;
        }
      }
      const claims = new Map<string, string>();
      for (const r of results) {
        for (const t of r.flow?.triggers ?? []) {
          const owner = claims.get(t.claim);
          if (owner) {
            err(`flows/${r.file}: the trigger ${t.claim} is also ${owner}'s: one flow per trigger`);
            errors++;
          } else claims.set(t.claim, r.flow!.id);
        }
      }
      out(`${results.length} flow(s), ${errors} error(s)`);
      process.exit(errors ? 1 : 0);
      return;
    }
    case 'show': {
      const id = args[0];
      if (!id) throw new Error('usage: npm run flows -- show <flow>');
      const { flowsDir, rulesDir } = folders(args[1]);
      const result = (await compileAll(flowsDir, await rulesOf(rulesDir))).find((r) => r.flow?.id === id || r.file === `${id}.yaml`);
      if (!result?.flow) {
        err(result ? result.problems.map(formatProblem).join('\n') : `no flow ${id} in ${flowsDir}`);
        process.exit(1);
      }
      const flow = result.flow;
      out(`${flow.id} — ${flow.name}`);
      if (flow.description) out(`  ${flow.description}`);
      out(`  triggers: ${flow.triggers.map((t) => t.claim).join(', ')}`);
      if (flow.aggregateKey) out(`  one at a time per: ${flow.aggregateKey.source}`);
      if (flow.runKey) out(`  effects keyed by: ${flow.runKey.source}`);
      out('  steps:');
      for (const step of flow.steps) describeStep(step, '    ');
      for (const w of result.problems.filter((p) => p.severity === 'warning')) out(`  ${formatProblem(w)}`);
      return;
    }
    case 'dry-run':
      return dryRun(args);
    default:
      err('usage: npm run flows -- list | validate [dir] | show <flow> | dry-run <flow> --event <file.json> [--charge]');
      process.exit(2);
  }
}

/**
 * Run a flow for real against sandbox simulators started for the occasion, on a throw-away
 * database, in one transaction rolled back at the end; print every step's input and output.
 * --charge: first make the PayTrace sale the event describes (storefront events) at the simulator.
 */
async function dryRun(args: string[]): Promise<void> {
  const id = args[0];
  const eventFile = args[args.indexOf('--event') + 1];
  if (!id || args.indexOf('--event') < 0 || !eventFile) throw new Error('usage: npm run flows -- dry-run <flow> --event <file.json> [--charge]');
  const event = JSON.parse(readFileSync(eventFile, 'utf8')) as Record<string, unknown>;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'm3pt-dry-run-'));
  chmodSync(tmp, 0o777); // the embedded PostgreSQL's own user must reach it when this runs as root
  const config = buildConfig({ http: { port: 0 }, mode: 'sandbox', database: { embedded: { dataDir: path.join(tmp, 'pg') } }, rules: { dir: process.env.RULES_DIR ?? 'mappings' }, poller: { enabled: false }, flows: { customerPullIntervalSeconds: 0 }, admin: { alerts: { enabled: false } }, log: { level: 'error' } });
  const logger = createLogger({ level: 'error' });
  const infra = await startInfrastructure(config, logger);
  const gateway = await startGateway(infra.config, { databaseUrl: infra.databaseUrl, logger, modules: [rulesModule(), payTraceModule(), inforModule(), eventsModule(), flowsModule()] });
  try {
    const published = gateway.services.pipeline!.flows.published(id);
    if (!published) throw new Error(`no flow ${id} (known: ${gateway.services.pipeline!.flows.list().map((p: { flow: { id: string } }) => p.flow.id).join(', ')})`);
    if (args.includes('--charge')) {
      const data = event.data as { amount?: string; orderId?: string; paytraceTransactionId?: unknown } | undefined;
      if (!data?.amount) throw new Error('--charge needs an event with data.amount (a storefront order.paid event)');
      data.paytraceTransactionId = await storefrontCharge(infra.config.paytrace.baseUrl!, data.amount, data.orderId ?? 'DRY-RUN');
    }
    const result = await gateway.services.pipeline!.testRun(published.flow, event);
    for (const step of result.trace) {
      out(`── ${step.stepId} (${step.type}) ${step.outcome} in ${step.ms.toFixed(0)} ms`);
      if (step.input !== undefined) out(`   input  ${JSON.stringify(step.input)}`);
      if (step.output !== undefined) out(`   output ${JSON.stringify(step.output)}`);
      if (step.error) out(`   error  ${step.error.code} (${step.error.errorClass}): ${step.error.message}`);
    }
    out(`outcome: ${result.outcome}${result.error ? ` — ${result.error.code}: ${result.error.message}` : ''} (nothing was kept in the gateway's database)`);
    process.exitCode = result.outcome === 'done' ? 0 : 1;
  } finally {
    await gateway.stop();
    await infra.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  err(e instanceof Error ? e.message : String(e));
  process.exit(2);
});

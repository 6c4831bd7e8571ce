/**
 * The flow builder on a large flow, in headless Chromium (software rendering, --disable-gpu) against
 * a real gateway: a 200-step flow (e-mail steps, a branch every 25 steps) opened from the flow list.
 *
 *   open:  click on the flow in the list → every node of the viewport drawn (catalogue, versions,
 *          elkjs layout on the main thread, React Flow render); ceiling: the same for a 2-step
 *          flow, same run; target < 500 ms
 *   pan:   frame times (requestAnimationFrame deltas) while the mouse drags the canvas for ~1.5 s;
 *          p95 against the idle page's p95, same run; target < 16.7 ms (60 fps)
 *   layout: elkjs alone on the 200-step flow (performance.measure 'flow-layout'), in `extra`
 */
import type { Page } from 'playwright-core';
import YAML from 'yaml';
import { adminModule } from '../../gateway/src/admin/module';
import { createSession, SESSION_COOKIE } from '../../gateway/src/admin/sessions';
import { buildConfig } from '../../gateway/src/config';
import { createLogger } from '../../gateway/src/observability/logger';
import { startGateway } from '../../gateway/src/runtime/gateway';
import { rulesModule } from '../../gateway/src/runtime/rules-module';
import { ensureDatabase, startEmbeddedPostgres } from '../../gateway/src/store/embedded-postgres';
import { flowsModule } from '../../gateway/src/triggers/module';
import { launchChromium } from '../../test/helpers/browser';
import { ensureUiBuilt } from '../../test/integration/admin/ui-build';
import { benchDataDir } from '../lib/pg';
import { percentile, report } from '../lib/report';

const STEPS = Number(process.env.BENCH_FLOW_STEPS ?? 200);

function email(id: string) {
  return { id, type: 'email.send', name: `Notify ${id}`, input: { to: '"ap@example.com"', subject: '"Declined"', text: '"Payment " & event.reference' } };
}

/** `count` steps: e-mails, and every 25th a branch of two e-mails per side. */
function bigFlow(id: string, count: number): string {
  const steps: unknown[] = [];
  let n = 0;
  while (n < count) {
    if (n % 25 === 24 && count - n >= 5) {
      steps.push({ id: `b${n}`, type: 'branch', branches: [{ name: 'large', when: 'event.amount > "100"', steps: [email(`s${n + 1}`), email(`s${n + 2}`)] }], otherwise: [email(`s${n + 3}`), email(`s${n + 4}`)] });
      n += 5;
    } else steps.push(email(`s${n++}`));
  }
  return YAML.stringify({ version: 1, id, name: `Flow of ${count} steps`, triggers: [{ type: 'pay-page', on: 'declined' }], steps });
}

async function openFromList(page: Page, url: string, flowId: string, nodes: number): Promise<{ openMs: number; layoutMs: number }> {
  await page.goto(`${url}/ui/#/flows`);
  await page.locator(`[data-testid="flow-list"] a[href$="flow=${flowId}"]`).waitFor();
  // scripts as text: tsx would name the functions with a helper the page does not have
  return page.evaluate<{ openMs: number; layoutMs: number }>(`(async () => {
    performance.clearMeasures('flow-layout');
    const link = [...document.querySelectorAll('[data-testid="flow-list"] a')].find((a) => a.href.endsWith('flow=${flowId}'));
    const started = performance.now();
    link.click();
    await new Promise((resolve) => {
      const check = () => (document.querySelectorAll('.react-flow__node').length >= ${nodes} ? resolve() : requestAnimationFrame(check));
      requestAnimationFrame(check);
    });
    await new Promise((r) => requestAnimationFrame(() => r()));
    const openMs = performance.now() - started;
    const layout = performance.getEntriesByName('flow-layout');
    return { openMs, layoutMs: layout.length ? layout[layout.length - 1].duration : NaN };
  })()`);
}

async function frameTimes(page: Page, pan: boolean): Promise<number[]> {
  await page.evaluate(`(() => {
    window.__frames = [];
    window.__stop = false;
    let last = performance.now();
    const tick = (t) => {
      window.__frames.push(t - last);
      last = t;
      if (!window.__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
  const box = (await page.getByTestId('canvas').boundingBox())!;
  if (pan) {
    await page.mouse.move(box.x + box.width - 40, box.y + box.height - 40);
    await page.mouse.down();
    for (let i = 0; i < 90; i++) {
      await page.mouse.move(box.x + box.width - 40 - i * 4, box.y + box.height - 40 - (i % 45) * 8);
    }
    await page.mouse.up();
  } else await new Promise((r) => setTimeout(r, 1500));
  const frames = await page.evaluate<number[]>(`(() => {
    window.__stop = true;
    return window.__frames.slice(2);
  })()`);
  return frames.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  await ensureUiBuilt();
  const pgServer = process.env.DATABASE_URL ? undefined : await startEmbeddedPostgres({ dataDir: benchDataDir('ui'), durable: false });
  const databaseUrl = process.env.DATABASE_URL ?? (await ensureDatabase(pgServer!.url, 'bench_ui'));
  const gateway = await startGateway(buildConfig({ http: { port: 0 }, log: { level: 'error' }, admin: { alerts: { enabled: false } } }), {
    databaseUrl,
    logger: createLogger({ level: 'error' }),
    modules: [rulesModule(), flowsModule(), adminModule()],
  });
  const flows = gateway.services.pipeline!.flows;
  for (const [id, count] of [['big-flow', STEPS], ['small-flow', 2]] as const) {
    const saved = await flows.saveDraft(id, bigFlow(id, count), 'bench');
    const errors = saved.problems.filter((p) => p.severity !== 'warning');
    if (errors.length) throw new Error(`the ${id} definition does not validate: ${errors[0]!.message}`);
  }
  const { cookie } = await createSession(gateway.services.db, { subject: 'bench', roles: ['admin'] }, 60);
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  await context.addCookies([{ name: SESSION_COOKIE, value: cookie, url: gateway.url }]);
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);

  const big: Array<{ openMs: number; layoutMs: number }> = [];
  const small: Array<{ openMs: number; layoutMs: number }> = [];
  for (let round = 0; round < 5; round++) {
    small.push(await openFromList(page, gateway.url, 'small-flow', 3));
    big.push(await openFromList(page, gateway.url, 'big-flow', 20)); // the nodes in view (off-screen ones are not rendered)
  }
  const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);
  const openMs = median(big.slice(1).map((r) => r.openMs));
  const smallMs = median(small.slice(1).map((r) => r.openMs));
  const layoutMs = median(big.slice(1).map((r) => r.layoutMs));
  report({
    name: `ui/flow-canvas-open-${STEPS}-steps`,
    unit: 'ms (median of 4, after a warm-up)',
    value: openMs,
    ceiling: smallMs,
    ceilingDescription: 'opening a 2-step flow the same way, same run',
    ratio: smallMs / openMs,
    target: '< 500 ms',
    extra: { steps: STEPS, elkLayoutMs: Math.round(layoutMs * 10) / 10, runs: big.map((r) => Math.round(r.openMs)) },
  });

  const idle = await frameTimes(page, false);
  const panning = await frameTimes(page, true);
  const p95 = percentile(panning, 95);
  const idleP95 = percentile(idle, 95);
  report({
    name: `ui/flow-canvas-pan-${STEPS}-steps`,
    unit: 'ms per frame (p95)',
    value: p95,
    ceiling: idleP95,
    ceilingDescription: 'p95 frame time of the same page not panning, same run',
    ratio: idleP95 / p95,
    target: '< 16.7 ms (60 fps)',
    extra: { frames: panning.length, median: percentile(panning, 50), max: panning.at(-1), renderer: 'headless Chromium, --disable-gpu (software)' },
  });

  await browser.close();
  await gateway.stop();
  await pgServer?.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

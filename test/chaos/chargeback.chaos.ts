/**
 * Chargebacks under SIGKILL: the gateway process (the real entry point) is killed and restarted
 * while chargeback reports (imported twice, then again with won cases) and API notices arrive.
 * Afterwards the simulators' own state is audited: one reversing receipt per CB-<case>, one
 * reapplied receipt per won case (CBW-<case>), one GL batch per KEY1, every case where it should
 * be, nothing lost. `npm run test:chaos`.
 */
import { eventually } from '../helpers/gateway';
import { inforAccessToken, pool, postUntilAnswered, seededRandom, type GatewayProcess, type SharedWorld } from './harness';
import { startKillableGateway, type KillableGateway, type LoadDriver, type InvoicePayment } from './load';
import { waitUntilSettled } from './verify';

const CASES = 40;
const WON = 15;
const LOST_BY_API = 10;
const KILLS = 6;

const log = (line: string) => process.stderr.write(`[chargeback-chaos] ${line}\n`);

describe('chargebacks: SIGKILL mid-flow, exactly one M3 and GL effect per case', () => {
  let world: SharedWorld;
  let gateway: GatewayProcess;
  let driver: LoadDriver;
  let scene: KillableGateway;

  beforeAll(async () => {
    scene = await startKillableGateway({
      config: {
        queue: { expireInSeconds: 10, maintenanceIntervalSeconds: 2, pollingIntervalSeconds: 0.5, retryDelaySeconds: 1, retryLimit: 12 },
        flows: { concurrency: 4, chargebackApiCallers: ['M3SRVADM'] },
        poller: { enabled: false },
        admin: { alerts: { enabled: false } },
        shutdown: { graceMs: 2000 },
      },
      m3LatencyMs: 150, // M3 as real tenants answer: the kills land in the middle of runs
    });
    ({ world, gateway, driver } = scene);
  });

  afterAll(async () => {
    await scene?.stop();
  });

  it('imports, replays and kills: every chargeback booked once, every won case reapplied once', async () => {
    const db = world.database.db;
    const random = seededRandom(20);
    // settled invoice payments to dispute
    const paid: InvoicePayment[] = [];
    await pool(Array.from({ length: CASES }, (_, i) => i), 4, async (i) => {
      const invoice = await driver.createInvoice('C10001', `${100 + i}.${String(i % 100).padStart(2, '0')}`);
      paid.push(await driver.payInvoice(invoice, `CBCHAOS-${i}`));
    });
    await waitUntilSettled(world, 120_000);
    await fetch(`${world.paytrace.url}/_sim/settle`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const cases: Array<{ caseNumber: string; payment: InvoicePayment }> = [];
    for (const p of paid) {
      const res = await fetch(`${world.paytrace.url}/_sim/chargebacks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ transactionId: p.transactionId, fee: '15.00' }) });
      cases.push({ caseNumber: ((await res.json()) as { caseNumber: string }).caseNumber, payment: p });
    }

    // the killer: SIGKILL at random moments while the notices are processed
    let kills = 0;
    let stop = false;
    const killer = (async () => {
      while (!stop && kills < KILLS) {
        await new Promise((r) => setTimeout(r, 300 + random() * 900));
        if (stop) break;
        await gateway.kill();
        kills++;
        await gateway.start();
      }
    })();

    const token = await inforAccessToken(world.infor);
    const report = async () => (await fetch(`${world.paytrace.url}/_sim/chargebacks/report.csv`)).text();
    const importReport = async (csv: string) => {
      const answer = await postUntilAnswered(() => gateway.url, '/api/chargebacks/reports', () => ({ 'content-type': 'text/csv', authorization: `Bearer ${token}` }), csv);
      expect(answer.status).toBe(200);
      return answer.body;
    };
    const first = await report();
    await importReport(first);
    await importReport(first); // the same report twice: one case each
    // some cases are won at PayTrace; the next report says so
    for (const c of cases.slice(0, WON)) {
      await fetch(`${world.paytrace.url}/_sim/chargebacks/${c.caseNumber}/stage`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ stage: 'won' }) });
    }
    await importReport(await report());
    // others are lost, told over the API (twice)
    for (const c of cases.slice(WON, WON + LOST_BY_API)) {
      const body = JSON.stringify({ caseNumber: c.caseNumber, transactionId: c.payment.transactionId, amount: c.payment.amount, fee: '15.00', stage: 'lost' });
      for (let k = 0; k < 2; k++) {
        const answer = await postUntilAnswered(() => gateway.url, '/api/chargebacks', () => ({ 'content-type': 'application/json', authorization: `Bearer ${token}` }), body);
        expect(answer.status).toBe(202);
      }
    }
    // the kills go on while the runs do
    await eventually(async () => kills >= KILLS || Number((await db('inbox').where({ source: 'chargeback' }).whereIn('status', ['received', 'processing']).count<[{ count: string }]>({ count: '*' }))[0].count) === 0, 120_000, 'kills done or work done');
    stop = true;
    await killer;
    await waitUntilSettled(world, 180_000);
    await eventually(async () => Number((await db('chargebacks').whereIn('status', ['won', 'lost', 'received']).count<[{ count: string }]>({ count: '*' }))[0].count) === CASES, 60_000, 'every case recorded');

    // the audit, on the simulators' own state
    const m3 = ((await (await fetch(`${world.infor.url}/_sim/state`)).json()) as { m3: { receipts: Array<{ irno: string; cino: string }>; glBatches: Array<{ key1: string }> } }).m3;
    const violations: string[] = [];
    const receiptsWith = (irno: string) => m3.receipts.filter((r) => r.irno === irno).length;
    for (const [i, c] of cases.entries()) {
      const won = i < WON;
      const row = await db('chargebacks').where({ case_number: c.caseNumber }).first();
      const expectedStatus = won ? 'won' : i < WON + LOST_BY_API ? 'lost' : 'received';
      if (row?.status !== expectedStatus) violations.push(`${c.caseNumber}: status ${row?.status}, expected ${expectedStatus}`);
      if (receiptsWith(`CB-${c.caseNumber}`) !== 1) violations.push(`${c.caseNumber}: ${receiptsWith(`CB-${c.caseNumber}`)} reversing receipts`);
      if (receiptsWith(`CBW-${c.caseNumber}`) !== (won ? 1 : 0)) violations.push(`${c.caseNumber}: ${receiptsWith(`CBW-${c.caseNumber}`)} reapplied receipts`);
      const postings = await db('payments').whereIn('reference', [`CB-${c.caseNumber}`, `CBW-${c.caseNumber}`]).select('reference', 'status', 'gl_batch_key');
      if (postings.length !== (won ? 2 : 1) || postings.some((p: { status: string }) => p.status !== 'completed')) violations.push(`${c.caseNumber}: postings ${JSON.stringify(postings)}`);
      for (const p of postings as Array<{ gl_batch_key: string | null }>) {
        const n = m3.glBatches.filter((b) => b.key1 === p.gl_batch_key).length;
        if (n !== 1) violations.push(`${c.caseNumber}: ${n} GL batches ${p.gl_batch_key}`);
      }
    }
    const keys = m3.glBatches.map((b) => b.key1);
    const doubled = keys.filter((k, i) => keys.indexOf(k) !== i);
    if (doubled.length) violations.push(`GL batches twice: ${doubled.join(', ')}`);
    const dead = await db('dead_letters').where({ queue: 'chargeback' }).count<[{ count: string }]>({ count: '*' });
    log(`${CASES} cases (${WON} won, ${LOST_BY_API} lost by API, 3 report imports), ${kills} SIGKILLs, ${m3.receipts.filter((r) => /^CBW?-/.test(r.irno)).length} chargeback receipts, ${keys.filter((k) => /^PT[CW]/.test(k)).length} chargeback GL batches, ${dead[0].count} dead letters, ${violations.length} violations`);
    expect(violations).toEqual([]);
    expect(kills).toBeGreaterThanOrEqual(3);
  });
});

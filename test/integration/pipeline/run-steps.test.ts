import type { Knex } from 'knex';
import { RunStepLog, type RunStepAttempt } from '../../../gateway/src/pipeline/run-steps';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';

/**
 * RunStepLog's attempts on real PostgreSQL, with the runner's way of writing: each write waits for
 * the run's next commit (here: `commit()` applies the waiting writes in one transaction, as the
 * runner's Session does). A job is one RunStepLog; a retried job is a new one for the same trigger.
 */
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

let inbox = 0;
/** one job of a run of trigger `inboxId`: its step log, and its commits */
function job(inboxId: number) {
  let waiting: Array<(trx: Knex.Transaction) => Promise<void>> = [];
  const log = new RunStepLog({ inboxId: String(inboxId), flowId: 'f', flowVersionId: null }, (work) => waiting.push(work));
  return {
    log,
    commit: () => database.db.transaction(async (trx) => {
      const work = waiting;
      waiting = [];
      for (const w of work) await w(trx);
    }),
  };
}
const row = (inboxId: number, step: string) => database.db('flow_run_steps').where({ inbox_id: inboxId, step_id: step }).first<{ state: string; ms: number | null; error_code: string | null; attempts: RunStepAttempt[] }>();
const outcomes = async (inboxId: number, step: string) => (await row(inboxId, step))!.attempts.map((a) => [a.outcome, a.ms === null ? null : 'ms', a.code]);

it('writes an attempt once however many commits carry it, and a retried job\'s attempt after it', async () => {
  const id = (inbox += 1);
  const first = job(id);
  first.log.started('receipt', undefined);
  await first.commit(); // before the call goes out: the attempt is seen running
  expect(await outcomes(id, 'receipt')).toEqual([['running', null, null]]);
  first.log.finished('receipt', 'failed', 1234.6, undefined, 'M3_CONNECTION');
  first.log.settle('receipt', 'retrying');
  await first.commit();
  expect(await row(id, 'receipt')).toMatchObject({ state: 'retrying', ms: 1235, error_code: 'M3_CONNECTION', attempts: [expect.objectContaining({ outcome: 'failed', ms: 1235, code: 'M3_CONNECTION' })] });

  const second = job(id);
  second.log.started('receipt', undefined);
  second.log.finished('receipt', 'done', 300.2, undefined); // started and done between two commits: one write
  await second.commit();
  const r = (await row(id, 'receipt'))!;
  expect(r).toMatchObject({ state: 'done', ms: 300, error_code: null });
  expect(r.attempts.map((a) => [a.outcome, a.ms, a.code])).toEqual([['failed', 1235, 'M3_CONNECTION'], ['done', 300, null]]);
  expect(Date.parse(r.attempts[0]!.at)).toBeLessThanOrEqual(Date.parse(r.attempts[1]!.at));
});

it('keeps an attempt a stopped process left running, and adds the next job\'s', async () => {
  const id = (inbox += 1);
  const lost = job(id);
  lost.log.started('receipt', undefined);
  await lost.commit(); // …and the process stops: no finish, no settle
  const next = job(id);
  next.log.started('receipt', undefined);
  next.log.finished('receipt', 'done', 12, undefined);
  await next.commit();
  expect(await outcomes(id, 'receipt')).toEqual([['running', null, null], ['done', 'ms', null]]);
});

it('does not add an attempt for a step done for the run that a retried job executes again, unless it fails', async () => {
  const id = (inbox += 1);
  const first = job(id);
  first.log.started('payment', undefined);
  first.log.finished('payment', 'done', 3, undefined);
  await first.commit();
  const before = (await row(id, 'payment'))!;

  const again = job(id);
  again.log.started('payment', undefined);
  await again.commit();
  again.log.finished('payment', 'done', 5, undefined);
  await again.commit();
  expect(await row(id, 'payment')).toEqual(before); // the row as the first job left it

  const failing = job(id);
  failing.log.started('payment', undefined);
  failing.log.finished('payment', 'failed', 7, undefined, 'DB_BROKEN');
  failing.log.settle('payment', 'dead');
  await failing.commit();
  expect(await row(id, 'payment')).toMatchObject({ state: 'dead', ms: 7, error_code: 'DB_BROKEN' });
  expect(await outcomes(id, 'payment')).toEqual([['done', 'ms', null], ['failed', 'ms', 'DB_BROKEN']]);
});

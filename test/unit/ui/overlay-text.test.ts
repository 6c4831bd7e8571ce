import type { OverlayAttempt, OverlayStep } from '../../../gateway/src/admin/flow-overlay-types';
import { attemptsText, duration, retriesText } from '../../../gateway/ui/src/flows/overlay-text';

/** The live overlay's texts about a step's attempts: on the node, and in a node's list of runs. */
const attempt = (ms: number | null, outcome: OverlayAttempt['outcome'], errorCode: string | null = null): OverlayAttempt => ({ startedAt: '2026-12-05T10:00:00.000Z', ms, outcome, errorCode });
const step = (extra: Partial<OverlayStep>): OverlayStep => ({ stepId: 'receipt', inProgress: 0, failed: 0, deadLettered: 0, moneyInFlight: [], p95Ms: 40, timed: 3, p95TotalMs: null, settled: 0, retried: 0, ...extra });

it('lists each attempt with its time and outcome, oldest first', () => {
  expect(attemptsText([attempt(1234, 'failed', 'M3_TRANSIENT'), attempt(300, 'done')], false)).toBe('2 attempts: 1.2 s failed M3_TRANSIENT, 300 ms done');
  expect(attemptsText([attempt(2025, 'failed', 'M3_UNAVAILABLE'), attempt(1960, 'failed', 'M3_UNAVAILABLE'), attempt(44, 'done')], false)).toBe('3 attempts: 2.0 s failed M3_UNAVAILABLE, 2.0 s failed M3_UNAVAILABLE, 44 ms done');
  // one attempt: nothing (the run's own time says it)
  expect(attemptsText([attempt(12, 'done')], false)).toBe('');
  expect(attemptsText([], false)).toBe('');
});

it('tells the attempt running now from one a stopped process left running', () => {
  expect(attemptsText([attempt(null, 'running'), attempt(15, 'failed', 'M3_CONNECTION'), attempt(null, 'running')], true)).toBe('3 attempts: did not finish, 15 ms failed M3_CONNECTION, running');
  expect(attemptsText([attempt(null, 'running'), attempt(15, 'done')], false)).toBe('2 attempts: did not finish, 15 ms done');
  expect(attemptsText([attempt(9, 'failed'), attempt(15, 'done')], false)).toBe('2 attempts: 9 ms failed, 15 ms done');
});

it('reads durations in ms under a second, in tenths of a second above', () => {
  expect([0, 999, 1000, 1049, 1050, 61_234].map(duration)).toEqual(['0 ms', '999 ms', '1.0 s', '1.0 s', '1.1 s', '61.2 s']);
});

it('says on the node how many runs were retried and their p95 across attempts, only when some were', () => {
  expect(retriesText(step({ retried: 0 }))).toBe('');
  expect(retriesText(step({ retried: 2, p95TotalMs: 4045, settled: 2 }))).toBe('2 retried · p95 total 4045 ms');
  expect(retriesText(step({ retried: 1, p95TotalMs: null }))).toBe('1 retried'); // retried, none settled yet
});

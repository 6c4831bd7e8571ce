import type { OverlayAttempt, OverlayStep } from '../../../src/admin/flow-overlay-types';

/** The live overlay's texts about attempts (flows/LiveOverlay.tsx); the figures themselves are integer ms. */

/** "1 retried · p95 total 1250 ms" (nothing when no run needed a second attempt in the window). */
export function retriesText(s: OverlayStep): string {
  if (!s.retried) return '';
  return [`${s.retried} retried`, s.p95TotalMs === null ? '' : `p95 total ${s.p95TotalMs} ms`].filter(Boolean).join(' · ');
}

/** A duration for reading: "840 ms", "1.2 s" (the figures themselves are integer ms). */
export function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(Math.round(ms / 100) / 10).toFixed(1)} s`;
}

/** "2 attempts: 1.2 s failed M3_UNAVAILABLE, 300 ms done" (nothing for a single attempt: the run's time says it). */
export function attemptsText(attempts: OverlayAttempt[], running: boolean): string {
  if (attempts.length < 2) return '';
  const one = (a: OverlayAttempt, i: number) => {
    // an attempt left running before the last one never finished (its process stopped)
    const what = a.outcome === 'failed' ? `failed${a.errorCode ? ` ${a.errorCode}` : ''}` : a.outcome === 'done' ? 'done' : running && i === attempts.length - 1 ? 'running' : 'did not finish';
    return a.ms === null ? what : `${duration(a.ms)} ${what}`;
  };
  return `${attempts.length} attempts: ${attempts.map(one).join(', ')}`;
}

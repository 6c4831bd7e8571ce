/**
 * Every benchmark prints its figures and the ceiling they are compared with, measured in the
 * same run on the same machine, as one JSON line starting with "BENCH " (the harness collects
 * them) followed by a human-readable summary.
 */
export interface BenchResult {
  name: string;
  /** what was measured, e.g. "requests/s" */
  unit: string;
  value: number;
  /** the same measure for the ceiling (the best this machine can do for the same work) */
  ceiling: number;
  ceilingDescription: string;
  /** value / ceiling for "higher is better" units, ceiling / value for times */
  ratio: number;
  target?: string;
  extra?: Record<string, unknown>;
}

export function report(result: BenchResult): void {
  console.log(`BENCH ${JSON.stringify(result)}`);
  console.log(
    `${result.name}: ${result.value.toFixed(1)} ${result.unit} vs ceiling ${result.ceiling.toFixed(1)} ${result.unit} (${result.ceilingDescription}) → ${(result.ratio * 100).toFixed(1)} % of ceiling${result.target ? `; target ${result.target}` : ''}`,
  );
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/** Percentiles and timing helpers for the benchmarks. */

/** Nearest-rank percentile of `samples` (ms); `p` in 0..100. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** p50 and p95 of a series. */
export interface Summary {
  runs: number;
  p50: number;
  p95: number;
}

/** Summarises `samples`. */
export function summarize(samples: readonly number[]): Summary {
  return { runs: samples.length, p50: percentile(samples, 50), p95: percentile(samples, 95) };
}

/** Runs `fn` and returns how long it took, in ms. */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/** Formats milliseconds with a precision that suits the size. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return "n/a";
  return value < 10 ? value.toFixed(2) : value.toFixed(0);
}

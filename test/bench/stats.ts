/** The q-th percentile (0..100) of the values, nearest-rank; NaN for none. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((q / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export interface Spread {
  min: number;
  median: number;
  max: number;
}

export function spread(values: readonly number[]): Spread {
  return { min: Math.min(...values), median: median(values), max: Math.max(...values) };
}

/** One line of bench-results.json. `value` is the median of the runs; `ratio` is value / ceiling. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  ceiling: number | null;
  ratio: number | null;
  target: string;
  met: boolean;
  min: number;
  median: number;
  max: number;
  /** Each run's figure, and each run's ceiling, in order. */
  runs?: number[];
  ceilingRuns?: number[];
  note?: string;
}

export const round = (n: number, digits = 2): number => {
  if (!Number.isFinite(n)) return n;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

/** A duration in ms, from process.hrtime.bigint() marks. */
export const msSince = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

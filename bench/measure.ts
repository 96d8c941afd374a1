/** Small measuring helpers for the benchmarks: warm up, run for a time budget, report ops/s and percentiles. */
import { performance } from 'node:perf_hooks';

export interface Rate {
  readonly ops: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
}

export const percentile = (sorted: readonly number[], p: number): number => {
  if (sorted.length === 0) {
    return 0;
  }
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? 0;
};

export const summarize = (latenciesMs: number[], seconds: number): Rate => {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    ops: sorted.length,
    seconds,
    perSecond: sorted.length / seconds,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
  };
};

/** Runs `fn` repeatedly for about `budgetMs` after `warmup` calls; each call is timed. */
export async function measure(fn: () => unknown, budgetMs = 1500, warmup = 20): Promise<Rate> {
  for (let i = 0; i < warmup; i++) {
    await fn();
  }
  const lat: number[] = [];
  const start = performance.now();
  while (performance.now() - start < budgetMs) {
    const t0 = performance.now();
    await fn();
    lat.push(performance.now() - t0);
  }
  return summarize(lat, (performance.now() - start) / 1000);
}

export const fmt = (n: number, digits = 1): string => (n >= 100 ? n.toFixed(0) : n.toFixed(digits));

import { median, percentile, round } from './stats.ts';

/** Times `n` sequential calls of `fn` (after `warmup` untimed ones), in milliseconds. */
export async function timeSequential(n: number, fn: (i: number) => Promise<void>, warmup = 20): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn(-1 - i);
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await fn(i);
    times.push(performance.now() - started);
  }
  return times;
}

export const summary = (times: number[]) => ({ p50: round(median(times), 2), p99: round(percentile(times, 99), 2) });

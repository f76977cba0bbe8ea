import { load, type LoadFigures } from '../lib/load.ts';
import { startProcess } from '../lib/process.ts';
import { median, round } from '../lib/stats.ts';
import type { Scenario } from './types.ts';

/**
 * 1. GET /external/v1/contacts/{id} (authenticated, rate-limited, mode-scoped) at 50 connections,
 * side by side with the bare baseline doing the same SELECT, in alternating rounds in one session.
 * Ours runs as configured by default (row-level security on) and, in the same rounds, with
 * DATABASE_ROW_LEVEL_SECURITY=false, so the cost of that defence is measured too.
 */
export const getById: Scenario = async ({ db, ours, startOurs, tenant, runs, seconds }) => {
  const [contact] = await db.sql<{ id: string }[]>`select id from contacts where team_id = ${tenant.teamId} and mode = 'test' limit 1`;
  const bare = await startProcess('bench/bare.ts', { DATABASE_URL: db.url });
  const withoutRls = await startOurs({ DATABASE_ROW_LEVEL_SECURITY: 'false', WORKER: 'off' });
  const path = `/external/v1/contacts/${contact!.id}`;
  const headers = { Authorization: `Bearer ${tenant.test}` };
  const targets = {
    bare: { url: `${bare.origin}/contacts/${contact!.id}`, headers: {} },
    ours: { url: `${ours.origin}${path}`, headers },
    oursWithoutRls: { url: `${withoutRls.origin}${path}`, headers },
  };
  // Warm each (JIT, connection pools, caches) before anything counts.
  for (const t of Object.values(targets)) await load(t.url, { connections: 50, seconds: 5, headers: t.headers });
  const figures: Record<keyof typeof targets, LoadFigures[]> = { bare: [], ours: [], oursWithoutRls: [] };
  // The ratio is the figure most sensitive to a noisy host (this one's throughput drifts by 2× within
  // minutes): many short rounds, each run right after the others, and the median of their ratios.
  const rounds = runs * 3 + 1;
  const roundSeconds = Math.max(3, Math.round(seconds / 2));
  for (let i = 0; i < rounds; i++) {
    for (const [name, t] of Object.entries(targets)) figures[name as keyof typeof targets].push(await load(t.url, { connections: 50, seconds: roundSeconds, headers: t.headers }));
  }
  await bare.stop();
  await withoutRls.stop();
  const failures = [...figures.ours, ...figures.oursWithoutRls].reduce((n, r) => n + r.errors + r.non2xx, 0);
  if (failures > 0) throw new Error(`GET by id: ${failures} failed requests`);
  const rps = (name: keyof typeof targets) => figures[name].map((r) => r.requestsPerSecond);
  const ratios = rps('ours').map((r, i) => r / rps('bare')[i]!);
  const ratiosWithoutRls = rps('oursWithoutRls').map((r, i) => r / rps('bare')[i]!);
  const rlsCosts = rps('ours').map((r, i) => 1 - r / rps('oursWithoutRls')[i]!);
  return {
    oursRequestsPerSecond: round(median(rps('ours')), 0),
    oursP50Ms: median(figures.ours.map((r) => r.p50)),
    oursP99Ms: median(figures.ours.map((r) => r.p99)),
    bareRequestsPerSecond: round(median(rps('bare')), 0),
    bareP50Ms: median(figures.bare.map((r) => r.p50)),
    bareP99Ms: median(figures.bare.map((r) => r.p99)),
    ratio: round(median(ratios), 2),
    withoutRlsRequestsPerSecond: round(median(rps('oursWithoutRls')), 0),
    withoutRlsP99Ms: median(figures.oursWithoutRls.map((r) => r.p99)),
    ratioWithoutRls: round(median(ratiosWithoutRls), 2),
    rlsCost: round(median(rlsCosts), 2),
    ratios: ratios.map((r) => round(r, 2)),
  };
};

import { load, type LoadFigures } from '../lib/load.ts';
import { startProcess } from '../lib/process.ts';
import { median, round } from '../lib/stats.ts';
import type { Scenario } from './types.ts';

/**
 * 1. GET /external/v1/contacts/{id} (authenticated, rate-limited, mode-scoped) at 50 connections,
 * side by side with the bare baseline doing the same SELECT, in alternating pairs in one session.
 */
export const getById: Scenario = async ({ db, ours, tenant, runs, seconds }) => {
  const [contact] = await db.sql<{ id: string }[]>`select id from contacts where team_id = ${tenant.teamId} and mode = 'test' limit 1`;
  const bare = await startProcess('bench/bare.ts', { DATABASE_URL: db.url });
  const oursUrl = `${ours.origin}/external/v1/contacts/${contact!.id}`;
  const bareUrl = `${bare.origin}/contacts/${contact!.id}`;
  const headers = { Authorization: `Bearer ${tenant.test}` };
  // Warm both (JIT, connection pools, caches) before anything counts.
  await load(oursUrl, { connections: 50, seconds: 5, headers });
  await load(bareUrl, { connections: 50, seconds: 5 });
  const oursRuns: LoadFigures[] = [];
  const bareRuns: LoadFigures[] = [];
  // The ratio is the figure most sensitive to a noisy host (this one's throughput drifts by 2× within
  // minutes): many short pairs, each run right after its partner, and the median of their ratios.
  const pairs = runs * 3 + 1;
  const pairSeconds = Math.max(3, Math.round(seconds / 2));
  for (let i = 0; i < pairs; i++) {
    bareRuns.push(await load(bareUrl, { connections: 50, seconds: pairSeconds }));
    oursRuns.push(await load(oursUrl, { connections: 50, seconds: pairSeconds, headers }));
  }
  await bare.stop();
  const failures = oursRuns.reduce((n, r) => n + r.errors + r.non2xx, 0);
  if (failures > 0) throw new Error(`GET by id: ${failures} failed requests`);
  const ratios = oursRuns.map((r, i) => r.requestsPerSecond / bareRuns[i]!.requestsPerSecond);
  return {
    oursRequestsPerSecond: round(median(oursRuns.map((r) => r.requestsPerSecond)), 0),
    oursP50Ms: median(oursRuns.map((r) => r.p50)),
    oursP99Ms: median(oursRuns.map((r) => r.p99)),
    bareRequestsPerSecond: round(median(bareRuns.map((r) => r.requestsPerSecond)), 0),
    bareP50Ms: median(bareRuns.map((r) => r.p50)),
    bareP99Ms: median(bareRuns.map((r) => r.p99)),
    ratio: round(median(ratios), 2),
    ratios: ratios.map((r) => round(r, 2)),
    oursRuns: oursRuns.map((r) => round(r.requestsPerSecond, 0)),
    bareRuns: bareRuns.map((r) => round(r.requestsPerSecond, 0)),
  };
};

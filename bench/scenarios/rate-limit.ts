import { openDatabase } from '../../src/db/client.ts';
import { createTenant } from '../lib/api.ts';
import { runInTenantScope } from '../../src/db/db-scope.ts';
import { RateLimiter } from '../../src/ratelimit/limiter.ts';
import { median, round } from '../lib/stats.ts';
import type { Scenario } from './types.ts';

const REQUESTS = 100_000;

/**
 * 8. What the rate limiter costs a request, in-process against PostgreSQL: the limiter the API
 * runs, admitting requests one after another for a (team, mode) far from its ceilings (blocks of
 * 256 leased from the shared counters), and for one close to them (blocks shrink to single
 * requests, each a statement, then refusals come from memory).
 */
export const rateLimitCost: Scenario = async ({ db, ours, runs }) => {
  const tenant = await createTenant(ours.origin, 'Rate limit cost');
  const database = openDatabase({ kind: 'postgres', url: db.url, poolSize: 2 });
  await database.enforceRowLevelSecurity();
  const measure = async (mode: 'live' | 'test', limits: { perMinute: number; perHour: number }, requests: number) => {
    // Each run its own limiter: it starts with no block in hand, as a fresh instance would.
    const limiter = new RateLimiter(database.db);
    const scope = { teamId: tenant.teamId, mode };
    let allowed = 0;
    const started = performance.now();
    await runInTenantScope(scope, async () => {
      for (let i = 0; i < requests; i++) if ((await limiter.admit(scope, limits)).allowed) allowed += 1;
    });
    return { usPerRequest: ((performance.now() - started) * 1000) / requests, allowed };
  };
  /** What this minute and hour have already granted the test mode: the near ceilings sit just above it. */
  const used = async () => {
    const [row] = await db.sql<{ m: number; h: number }[]>`
      select case when minute_start = date_trunc('minute', now(), 'UTC') then minute_count else 0 end::int as m,
             case when hour_start = date_trunc('hour', now(), 'UTC') then hour_count else 0 end::int as h
        from rate_limit_counters where team_id = ${tenant.teamId} and mode = 'test'`;
    return { m: row?.m ?? 0, h: row?.h ?? 0 };
  };
  const far: number[] = [];
  const near: number[] = [];
  let nearAllowed = 0;
  try {
    for (let r = 0; r < runs; r++) {
      far.push((await measure('live', { perMinute: 1_000_000_000, perHour: 1_000_000_000 }, REQUESTS)).usPerRequest);
      // 2,000 requests against a ceiling 1,000 above what is used: blocks shrink as it nears, the
      // last ones are granted one statement each, then 429s come from memory.
      const { m, h } = await used();
      const result = await measure('test', { perMinute: m + 1_000, perHour: h + 1_000 }, 2_000);
      near.push(result.usPerRequest);
      nearAllowed = result.allowed;
    }
  } finally {
    await database.close();
  }
  return { usPerRequestFarFromCeiling: round(median(far), 2), usPerRequestNearCeiling: round(median(near), 1), allowedNearCeiling: nearAllowed, requestsFar: REQUESTS, requestsNear: 2_000 };
};

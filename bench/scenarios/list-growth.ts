import { createTenant } from '../lib/api.ts';
import type { BenchDatabase } from '../lib/database.ts';
import { seedContacts, seedTeams } from '../lib/seed.ts';
import { median, round } from '../lib/stats.ts';
import { summary, timeSequential } from '../lib/timing.ts';
import type { Scenario } from './types.ts';

const LEVELS = [0, 100_000, 1_000_000];
const NEIGHBOURS = 10;

/** EXPLAIN ANALYZE of the statement the endpoint runs for the first page: its execution time. */
async function executionMs(db: BenchDatabase, teamId: string): Promise<number> {
  const rows = await db.sql.unsafe(
    `explain (analyze, format json) select * from contacts where team_id = $1 and mode = 'test' order by created_at desc, id desc limit 21`,
    [teamId],
  );
  return Number((rows[0] as unknown as { 'QUERY PLAN': [{ 'Execution Time': number }] })['QUERY PLAN'][0]['Execution Time']);
}

/**
 * 2. GET /contacts?limit=20 for a caller with 50 rows, while its other mode and other teams hold
 * 0, 100k and 1M rows: with the right composite index the caller never pays for them. One database
 * and server per level, measured in alternating rounds, so the host's drift over minutes falls on
 * every level alike.
 */
export const listGrowth: Scenario = async ({ newDatabase, startOurs, runs, log }) => {
  const levels = [];
  for (const level of LEVELS) {
    const db = await newDatabase();
    const ours = await startOurs({ DATABASE_URL: db.url });
    const caller = await createTenant(ours.origin, `List caller ${level}`);
    await seedContacts(db.sql, caller.teamId, 'test', 50, 'caller');
    if (level > 0) {
      log(`  seeding ${level} rows beside the caller's`);
      // Half in the caller's other mode, half spread over other teams and both their modes.
      await seedContacts(db.sql, caller.teamId, 'live', level / 2, 'other-mode');
      const neighbours = await seedTeams(db.sql, NEIGHBOURS, 'list');
      for (const [i, team] of neighbours.entries()) await seedContacts(db.sql, team, i % 2 ? 'live' : 'test', level / 2 / NEIGHBOURS, `n${i}`);
    }
    // Vacuumed as well as analyzed: otherwise autovacuum starts on the freshly filled table and
    // competes for the CPU with the rounds measured, the more the larger the level.
    await db.sql`vacuum (analyze) contacts`;
    const url = `${ours.origin}/external/v1/contacts?limit=20`;
    const headers = { Authorization: `Bearer ${caller.test}` };
    const get = async () => {
      const res = await fetch(url, { headers });
      if (res.status !== 200) throw new Error(`list answered ${res.status}`);
      await res.arrayBuffer();
    };
    await timeSequential(200, get, 0);
    levels.push({ level, db, caller, get, p50s: [] as number[] });
  }
  for (let round = 0; round < runs * 2; round++) {
    // Every other round in reverse, so no level always runs first or last in a round.
    for (const l of round % 2 ? [...levels].reverse() : levels) l.p50s.push(summary(await timeSequential(500, l.get, 20)).p50);
  }
  const figures: Record<string, number> = {};
  for (const l of levels) {
    figures[`p50MsAt${l.level}`] = round(median(l.p50s), 2);
    // The database's own share, free of HTTP and host noise: the list query's execution time.
    const plans = [];
    for (let r = 0; r < 5; r++) plans.push(await executionMs(l.db, l.caller.teamId));
    figures[`queryMsAt${l.level}`] = round(median(plans), 3);
  }
  figures.ratio1MTo0 = round(figures.p50MsAt1000000! / figures.p50MsAt0!, 2);
  // The same ratio taken within each round, then the median: the host's drift cancels out.
  const [zero, , million] = levels;
  figures.ratio1MTo0PerRound = round(median(million!.p50s.map((p, i) => p / zero!.p50s[i]!)), 2);
  figures.queryRatio1MTo0 = round(figures.queryMsAt1000000! / figures.queryMsAt0!, 2);
  return figures;
};

import { createTenant } from '../lib/api.ts';
import { seedContacts, seedTeams } from '../lib/seed.ts';
import { median, round } from '../lib/stats.ts';
import { summary, timeSequential } from '../lib/timing.ts';
import type { Scenario, ScenarioContext } from './types.ts';

const LEVELS = [0, 100_000, 1_000_000];

/** EXPLAIN ANALYZE of the statement the endpoint runs for the first page: its execution time. */
async function executionMs(db: ScenarioContext['db'], teamId: string): Promise<number> {
  const rows = await db.sql.unsafe(
    `explain (analyze, format json) select * from contacts where team_id = $1 and mode = 'test' order by created_at desc, id desc limit 21`,
    [teamId],
  );
  return Number((rows[0] as unknown as { 'QUERY PLAN': [{ 'Execution Time': number }] })['QUERY PLAN'][0]['Execution Time']);
}
const NEIGHBOURS = 10;

/**
 * 2. GET /contacts?limit=20 for a caller with 50 rows, while its other mode and other teams hold
 * 0, 100k and 1M rows: with the right composite index the caller never pays for them.
 */
export const listGrowth: Scenario = async ({ db, ours, runs, log }) => {
  const caller = await createTenant(ours.origin, 'List caller');
  await seedContacts(db.sql, caller.teamId, 'test', 50, 'caller');
  const neighbours = await seedTeams(db.sql, NEIGHBOURS, 'list');
  const url = `${ours.origin}/external/v1/contacts?limit=20`;
  const headers = { Authorization: `Bearer ${caller.test}` };
  const get = async () => {
    const res = await fetch(url, { headers });
    if (res.status !== 200) throw new Error(`list answered ${res.status}`);
    await res.arrayBuffer();
  };

  const figures: Record<string, number> = {};
  let seeded = 0;
  for (const level of LEVELS) {
    const more = level - seeded;
    if (more > 0) {
      log(`  seeding ${more} rows beside the caller's`);
      // Half in the caller's other mode, half spread over other teams and both their modes.
      await seedContacts(db.sql, caller.teamId, 'live', more / 2, `other-mode-${level}`);
      const perNeighbour = more / 2 / NEIGHBOURS;
      for (const [i, team] of neighbours.entries()) await seedContacts(db.sql, team, i % 2 ? 'live' : 'test', perNeighbour, `n${i}-${level}`);
      await db.sql`analyze contacts`;
      seeded = level;
    }
    const p50s = [];
    for (let r = 0; r < runs; r++) p50s.push(summary(await timeSequential(1000, get, 50)).p50);
    figures[`p50MsAt${level}`] = round(median(p50s), 2);
    // The database's own share, free of HTTP and host noise: the list query's execution time.
    const plans = [];
    for (let r = 0; r < 5; r++) plans.push(await executionMs(db, caller.teamId));
    figures[`queryMsAt${level}`] = round(median(plans), 3);
  }
  figures.ratio1MTo0 = round(figures.p50MsAt1000000! / figures.p50MsAt0!, 2);
  return figures;
};

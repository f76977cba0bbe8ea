import { createTenant, partnerCall } from '../lib/api.ts';
import { seedClients, seedContacts, seedEvents, seedJobsWithInvoices } from '../lib/seed.ts';
import { median, round } from '../lib/stats.ts';
import type { Scenario } from './types.ts';

type Mode = 'live' | 'test';
const TABLES = ['clients', 'contacts', 'jobs', 'invoices', 'events'] as const;

/** 100k rows in one mode: 10k clients, 30k contacts, 20k jobs with 20k invoices, 20k events. */
async function seedMode(sql: Parameters<typeof seedClients>[0], teamId: string, mode: Mode, salt: string) {
  await seedClients(sql, teamId, mode, 10_000, `${salt}-cl`);
  await seedContacts(sql, teamId, mode, 30_000, `${salt}-ct`);
  await seedJobsWithInvoices(sql, teamId, mode, 20_000, `${salt}-job`);
  await seedEvents(sql, teamId, mode, 20_000, `${salt}-evt`);
}

/** A digest of every row of the mode, table by table: equal before and after means untouched. */
async function fingerprint(sql: Parameters<typeof seedClients>[0], teamId: string, mode: Mode): Promise<string> {
  const parts: string[] = [];
  for (const table of TABLES) {
    const [row] = await sql.unsafe(`select count(*) as n, md5(coalesce(string_agg(to_jsonb(t)::text, '' order by id), '')) as h from ${table} t where team_id = $1 and mode = $2`, [teamId, mode]);
    parts.push(`${table}:${row!.n}:${row!.h}`);
  }
  return parts.join(' ');
}

/** 6. POST /admin/test-mode/reset with 100k test-mode rows beside 100k live rows of the same team. */
export const testModeReset: Scenario = async ({ db, ours, runs, log }) => {
  const times: number[] = [];
  let liveUntouched = true;
  for (let r = 0; r < runs; r++) {
    const tenant = await createTenant(ours.origin, `Reset ${r}`);
    log(`    run ${r + 1}: seeding 100k test and 100k live rows`);
    await seedMode(db.sql, tenant.teamId, 'test', `reset-${r}-test`);
    await seedMode(db.sql, tenant.teamId, 'live', `reset-${r}-live`);
    await db.sql`analyze`;
    const before = await fingerprint(db.sql, tenant.teamId, 'live');
    const started = performance.now();
    const answer = await partnerCall(ours.origin, 'POST', '/admin/test-mode/reset', tenant.test);
    times.push(performance.now() - started);
    const deleted = Object.values(answer.deleted as Record<string, number>).reduce((a, b) => a + b, 0) - answer.deleted.files;
    if (deleted !== 100_000) throw new Error(`the reset deleted ${deleted} rows, not 100000: ${JSON.stringify(answer.deleted)}`);
    liveUntouched &&= (await fingerprint(db.sql, tenant.teamId, 'live')) === before;
  }
  if (!liveUntouched) throw new Error('the reset changed live rows');
  return { resetMs: round(median(times), 0), runsMs: times.map((t) => round(t, 0)), rowsDeleted: 100_000, liveRowsUntouched: liveUntouched };
};

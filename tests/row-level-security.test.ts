import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { beforeAll, describe, expect, it } from 'vitest';
import { runAsSystem, runInTenantScope } from '../src/db/db-scope.ts';
import { sqlState } from '../src/db/errors.ts';
import { rowsOf } from '../src/db/rows.ts';
import { randomBase62 } from '../src/ids.ts';
import { buildApp, createTenant, harness, partner, type Harness } from './support/harness.ts';
import { isolatedDatabase } from './support/isolated.ts';

/**
 * Defence in depth beneath the repositories: on PostgreSQL the application's statements run as the
 * role parseo_app under row-level security, scoped to the request's (team, mode). These tests talk
 * to the database as the application does, but *forget* the scope on purpose, as a buggy query
 * would: PostgreSQL must still keep every other world out of reach.
 */
let h: Harness;
let a: Awaited<ReturnType<typeof createTenant>>;
let b: Awaited<ReturnType<typeof createTenant>>;
let enforced = false;

const rows = async <T>(query: ReturnType<typeof sql>) => rowsOf<T>(await h.database.db.execute(query));
const ids = (list: { id: string }[]) => list.map((r) => r.id).sort();

beforeAll(async () => {
  h = await harness();
  enforced = h.database.kind === 'postgres';
  a = await createTenant(h.app);
  b = await createTenant(h.app);
  // One client in each world: A/test, A/live, B/test.
  for (const key of [a.test, a.live, b.test]) expect((await partner(h.app, 'POST', '/clients', key, { body: { name: 'RLS' } })).status).toBe(201);
});

const worldClients = async (teamId: string, mode: 'live' | 'test') =>
  (await partner(h.app, 'GET', '/clients', teamId === a.team.id ? (mode === 'test' ? a.test : a.live) : b.test)).body.data as { id: string }[];

describe('row-level security (PostgreSQL)', () => {
  it('requests act as parseo_app, which cannot bypass row-level security; only the workers act as parseo_system', async (ctx) => {
    if (!enforced) ctx.skip('the embedded database runs as its superuser, which PostgreSQL exempts from row-level security');
    const whoAmI = () => rows<{ user: string; super: boolean; bypass: boolean }>(sql`select current_user as user, rolsuper as super, rolbypassrls as bypass from pg_roles where rolname = current_user`);
    const app = { user: 'parseo_app', super: false, bypass: false };
    expect(await whoAmI()).toEqual([app]);
    expect(await runInTenantScope({ teamId: a.team.id, mode: 'live' }, whoAmI)).toEqual([app]);
    expect(await runAsSystem(whoAmI)).toEqual([{ user: 'parseo_system', super: false, bypass: true }]);
  });

  it('a statement outside any scope sees no tenant row at all, and changes none', async (ctx) => {
    if (!enforced) ctx.skip('not enforced on the embedded database');
    expect(await rows(sql`select id from clients`)).toEqual([]);
    expect(await rows(sql`select id from contacts union all select id from events union all select id from audit_logs`)).toEqual([]);
    const [updated] = await rows<{ n: number }>(sql`with u as (update clients set name = 'hijacked' returning 1) select count(*)::int as n from u`);
    expect(updated!.n).toBe(0);
  });

  it('a query that forgets its WHERE, in a tenant scope, returns that world only', async (ctx) => {
    if (!enforced) ctx.skip('not enforced on the embedded database');
    const seen = await runInTenantScope({ teamId: a.team.id, mode: 'test' }, () => rows<{ id: string }>(sql`select id from clients`));
    expect(ids(seen)).toEqual(ids(await worldClients(a.team.id, 'test')));
    const live = await runInTenantScope({ teamId: a.team.id, mode: 'live' }, () => rows<{ id: string }>(sql`select id from clients`));
    expect(ids(live)).toEqual(ids(await worldClients(a.team.id, 'live')));
  });

  it('a write into another world is refused, whatever the statement says', async (ctx) => {
    if (!enforced) ctx.skip('not enforced on the embedded database');
    const attempt = (teamId: string, mode: 'live' | 'test') =>
      runInTenantScope({ teamId: a.team.id, mode: 'test' }, async () => {
        try {
          await rows(sql`insert into clients (id, team_id, mode, name) values (${`cl_${mode}_${randomBase62(24)}`}, ${teamId}, ${mode}::mode, 'smuggled')`);
          return 'accepted';
        } catch (err) {
          return sqlState(err);
        }
      });
    expect(await attempt(a.team.id, 'live')).toBe('42501');
    expect(await attempt(b.team.id, 'test')).toBe('42501');
    expect(await attempt(a.team.id, 'test')).toBe('accepted');
    // Nor can an update reach across: B's client stays as it was.
    const [updated] = await runInTenantScope({ teamId: a.team.id, mode: 'test' }, () =>
      rows<{ n: number }>(sql`with u as (update clients set name = 'hijacked' where team_id = ${b.team.id} returning 1) select count(*)::int as n from u`),
    );
    expect(updated!.n).toBe(0);
    expect((await worldClients(b.team.id, 'test')).map((c) => (c as unknown as { name: string }).name)).toEqual(['RLS']);
  });

  it('the system scope (workers) sees every world', async (ctx) => {
    if (!enforced) ctx.skip('not enforced on the embedded database');
    const seen = await runAsSystem(() => rows<{ world: string }>(sql`select distinct team_id || '/' || mode as world from clients where team_id in (${a.team.id}, ${b.team.id})`));
    expect(seen.map((r) => r.world).sort()).toEqual([`${a.team.id}/live`, `${a.team.id}/test`, `${b.team.id}/test`].sort());
  });

  it('a transaction states its scope once, and it ends with the transaction', async (ctx) => {
    if (!enforced) ctx.skip('not enforced on the embedded database');
    const inside = await runInTenantScope({ teamId: b.team.id, mode: 'test' }, () =>
      h.database.db.transaction(async (tx) => rowsOf<{ id: string }>(await tx.execute(sql`select id from clients`))),
    );
    expect(ids(inside)).toEqual(ids(await worldClients(b.team.id, 'test')));
    expect(await rows(sql`select id from clients`)).toEqual([]);
  });

  it('statements of many worlds interleaved on the shared connections each see their own world only', async (ctx) => {
    if (!enforced) ctx.skip('not enforced on the embedded database');
    const worlds = [
      { teamId: a.team.id, mode: 'test' as const },
      { teamId: a.team.id, mode: 'live' as const },
      { teamId: b.team.id, mode: 'test' as const },
      { teamId: b.team.id, mode: 'live' as const },
    ];
    const expected = await Promise.all(worlds.map(async (w) => (w.teamId === b.team.id && w.mode === 'live' ? [] : ids(await worldClients(w.teamId, w.mode)))));
    // Hundreds of statements at once, the worlds shuffled, so the connections switch scope between
    // statements already queued on them: each must run under the scope queued just before it.
    const order = Array.from({ length: 400 }, (_, i) => (i * 7 + (i >> 3)) % worlds.length);
    const seen = await Promise.all(order.map((w) => runInTenantScope(worlds[w]!, () => rows<{ id: string }>(sql`select id from clients`))));
    order.forEach((w, i) => expect(ids(seen[i]!), `statement ${i} in world ${w}`).toEqual(expected[w]));
  });

  it('a connection that was cut comes back stating its scope again, and never with another world', async (ctx) => {
    if (!enforced) ctx.skip('not enforced on the embedded database');
    // A database of its own: cutting every connection to the shared one would fail other suites.
    const iso = await isolatedDatabase();
    try {
      const own = buildApp(iso.database);
      const t = await createTenant(own.app);
      for (const key of [t.test, t.test, t.live]) expect((await partner(own.app, 'POST', '/clients', key, { body: { name: 'Cut' } })).status).toBe(201);
      const expected = { test: ids((await partner(own.app, 'GET', '/clients', t.test)).body.data), live: ids((await partner(own.app, 'GET', '/clients', t.live)).body.data) };
      expect([expected.test.length, expected.live.length]).toEqual([2, 1]);
      // Both worlds at once, so the connections switch scope with statements still queued on them.
      const modes = ['test', 'live', 'test', 'test', 'live'] as const;
      const select = async (i: number) => {
        const mode = modes[i % modes.length]!;
        const found = await runInTenantScope({ teamId: t.team.id, mode }, async () => rowsOf<{ id: string }>(await iso.database.db.execute(sql`select id from clients`)));
        return { mode, found: ids(found) };
      };
      const owner = postgres(iso.url!, { max: 1, onnotice: () => {} });
      try {
        // Several rounds: a cut lands at a different moment of each lane's work every time.
        for (let round = 0; round < 8; round++) {
          await Promise.all(Array.from({ length: 20 }, (_, i) => select(i + round)));
          const [cut] = await owner`select count(*)::int as n from (select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend') t`;
          expect(cut!.n).toBeGreaterThan(0);
          // Statements on a cut connection fail while it reconnects; every answer is this world's.
          const answers: { mode: 'test' | 'live'; found: string[] }[] = [];
          for (let attempt = 0; attempt < 50 && answers.length < 20; attempt++) {
            for (const r of await Promise.allSettled(Array.from({ length: 10 }, (_, i) => select(i + attempt)))) if (r.status === 'fulfilled') answers.push(r.value);
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
          expect(answers.length).toBeGreaterThanOrEqual(20);
          answers.forEach((answer, i) => expect(answer.found, `round ${round}, answer ${i} of ${answers.length} (${answer.mode})`).toEqual(expected[answer.mode]));
        }
      } finally {
        await owner.end();
      }
      expect(rowsOf(await iso.database.db.execute(sql`select id from clients`))).toEqual([]);
    } finally {
      await iso.drop();
    }
  });
});

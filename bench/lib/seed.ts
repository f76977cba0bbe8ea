import type postgres from 'postgres';

type Mode = 'live' | 'test';
const CHUNK = 100_000;

/** Runs `insert` over [from, to) in chunks, so no single statement builds a huge result. */
async function inChunks(total: number, insert: (from: number, to: number) => Promise<unknown>) {
  for (let from = 0; from < total; from += CHUNK) await insert(from, Math.min(total, from + CHUNK));
}

/** `n` teams made straight in SQL (neighbours whose rows the measured team must never pay for). */
export async function seedTeams(sql: postgres.Sql, n: number, salt: string): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`
    insert into teams (id, name, slug, plan)
    select 'team_' || substr(md5(${salt} || i::text), 1, 24), 'Neighbour ' || i, 'neighbour-' || ${salt} || '-' || i, 'free'
      from generate_series(1, ${n}::int) as i
    returning id`;
  return rows.map((r) => r.id);
}

/** IDs of the form `<prefix>_<mode>_<24 chars>`, unique per salt and index. */
const idExpr = (sql: postgres.Sql, prefix: string, mode: Mode, salt: string) =>
  sql`${prefix + '_' + mode + '_'} || substr(md5(${salt} || i::text), 1, 24)`;

export async function seedContacts(sql: postgres.Sql, teamId: string, mode: Mode, n: number, salt: string) {
  await inChunks(n, (from, to) => sql`
    insert into contacts (id, team_id, mode, name, email, created_at)
    select ${idExpr(sql, 'ct', mode, salt)}, ${teamId}, ${mode}::mode, 'Contact ' || i, 'c' || i || '@example.com', now() - i * interval '1 millisecond'
      from generate_series(${from + 1}::int, ${to}::int) as i`);
}

export async function seedClients(sql: postgres.Sql, teamId: string, mode: Mode, n: number, salt: string) {
  await inChunks(n, (from, to) => sql`
    insert into clients (id, team_id, mode, name)
    select ${idExpr(sql, 'cl', mode, salt)}, ${teamId}, ${mode}::mode, 'Client ' || i
      from generate_series(${from + 1}::int, ${to}::int) as i`);
}

/** Jobs, each with its invoice, as the pipeline leaves them; every job names its own stored file. */
export async function seedJobsWithInvoices(sql: postgres.Sql, teamId: string, mode: Mode, n: number, salt: string) {
  await inChunks(n, async (from, to) => {
    await sql`
      insert into jobs (id, team_id, mode, status, file_sha256, content_type, size, completed_at)
      select ${idExpr(sql, 'job', mode, salt)}, ${teamId}, ${mode}::mode, 'completed', encode(sha256((${salt} || i::text)::bytea), 'hex'), 'application/xml', 1000, now()
        from generate_series(${from + 1}::int, ${to}::int) as i`;
    await sql`
      insert into invoices (id, team_id, mode, job_id, document_type, totals, extraction, file_sha256, content_type, size)
      select ${idExpr(sql, 'inv', mode, salt)}, ${teamId}, ${mode}::mode, ${idExpr(sql, 'job', mode, salt)}, 'invoice',
             '{"net":"100.00","tax":"19.00","gross":"119.00","due":"119.00"}', '{"method":"fixture","format":null,"profile":null}',
             encode(sha256((${salt} || i::text)::bytea), 'hex'), 'application/xml', 1000
        from generate_series(${from + 1}::int, ${to}::int) as i`;
  });
}

export async function seedEvents(sql: postgres.Sql, teamId: string, mode: Mode, n: number, salt: string) {
  await inChunks(n, (from, to) => sql`
    insert into events (id, team_id, mode, type, data)
    select ${idExpr(sql, 'evt', mode, salt)}, ${teamId}, ${mode}::mode, 'client.created', jsonb_build_object('object', jsonb_build_object('id', i))
      from generate_series(${from + 1}::int, ${to}::int) as i`);
}

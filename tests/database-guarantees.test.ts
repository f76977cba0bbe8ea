import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { sqlState } from '../src/db/errors.ts';
import { randomBase62 } from '../src/ids.ts';
import { createTenant, harness, partner, type Harness } from './support/harness.ts';
import { ownerDatabase, rawRows, refusedWith } from './support/sql.ts';
import type { Database } from '../src/db/client.ts';

/**
 * SPEC §4: "The database itself must make a cross-mode or cross-team link impossible … so that a
 * bug in application code cannot create one." These tests bypass the app and talk SQL to the
 * database directly: each forbidden statement must be refused by PostgreSQL itself, and must
 * leave the data as it was. Rows are set up through the API, as a partner would.
 */

// SQLSTATEs: foreign_key_violation, check_violation, and the immutable-scope trigger's
// integrity_constraint_violation.
const FOREIGN_KEY = '23503';
const CHECK = '23514';
const TRIGGER = '23000';

const TENANT_TABLES = ['clients', 'contacts', 'audit_logs', 'events', 'jobs', 'invoices', 'webhook_endpoints', 'webhook_deliveries'] as const;
type TenantTable = (typeof TENANT_TABLES)[number];

let h: Harness;
let a: Awaited<ReturnType<typeof createTenant>>;
let b: Awaited<ReturnType<typeof createTenant>>;
/** Team A: a live client, a test client a test contact references, and an unreferenced test client. */
let aLiveClient: string;
let aTestClient: string;
let aTestContact: string;
let aFreeClient: string;
let bTestClient: string;

// Raw SQL as the database's owner: no row-level security in the way, only the constraints tested.
let ownerDb: Database;
const db = () => ownerDb;
const id = (prefix: string, mode: string) => `${prefix}_${mode}_${randomBase62(24)}`;

async function created(key: string, path: string, body: Record<string, unknown>): Promise<string> {
  const res = await partner(h.app, 'POST', path, key, { body });
  expect(res.status, res.text).toBe(201);
  return res.body.id as string;
}

/** The whole row as JSON, or null when there is none: compared before and after a refused statement. */
async function row(table: TenantTable | 'api_keys', rowId: string): Promise<Record<string, unknown> | null> {
  const rows = await rawRows<{ row: Record<string, unknown> }>(db(), sql`select to_jsonb(t) as row from ${sql.identifier(table)} t where t.id = ${rowId}`);
  expect(rows.length).toBeLessThanOrEqual(1);
  return rows[0]?.row ?? null;
}

/** Any row of this team's test world in `table` (the API's writes left audit entries and events). */
async function someTestRow(table: TenantTable, teamId: string): Promise<string> {
  const rows = await rawRows<{ id: string }>(
    db(),
    sql`select id from ${sql.identifier(table)} where team_id = ${teamId} and mode = 'test'::mode order by created_at limit 1`,
  );
  expect(rows, `team ${teamId} has no test row in ${table}`).toHaveLength(1);
  return rows[0]!.id;
}

const insertContact = (contactId: string, teamId: string, mode: string, clientId: string | null) =>
  sql`insert into contacts (id, team_id, mode, name, client_id) values (${contactId}, ${teamId}, ${mode}::mode, 'Raw contact', ${clientId})`;

const insertClient = (clientId: string, teamId: string, mode: string) =>
  sql`insert into clients (id, team_id, mode, name) values (${clientId}, ${teamId}, ${mode}::mode, 'Raw client')`;

beforeAll(async () => {
  h = await harness();
  ownerDb = await ownerDatabase();
  a = await createTenant(h.app);
  b = await createTenant(h.app);
  aLiveClient = await created(a.live, '/clients', { name: 'A live client' });
  aTestClient = await created(a.test, '/clients', { name: 'A test client' });
  aFreeClient = await created(a.test, '/clients', { name: 'A unreferenced test client' });
  aTestContact = await created(a.test, '/contacts', { name: 'A test contact', clientId: aTestClient });
  bTestClient = await created(b.test, '/clients', { name: 'B test client' });
  // A webhook endpoint and an upload give rows in jobs, invoices, events and webhook_deliveries.
  await created(a.test, '/webhooks', { url: 'http://127.0.0.1:9/never', events: ['*'] });
  const form = new FormData();
  form.set('file', new Blob(['<Invoice/>'], { type: 'application/xml' }), 'raw.xml');
  const upload = await h.app.request('/external/v1/invoices', { method: 'POST', headers: { Authorization: `Bearer ${a.test}` }, body: form });
  const { jobId } = (await upload.json()) as { jobId: string };
  const job = await partner(h.app, 'GET', `/jobs/${jobId}`, a.test, { query: { waitSeconds: '20' } });
  expect(job.body.status).toBe('completed');
});

describe('a legitimate raw write in one world is accepted (the refusals below are not blanket failures)', () => {
  it('inserts a client and a contact referencing it, both in team A test mode', async () => {
    const clientId = id('cl', 'test');
    const contactId = id('ct', 'test');
    await db().execute(insertClient(clientId, a.team.id, 'test'));
    await db().execute(insertContact(contactId, a.team.id, 'test', clientId));
    expect(await row('clients', clientId)).toMatchObject({ id: clientId, team_id: a.team.id, mode: 'test' });
    expect(await row('contacts', contactId)).toMatchObject({ id: contactId, team_id: a.team.id, mode: 'test', client_id: clientId });

    // And the app sees them in that world only.
    expect((await partner(h.app, 'GET', `/contacts/${contactId}`, a.test)).body.clientId).toBe(clientId);
    expect((await partner(h.app, 'GET', `/contacts/${contactId}`, b.test)).status).toBe(404);
  });

  it('inserts a live contact referencing a live client of the same team', async () => {
    const contactId = id('ct', 'live');
    await db().execute(insertContact(contactId, a.team.id, 'live', aLiveClient));
    expect(await row('contacts', contactId)).toMatchObject({ mode: 'live', client_id: aLiveClient });
  });

  it('updates a non-scope column of a tenant row and of an API key', async () => {
    await db().execute(sql`update clients set name = 'Renamed raw' where id = ${aFreeClient}`);
    expect(await row('clients', aFreeClient)).toMatchObject({ name: 'Renamed raw', mode: 'test', team_id: a.team.id });
    await db().execute(sql`update api_keys set name = 'Renamed key' where id = ${a.testKey.id}`);
    expect(await row('api_keys', a.testKey.id)).toMatchObject({ name: 'Renamed key', mode: 'test' });
  });
});

describe('a contact can only reference a client of its own team and mode (composite foreign key)', () => {
  it.each([
    ['a test contact → a live client of the same team', () => ({ mode: 'test', clientId: aLiveClient })],
    ['a live contact → a test client of the same team', () => ({ mode: 'live', clientId: aTestClient })],
    ['a test contact → a test client of another team', () => ({ mode: 'test', clientId: bTestClient })],
    ['a test contact → a client that does not exist', () => ({ mode: 'test', clientId: id('cl', 'test') })],
  ])('inserting %s is refused', async (_name, target) => {
    const { mode, clientId } = target();
    const contactId = id('ct', mode);
    const before = await rawRows<{ n: number }>(db(), sql`select count(*)::int as n from contacts where team_id = ${a.team.id}`);
    expect(await refusedWith(db(), insertContact(contactId, a.team.id, mode, clientId))).toBe(FOREIGN_KEY);
    expect(await row('contacts', contactId)).toBeNull();
    expect(await rawRows(db(), sql`select count(*)::int as n from contacts where team_id = ${a.team.id}`)).toEqual(before);
  });

  it.each([
    ['a live client of the same team', () => aLiveClient],
    ['a test client of another team', () => bTestClient],
  ])('re-pointing an existing test contact at %s is refused', async (_name, target) => {
    const before = await row('contacts', aTestContact);
    expect(before).toMatchObject({ client_id: aTestClient });
    expect(await refusedWith(db(), sql`update contacts set client_id = ${target()} where id = ${aTestContact}`)).toBe(FOREIGN_KEY);
    expect(await row('contacts', aTestContact)).toEqual(before);
  });

  it('a client still referenced by a contact cannot be deleted (what the API answers as 409 resource.in_use)', async () => {
    const before = await row('clients', aTestClient);
    expect(await refusedWith(db(), sql`delete from clients where id = ${aTestClient}`)).toBe(FOREIGN_KEY);
    expect(await row('clients', aTestClient)).toEqual(before);
  });
});

describe('the team, mode and ID of a tenant row are immutable', () => {
  it('flipping a test client to live is refused, and the row is unchanged', async () => {
    const before = await row('clients', aFreeClient);
    expect(await refusedWith(db(), sql`update clients set mode = 'live' where id = ${aFreeClient}`)).toBe(TRIGGER);
    expect(await row('clients', aFreeClient)).toEqual(before);
  });

  it('even with triggers switched off, the ID-prefix check alone refuses the flip', async (ctx) => {
    const [role] = await rawRows<{ superuser: boolean }>(db(), sql`select rolsuper as superuser from pg_roles where rolname = current_user`);
    // session_replication_role needs a superuser; PGlite and the usual CI PostgreSQL run as one.
    if (!role?.superuser) ctx.skip();
    const before = await row('clients', aFreeClient);
    let error: unknown;
    try {
      await db().transaction(async (tx) => {
        // Transaction-local: ordinary triggers (the immutability trigger) stop firing; CHECK constraints do not.
        await tx.execute(sql`set local session_replication_role = replica`);
        await tx.execute(sql`update clients set mode = 'live' where id = ${aFreeClient}`);
      });
    } catch (err) {
      error = err;
    }
    expect(error, 'the flip was accepted without the trigger').toBeDefined();
    expect(sqlState(error)).toBe(CHECK);
    expect(await row('clients', aFreeClient)).toEqual(before);
  });

  it('moving ID and mode together, to a consistent live ID, is refused', async () => {
    const before = await row('clients', aFreeClient);
    const liveTwin = aFreeClient.replace(/^cl_test_/, 'cl_live_');
    expect(await refusedWith(db(), sql`update clients set id = ${liveTwin}, mode = 'live' where id = ${aFreeClient}`)).toBe(TRIGGER);
    expect(await row('clients', aFreeClient)).toEqual(before);
    expect(await row('clients', liveTwin)).toBeNull();
  });

  it('changing only the random part of an ID is refused', async () => {
    const before = await row('clients', aFreeClient);
    expect(await refusedWith(db(), sql`update clients set id = ${id('cl', 'test')} where id = ${aFreeClient}`)).toBe(TRIGGER);
    expect(await row('clients', aFreeClient)).toEqual(before);
  });

  it.each(TENANT_TABLES)('%s: moving a row to another team or the other mode is refused', async (table) => {
    const rowId = await someTestRow(table, a.team.id);
    const before = await row(table, rowId);
    expect(before).toMatchObject({ team_id: a.team.id, mode: 'test' });
    const t = sql.identifier(table);
    expect(await refusedWith(db(), sql`update ${t} set team_id = ${b.team.id} where id = ${rowId}`)).toBe(TRIGGER);
    expect(await refusedWith(db(), sql`update ${t} set mode = 'live' where id = ${rowId}`)).toBe(TRIGGER);
    expect(await refusedWith(db(), sql`update ${t} set team_id = ${b.team.id}, mode = 'live' where id = ${rowId}`)).toBe(TRIGGER);
    expect(await row(table, rowId)).toEqual(before);
  });

  it('the refused moves leave both teams’ worlds as the API sees them', async () => {
    const aTest = await partner(h.app, 'GET', '/clients', a.test, { query: { limit: '100' } });
    expect(aTest.body.data.map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining([aTestClient, aFreeClient]));
    const bLive = await partner(h.app, 'GET', '/clients', b.live, { query: { limit: '100' } });
    expect(bLive.body.data).toEqual([]);
    const aLive = await partner(h.app, 'GET', '/clients', a.live, { query: { limit: '100' } });
    expect(aLive.body.data.map((c: { id: string }) => c.id)).toEqual([aLiveClient]);
  });
});

describe('an ID must announce its row’s type and mode (check constraints)', () => {
  it.each([
    ['a test-prefixed ID on a live client', 'clients', () => insertClient(id('cl', 'test'), a.team.id, 'live')],
    ['a live-prefixed ID on a test client', 'clients', () => insertClient(id('cl', 'live'), a.team.id, 'test')],
    ['a contact ID in clients', 'clients', () => insertClient(id('ct', 'test'), a.team.id, 'test')],
    ['a client ID in contacts', 'contacts', () => insertContact(id('cl', 'test'), a.team.id, 'test', null)],
    ['an ID with a short random part', 'clients', () => insertClient(`cl_test_${randomBase62(23)}`, a.team.id, 'test')],
    ['an ID without a mode', 'clients', () => insertClient(`cl_${randomBase62(24)}`, a.team.id, 'test')],
  ] as const)('inserting %s is refused', async (_name, table, statement) => {
    const count = sql`select count(*)::int as n from ${sql.identifier(table)} where team_id = ${a.team.id}`;
    const before = await rawRows(db(), count);
    expect(await refusedWith(db(), statement())).toBe(CHECK);
    expect(await rawRows(db(), count)).toEqual(before);
  });
});

describe('an API key row’s display prefix must agree with its mode', () => {
  const insertKey = (mode: string, prefix: string) => {
    const keyId = `key_${randomBase62(24)}`;
    const digest = createHash('sha256').update(randomBase62(48)).digest('hex');
    return {
      keyId,
      statement: sql`insert into api_keys (id, team_id, name, mode, prefix, digest, scopes)
        values (${keyId}, ${a.team.id}, 'Raw key', ${mode}::mode, ${prefix}, ${digest}, array['client:read']::text[])`,
    };
  };

  it('a matching row is accepted', async () => {
    const { keyId, statement } = insertKey('test', `parseo_test_${randomBase62(4)}`);
    await db().execute(statement);
    expect(await row('api_keys', keyId)).toMatchObject({ mode: 'test' });
  });

  it.each([
    ['a test prefix on a live key', 'live', () => `parseo_test_${randomBase62(4)}`],
    ['a live prefix on a test key', 'test', () => `parseo_live_${randomBase62(4)}`],
  ])('inserting %s is refused', async (_name, mode, prefix) => {
    const { keyId, statement } = insertKey(mode, prefix());
    expect(await refusedWith(db(), statement)).toBe(CHECK);
    expect(await row('api_keys', keyId)).toBeNull();
  });

  it('flipping an existing key’s mode, or its prefix, is refused; the key still authenticates as test', async () => {
    const before = await row('api_keys', a.testKey.id);
    expect(before).toMatchObject({ mode: 'test', prefix: a.testKey.prefix });
    // The immutability trigger answers first; the prefix check stands behind it.
    expect(await refusedWith(db(), sql`update api_keys set mode = 'live' where id = ${a.testKey.id}`)).toBe(TRIGGER);
    expect(await refusedWith(db(), sql`update api_keys set prefix = 'parseo_live_' || substr(prefix, 13) where id = ${a.testKey.id}`)).toBe(CHECK);
    expect(await row('api_keys', a.testKey.id)).toEqual(before);

    const me = await partner(h.app, 'GET', '/me', a.test);
    expect(me.status).toBe(200);
    expect(me.body.mode).toBe('test');
    expect(me.headers.get('parseo-mode')).toBe('test');
  });
});

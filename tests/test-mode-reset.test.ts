import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createKey, createTenant, harness, partner, type Harness } from './support/harness.ts';
import { eventually, startReceiver } from './support/receiver.ts';
import { rawRows } from './support/sql.ts';
import { sha256, uniqueCopy, uploadAndWait, uploadBytes, waitForJob, XML_SAMPLE } from './support/uploads.ts';

let h: Harness;

beforeAll(async () => {
  h = await harness();
});

type Tenant = Awaited<ReturnType<typeof createTenant>>;

/**
 * Every table, restricted to the teams a test involves (other test files run beside it on the same
 * database), minus the rows a reset of (team, test) may touch: what must stay byte for byte.
 */
const TABLES = [
  'teams',
  'api_keys',
  'clients',
  'contacts',
  'jobs',
  'invoices',
  'events',
  'webhook_endpoints',
  'webhook_deliveries',
  'idempotency_keys',
  'audit_logs',
  'rate_limit_counters',
];

async function everythingBut(teamId: string, others: string[]): Promise<Record<string, unknown[]>> {
  const snapshot: Record<string, unknown[]> = {};
  const teams = [teamId, ...others];
  for (const table of TABLES) {
    const teamColumn = sql.identifier(table === 'teams' ? 'id' : 'team_id');
    const scoped = table !== 'teams' && table !== 'api_keys';
    const except = scoped ? sql`and not (team_id = ${teamId} and mode = 'test')` : sql``;
    snapshot[table] = await rawRows(
      h.database.db,
      sql`select to_jsonb(t) as row from ${sql.identifier(table)} t where ${teamColumn} in (${sql.join(teams.map((id) => sql`${id}`), sql`, `)}) ${except} order by to_jsonb(t)::text`,
    );
  }
  return snapshot;
}

async function countRows(teamId: string, mode: 'live' | 'test'): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TABLES.filter((t) => t !== 'teams' && t !== 'api_keys' && t !== 'rate_limit_counters')) {
    const [row] = await rawRows<{ n: number }>(h.database.db, sql`select count(*)::int as n from ${sql.identifier(table)} where team_id = ${teamId} and mode = ${mode}::mode`);
    counts[table] = row!.n;
  }
  return counts;
}

/** Clients, contacts, invoices from uploads, a webhook endpoint with its deliveries, idempotent answers. */
async function populate(t: Tenant, key: string, receiverUrl: string, sharedBytes: Buffer) {
  const ok = (res: { status: number; text: string }, status = 201) => expect(res.status, res.text).toBe(status);
  ok(await partner(h.app, 'POST', '/webhooks', key, { body: { url: receiverUrl, events: ['*'] } }));
  const client = await partner(h.app, 'POST', '/clients', key, { body: { name: 'Client A' }, headers: { 'Idempotency-Key': `c-${key.slice(-8)}` } });
  ok(client);
  ok(await partner(h.app, 'POST', '/clients', key, { body: { name: 'Client B' } }));
  ok(await partner(h.app, 'POST', '/contacts', key, { body: { name: 'Seller', clientId: client.body.id } }));
  const jobs = [
    await uploadAndWait(h.app, key, sharedBytes),
    await uploadAndWait(h.app, key, uniqueCopy(XML_SAMPLE), { fields: { clientId: client.body.id } }),
  ];
  expect(t.team.id).toMatch(/^team_/);
  return jobs;
}

describe('POST /admin/test-mode/reset', () => {
  it('deletes every piece of the team’s test data in one go, and nothing else, byte for byte', async () => {
    const receiver = await startReceiver();
    try {
      const t = await createTenant(h.app, { credits: 20 });
      const neighbour = await createTenant(h.app);
      const shared = uniqueCopy(XML_SAMPLE);
      await populate(t, t.test, receiver.url, shared);
      await populate(t, t.live, receiver.url, shared);
      await populate(neighbour, neighbour.test, receiver.url, uniqueCopy(XML_SAMPLE));
      // A test-only file, and one the live mode holds too.
      const testOnly = uniqueCopy(XML_SAMPLE);
      const testOnlyJob = await uploadAndWait(h.app, t.test, testOnly);
      expect(testOnlyJob.status).toBe('completed');
      // Let every delivery settle, so nothing moves behind the comparison.
      expect(await eventually(async () => {
        const [row] = await rawRows<{ n: number }>(h.database.db, sql`select count(*)::int as n from webhook_deliveries where status = 'pending' and team_id in (${t.team.id}, ${neighbour.team.id})`);
        return row!.n === 0;
      }, 20_000)).toBe(true);

      const liveBefore = await countRows(t.team.id, 'live');
      const before = await everythingBut(t.team.id, [neighbour.team.id]);
      const testBefore = await countRows(t.team.id, 'test');
      expect(testBefore.invoices).toBe(3);

      const res = await partner(h.app, 'POST', '/admin/test-mode/reset', t.test);
      expect(res.status, res.text).toBe(200);
      expect(res.headers.get('parseo-mode')).toBe('test');
      expect(res.body).toEqual({
        object: 'test_mode_reset',
        mode: 'test',
        deleted: {
          invoices: testBefore.invoices,
          jobs: testBefore.jobs,
          contacts: testBefore.contacts,
          clients: testBefore.clients,
          webhookEndpoints: testBefore.webhook_endpoints,
          events: testBefore.events,
          webhookDeliveries: testBefore.webhook_deliveries,
          idempotencyKeys: testBefore.idempotency_keys,
          files: 2,
        },
        resetAt: expect.any(String),
      });
      expect(res.body.deleted.idempotencyKeys).toBeGreaterThan(0);

      // Test mode is empty (but for the reset's own audit entry) …
      expect(await countRows(t.team.id, 'test')).toEqual({ ...Object.fromEntries(Object.keys(testBefore).map((k) => [k, 0])), audit_logs: testBefore.audit_logs! + 1 });
      for (const path of ['/clients', '/contacts', '/invoices', '/jobs', '/webhooks', '/events']) {
        expect((await partner(h.app, 'GET', path, t.test)).body.data, path).toEqual([]);
      }
      const audit = await partner(h.app, 'GET', '/audit-logs', t.test, { query: { action: 'test_mode.reset' } });
      expect(audit.body.data).toHaveLength(1);
      expect(audit.body.data[0]).toMatchObject({ mode: 'test', resourceType: 'team', resourceId: t.team.id, actor: { keyPrefix: t.test.slice(0, 16) } });

      // … and everything else is exactly as it was: live data, the other team, the team itself.
      expect(await everythingBut(t.team.id, [neighbour.team.id])).toEqual(before);
      expect(await countRows(t.team.id, 'live')).toEqual(liveBefore);

      // The test-only file is gone; the one live mode still refers to stays.
      expect(await h.files.exists(sha256(testOnly))).toBe(false);
      expect(await h.files.exists(sha256(shared))).toBe(true);
      const liveInvoices = await partner(h.app, 'GET', '/invoices', t.live);
      for (const invoice of liveInvoices.body.data) {
        expect((await partner(h.app, 'GET', `/invoices/${invoice.id}/file`, t.live)).status).toBe(200);
      }

      // Test mode works as before afterwards.
      expect((await uploadAndWait(h.app, t.test, testOnly)).status).toBe('completed');
    } finally {
      await receiver.close();
    }
  });

  it('with a live key is 403 mode.test_key_required, and deletes nothing', async () => {
    const t = await createTenant(h.app);
    expect((await partner(h.app, 'POST', '/clients', t.live, { body: { name: 'Live client' } })).status).toBe(201);
    expect((await partner(h.app, 'POST', '/clients', t.test, { body: { name: 'Test client' } })).status).toBe(201);
    const res = await partner(h.app, 'POST', '/admin/test-mode/reset', t.live);
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.code).toBe('mode.test_key_required');
    expect((await partner(h.app, 'GET', '/clients', t.live)).body.data).toHaveLength(1);
    expect((await partner(h.app, 'GET', '/clients', t.test)).body.data).toHaveLength(1);
  });

  it('needs the test_mode:reset scope', async () => {
    const t = await createTenant(h.app);
    const narrow = await createKey(h.app, t.team.id, 'test', ['client:read', 'client:write']);
    expect((await partner(h.app, 'POST', '/clients', narrow.secret, { body: { name: 'Kept' } })).status).toBe(201);
    const res = await partner(h.app, 'POST', '/admin/test-mode/reset', narrow.secret);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('auth.insufficient_scope');
    expect((await partner(h.app, 'GET', '/clients', t.test)).body.data).toHaveLength(1);
  });

  it('is idempotent with an Idempotency-Key: the retry replays the first answer', async () => {
    const t = await createTenant(h.app);
    await partner(h.app, 'POST', '/clients', t.test, { body: { name: 'Gone' } });
    const first = await partner(h.app, 'POST', '/admin/test-mode/reset', t.test, { headers: { 'Idempotency-Key': 'reset-1' } });
    expect(first.status).toBe(200);
    expect(first.body.deleted.clients).toBe(1);
    await partner(h.app, 'POST', '/clients', t.test, { body: { name: 'Made after the reset' } });
    const retry = await partner(h.app, 'POST', '/admin/test-mode/reset', t.test, { headers: { 'Idempotency-Key': 'reset-1' } });
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect((await partner(h.app, 'GET', '/clients', t.test)).body.data).toHaveLength(1);
  });

  it('uploads and jobs finishing while the reset runs: it never fails, and a job left behind has its file', async () => {
    const t = await createTenant(h.app);
    // Uploads of the same bytes race the reset, whose job may be completing (adding an invoice)
    // while the reset deletes: whatever the order, the reset succeeds, and the file stays exactly
    // when a job still refers to it (the sweep and uploads share a lock).
    for (let round = 0; round < 8; round++) {
      const bytes = uniqueCopy(XML_SAMPLE);
      await uploadBytes(h.app, t.test, bytes);
      const [reset, again] = await Promise.all([partner(h.app, 'POST', '/admin/test-mode/reset', t.test), uploadBytes(h.app, t.test, bytes)]);
      expect(reset.status, reset.text).toBe(200);
      expect(again.status, again.text).toBe(202);
      await waitForJob(h.app, t.test, again.body.jobId).catch(() => null);
      const jobs = await rawRows<{ file_sha256: string }>(h.database.db, sql`select file_sha256 from jobs where team_id = ${t.team.id} and file_sha256 = ${sha256(bytes)}`);
      expect(await h.files.exists(sha256(bytes))).toBe(jobs.length > 0);
    }
  });
});

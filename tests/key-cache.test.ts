import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { digestApiKey } from '../src/auth/keys.ts';
import { admin, buildApp, createTenant, harness, partner, type Harness } from './support/harness.ts';
import { eventually } from './support/receiver.ts';

let h: Harness;
let a: Harness;
let b: Harness;

/** Two API instances on one database, as two server processes would be, each with its own cache. */
beforeAll(async () => {
  h = await harness();
  a = buildApp(h.database);
  b = buildApp(h.database);
  expect(await eventually(() => a.keys.trusted && b.keys.trusted, 10_000)).toBe(true);
});

/** Sends one request on each instance, so both have the key cached. */
async function warm(key: string) {
  for (const instance of [a, b]) {
    expect((await partner(instance.app, 'GET', '/me', key)).status).toBe(200);
    expect(instance.keys.get(digestApiKey(key)), 'cached').toBeDefined();
  }
}

describe('the key cache', () => {
  it('serves a known key without the database: a row removed behind the API’s back still authenticates', async () => {
    const t = await createTenant(h.app);
    await warm(t.test);
    await h.database.db.execute(sql`delete from api_keys where id = ${t.testKey.id}`);
    expect((await partner(b.app, 'GET', '/me', t.test)).status).toBe(200);
    // Any change that goes through the API empties every cache before it answers.
    await admin(a.app, 'PATCH', `/teams/${t.team.id}`, { body: { name: 'Renamed' } });
    const res = await partner(b.app, 'GET', '/me', t.test);
    expect([res.status, res.body.code]).toEqual([401, 'auth.unknown_key']);
  });

  it('a key revoked through one instance fails on the very next request on the other', async () => {
    const t = await createTenant(h.app);
    await warm(t.live);
    const started = performance.now();
    const revoked = await admin(a.app, 'POST', `/api-keys/${t.liveKey.id}/revoke`);
    expect(revoked.status).toBe(200);
    for (const instance of [b, a]) {
      const res = await partner(instance.app, 'GET', '/me', t.live);
      expect([res.status, res.body.code]).toEqual([401, 'auth.revoked_key']);
    }
    // Waiting for every instance to acknowledge costs a NOTIFY round trip, not seconds.
    expect(performance.now() - started).toBeLessThan(2000);
    // The team's other key is unaffected.
    expect((await partner(b.app, 'GET', '/me', t.test)).status).toBe(200);
  });

  it('a team’s new limits apply on the next request everywhere', async () => {
    const t = await createTenant(h.app);
    await warm(t.test);
    await admin(a.app, 'PATCH', `/teams/${t.team.id}`, { body: { limits: { requestsPerMinute: 7 } } });
    const res = await partner(b.app, 'GET', '/me', t.test);
    expect(res.headers.get('ratelimit-policy')).toMatch(/^"minute";q=7;/);
  });

  it('catches up on a revision whose NOTIFY never came, at its next heartbeat', async () => {
    const t = await createTenant(h.app);
    await warm(t.test);
    // A bump without the announcement, as if the NOTIFY were lost on the way.
    await h.database.db.execute(sql`update auth_revision set revision = revision + 1`);
    expect(await eventually(() => a.keys.get(digestApiKey(t.test)) === undefined && b.keys.get(digestApiKey(t.test)) === undefined, 3000)).toBe(true);
  });

  it('a stopped cache serves nothing: every request looks its key up', async () => {
    const c = buildApp(h.database);
    expect(await eventually(() => c.keys.trusted, 10_000)).toBe(true);
    const t = await createTenant(h.app);
    expect((await partner(c.app, 'GET', '/me', t.test)).status).toBe(200);
    await c.keys.stop();
    expect(c.keys.trusted).toBe(false);
    await h.database.db.execute(sql`delete from api_keys where id = ${t.testKey.id}`);
    expect((await partner(c.app, 'GET', '/me', t.test)).status).toBe(401);
  });
});

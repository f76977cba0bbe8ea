import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { randomBase62 } from '../src/ids.ts';
import { SecretBox } from '../src/webhooks/secrets.ts';
import { createTenant, harness, partner, type Harness } from './support/harness.ts';
import { rawRows } from './support/sql.ts';
import { deliveriesOf, ping, registerEndpoint, waitForDelivery } from './support/webhooks.ts';

let h: Harness;

beforeAll(async () => {
  h = await harness();
});

// Nothing listens on the discard port: deliveries there fail fast, which these tests do not mind.
const URL_A = 'http://127.0.0.1:9/parseo/a';
const URL_B = 'http://127.0.0.1:9/parseo/b';
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const ciphertextOf = async (id: string) =>
  (await rawRows<{ secret_ciphertext: string }>(h.database.db, sql`select secret_ciphertext from webhook_endpoints where id = ${id}`))[0]!.secret_ciphertext;

describe('POST /webhooks', () => {
  it.each(['live', 'test'] as const)('registers a %s endpoint and shows its whsec_ secret once', async (mode) => {
    const t = await createTenant(h.app);
    const res = await partner(h.app, 'POST', '/webhooks', t[mode], {
      body: { url: URL_A, events: ['job.completed', 'job.failed'], description: 'ERP sync', metadata: { team: 'ap' } },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.headers.get('parseo-mode')).toBe(mode);
    expect(res.body).toEqual({
      id: expect.stringMatching(new RegExp(`^we_${mode}_[0-9A-Za-z]{24}$`)),
      object: 'webhook_endpoint',
      mode,
      url: URL_A,
      description: 'ERP sync',
      events: ['job.completed', 'job.failed'],
      status: 'enabled',
      disabledReason: null,
      metadata: { team: 'ap' },
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
      createdAt: expect.stringMatching(ISO),
      updatedAt: expect.stringMatching(ISO),
    });
    expect(Buffer.from(res.body.secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    expect(res.headers.get('cache-control')).toBe('no-store');

    const { secret, ...shown } = res.body;
    const got = await partner(h.app, 'GET', `/webhooks/${res.body.id}`, t[mode]);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(shown);
    expect(got.text).not.toContain(secret);
    const list = await partner(h.app, 'GET', '/webhooks', t[mode]);
    expect(list.body.data).toEqual([shown]);
    expect(list.text).not.toContain(secret);
  });

  it('accepts ["*"] and every documented event type', async () => {
    const t = await createTenant(h.app);
    expect((await partner(h.app, 'POST', '/webhooks', t.test, { body: { url: URL_A, events: ['*'] } })).status).toBe(201);
    const all = [
      'job.completed',
      'job.failed',
      'invoice.created',
      'invoice.updated',
      'invoice.deleted',
      'contact.created',
      'contact.updated',
      'contact.deleted',
      'client.created',
      'client.updated',
      'client.deleted',
      'webhook.ping',
    ];
    const res = await partner(h.app, 'POST', '/webhooks', t.test, { body: { url: URL_A, events: all } });
    expect(res.status, res.text).toBe(201);
    expect(res.body.events).toEqual(all);
  });

  it.each([
    ['an unknown event type', { url: URL_A, events: ['invoice.paid'] }, 'events.0'],
    ['a misspelt event type', { url: URL_A, events: ['job.completed', 'Job.Failed'] }, 'events.1'],
    ['no event types', { url: URL_A, events: [] }, 'events'],
    ['"*" with other types', { url: URL_A, events: ['*', 'job.failed'] }, 'events'],
    ['a repeated type', { url: URL_A, events: ['job.failed', 'job.failed'] }, 'events'],
    ['no events field', { url: URL_A }, 'events'],
    ['no url', { events: ['*'] }, 'url'],
    ['a relative url', { url: '/hooks', events: ['*'] }, 'url'],
    ['an ftp url', { url: 'ftp://hooks.example.com/x', events: ['*'] }, 'url'],
    ['a file url', { url: 'file:///etc/passwd', events: ['*'] }, 'url'],
    ['a url with credentials', { url: 'https://user:pass@hooks.example.com/x', events: ['*'] }, 'url'],
    ['an unknown field', { url: URL_A, events: ['*'], secret: 'whsec_mine' }, 'secret'],
  ])('refuses %s with 400 naming the field', async (_, body, param) => {
    const t = await createTenant(h.app);
    const res = await partner(h.app, 'POST', '/webhooks', t.test, { body });
    expect(res.status, res.text).toBe(400);
    expect(res.body.code).toBe('validation.invalid_request');
    expect(res.body.errors.map((e: { param: string }) => e.param)).toContain(param);
    expect((await partner(h.app, 'GET', '/webhooks', t.test)).body.data).toEqual([]);
  });

  it('names the valid event types when one is unknown', async () => {
    const t = await createTenant(h.app);
    const res = await partner(h.app, 'POST', '/webhooks', t.test, { body: { url: URL_A, events: ['invoice.paid'] } });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.errors)).toContain('job.completed');
  });

  it('writes an audit entry in the key’s mode', async () => {
    const t = await createTenant(h.app);
    const endpoint = await registerEndpoint(h.app, t.test, URL_A);
    const audit = await partner(h.app, 'GET', '/audit-logs', t.test, { query: { resourceId: endpoint.id } });
    expect(audit.body.data.map((e: { action: string }) => e.action)).toEqual(['webhook_endpoint.created']);
    expect((await partner(h.app, 'GET', '/audit-logs', t.live, { query: { resourceId: endpoint.id } })).body.data).toEqual([]);
  });
});

describe('GET /webhooks', () => {
  it('lists the mode’s endpoints newest first, page by page; a cursor does not cross modes', async () => {
    const t = await createTenant(h.app);
    const created = [];
    for (let i = 0; i < 3; i++) created.push(await registerEndpoint(h.app, t.test, `${URL_A}/${i}`));
    const live = await registerEndpoint(h.app, t.live, URL_A);

    const first = await partner(h.app, 'GET', '/webhooks', t.test, { query: { limit: '2' } });
    expect(first.body.data.map((e: { id: string }) => e.id)).toEqual([created[2]!.id, created[1]!.id]);
    expect(first.body.hasMore).toBe(true);
    const second = await partner(h.app, 'GET', '/webhooks', t.test, { query: { limit: '2', cursor: first.body.nextCursor } });
    expect(second.body.data.map((e: { id: string }) => e.id)).toEqual([created[0]!.id]);
    expect(second.body).toMatchObject({ hasMore: false, nextCursor: null });

    expect((await partner(h.app, 'GET', '/webhooks', t.live)).body.data.map((e: { id: string }) => e.id)).toEqual([live.id]);
    const crossed = await partner(h.app, 'GET', '/webhooks', t.live, { query: { cursor: first.body.nextCursor } });
    expect(crossed.status).toBe(400);
  });

  it('refuses unknown query parameters', async () => {
    const t = await createTenant(h.app);
    const res = await partner(h.app, 'GET', '/webhooks', t.test, { query: { status: 'enabled' } });
    expect(res.status).toBe(400);
  });
});

describe('PATCH /webhooks/{id}', () => {
  it('changes url, events, description and metadata (merged), and nothing else', async () => {
    const t = await createTenant(h.app);
    const endpoint = await registerEndpoint(h.app, t.test, URL_A, { events: ['job.failed'], metadata: { a: '1', b: '2' } });
    const res = await partner(h.app, 'PATCH', `/webhooks/${endpoint.id}`, t.test, {
      body: { url: URL_B, events: ['*'], description: 'now all', metadata: { b: '', c: '3' } },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ id: endpoint.id, url: URL_B, events: ['*'], description: 'now all', metadata: { a: '1', c: '3' }, status: 'enabled' });
    expect(res.body.secret).toBeUndefined();
    expect(res.body.createdAt).toBe(endpoint.createdAt);
    expect(Date.parse(res.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(endpoint.updatedAt));
    // The secret is unchanged by an update.
    expect(await ciphertextOf(endpoint.id)).toBeTruthy();
    expect(h.box.open(await ciphertextOf(endpoint.id), endpoint.id)).toBe(endpoint.secret);
  });

  it.each([
    [{ events: ['nope'] }, 'events.0'],
    [{ url: 'gopher://x' }, 'url'],
    [{ status: 'paused' }, 'status'],
    [{ secret: 'x' }, 'secret'],
  ])('refuses %j with 400 and changes nothing', async (body, param) => {
    const t = await createTenant(h.app);
    const endpoint = await registerEndpoint(h.app, t.test, URL_A);
    const res = await partner(h.app, 'PATCH', `/webhooks/${endpoint.id}`, t.test, { body });
    expect(res.status, res.text).toBe(400);
    expect(res.body.errors.map((e: { param: string }) => e.param)).toContain(param);
    const { secret: _secret, ...unchanged } = endpoint;
    expect((await partner(h.app, 'GET', `/webhooks/${endpoint.id}`, t.test)).body).toEqual(unchanged);
  });
});

describe('DELETE /webhooks/{id}', () => {
  it('deletes the endpoint with its deliveries; the events stay', async () => {
    const t = await createTenant(h.app);
    const endpoint = await registerEndpoint(h.app, t.test, URL_A);
    const { eventId } = await ping(h.app, t.test, endpoint.id);
    const res = await partner(h.app, 'DELETE', `/webhooks/${endpoint.id}`, t.test);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: endpoint.id, object: 'webhook_endpoint', mode: 'test', deleted: true });
    expect((await partner(h.app, 'GET', `/webhooks/${endpoint.id}`, t.test)).status).toBe(404);
    expect((await partner(h.app, 'GET', `/webhooks/${endpoint.id}/deliveries`, t.test)).status).toBe(404);
    expect((await partner(h.app, 'DELETE', `/webhooks/${endpoint.id}`, t.test)).status).toBe(404);
    const left = await rawRows(h.database.db, sql`select id from webhook_deliveries where endpoint_id = ${endpoint.id}`);
    expect(left).toEqual([]);
    expect((await partner(h.app, 'GET', `/events/${eventId}`, t.test)).status).toBe(200);
  });
});

describe('signing secrets', () => {
  it('rotation answers a new secret once; reads never show it', async () => {
    const t = await createTenant(h.app);
    const endpoint = await registerEndpoint(h.app, t.test, URL_A);
    const before = await ciphertextOf(endpoint.id);
    const res = await partner(h.app, 'POST', `/webhooks/${endpoint.id}/rotate-secret`, t.test);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: endpoint.id, object: 'webhook_endpoint', secret: expect.stringMatching(/^whsec_/) });
    expect(res.body.secret).not.toBe(endpoint.secret);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await ciphertextOf(endpoint.id)).not.toBe(before);
    expect(h.box.open(await ciphertextOf(endpoint.id), endpoint.id)).toBe(res.body.secret);
    const got = await partner(h.app, 'GET', `/webhooks/${endpoint.id}`, t.test);
    expect(got.body.secret).toBeUndefined();
    const audit = await partner(h.app, 'GET', '/audit-logs', t.test, { query: { resourceId: endpoint.id } });
    expect(audit.body.data.map((e: { action: string }) => e.action)).toContain('webhook_endpoint.secret_rotated');
  });

  it('the database holds only AES-GCM ciphertext: no plaintext, no key bytes, useless without the server key', async () => {
    const t = await createTenant(h.app);
    const endpoint = await registerEndpoint(h.app, t.test, URL_A);
    const keyBase64 = endpoint.secret.slice('whsec_'.length);
    const keyHex = Buffer.from(keyBase64, 'base64').toString('hex');
    // What a dump of the table would show, every column as text.
    const [row] = await rawRows<{ dump: string }>(h.database.db, sql`select row_to_json(e)::text as dump from webhook_endpoints e where id = ${endpoint.id}`);
    expect(row!.dump).not.toContain(keyBase64);
    expect(row!.dump.toLowerCase()).not.toContain(keyHex);
    expect(row!.dump).not.toContain('whsec_');

    const sealed = await ciphertextOf(endpoint.id);
    expect(sealed).toMatch(/^v2\.[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(sealed.slice(3), 'base64').includes(Buffer.from(keyBase64, 'base64'))).toBe(false);
    // Only the server key opens it, and only for the endpoint it was sealed for.
    expect(h.box.open(sealed, endpoint.id)).toBe(endpoint.secret);
    expect(() => new SecretBox(Buffer.alloc(32, 1)).open(sealed, endpoint.id)).toThrow();
    const other = await registerEndpoint(h.app, t.test, URL_B);
    expect(() => h.box.open(sealed, other.id)).toThrow();
    // Two endpoints never share a secret.
    expect(other.secret).not.toBe(endpoint.secret);
  });

  // The idempotency middleware keeps answers marked `Cache-Control: no-store` sealed with the same box.
  it('an Idempotency-Key does not leave the plaintext secret in the database, and the replay still shows it', async () => {
    const t = await createTenant(h.app);
    const key = `we-${randomBase62(12)}`;
    const res = await partner(h.app, 'POST', '/webhooks', t.test, { body: { url: URL_A, events: ['*'] }, headers: { 'Idempotency-Key': key } });
    expect(res.status).toBe(201);
    const [row] = await rawRows<{ dump: string }>(
      h.database.db,
      sql`select coalesce(string_agg(row_to_json(k)::text, ''), '') as dump from idempotency_keys k where team_id = ${t.team.id}`,
    );
    expect(row!.dump).not.toContain(res.body.secret.slice('whsec_'.length));
    const replay = await partner(h.app, 'POST', '/webhooks', t.test, { body: { url: URL_A, events: ['*'] }, headers: { 'Idempotency-Key': key } });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('cache-control')).toMatch(/no-store/);
    expect(replay.body).toEqual(res.body);
  });

  it('a ciphertext copied onto another endpoint does not sign its deliveries', async () => {
    const t = await createTenant(h.app);
    const victim = await registerEndpoint(h.app, t.test, URL_A);
    const attacker = await registerEndpoint(h.app, t.test, URL_B);
    await rawRows(h.database.db, sql`update webhook_endpoints set secret_ciphertext = ${await ciphertextOf(victim.id)} where id = ${attacker.id}`);
    const { delivery } = await ping(h.app, t.test, attacker.id);
    const done = await waitForDelivery(h.app, t.test, attacker.id, delivery.id, (d) => d.attempts.length >= 1);
    expect(done.attempts[0]).toMatchObject({ statusCode: null, error: expect.stringMatching(/signing secret could not be read/) });
  });
});

describe('ping', () => {
  it('answers 202 with the webhook.ping event, queued for this endpoint only; the event carries no secret', async () => {
    const t = await createTenant(h.app);
    const endpoint = await registerEndpoint(h.app, t.test, URL_A);
    const bystander = await registerEndpoint(h.app, t.test, URL_B);
    const res = await partner(h.app, 'POST', `/webhooks/${endpoint.id}/ping`, t.test);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ id: expect.stringMatching(/^evt_test_/), object: 'event', mode: 'test', type: 'webhook.ping' });
    expect(res.body.data.object).toMatchObject({ id: endpoint.id, object: 'webhook_endpoint', url: URL_A });
    expect(JSON.stringify(res.body)).not.toMatch(/secret/i);
    expect((await deliveriesOf(h.app, t.test, endpoint.id)).map((d) => d.eventId)).toEqual([res.body.id]);
    expect(await deliveriesOf(h.app, t.test, bystander.id)).toEqual([]);
  });
});

describe('deliveries API', () => {
  it('lists an endpoint’s deliveries newest first with pages, and shows one with its attempts', async () => {
    const t = await createTenant(h.app);
    const endpoint = await registerEndpoint(h.app, t.test, URL_A);
    const pings = [];
    for (let i = 0; i < 3; i++) pings.push(await ping(h.app, t.test, endpoint.id));
    const first = await partner(h.app, 'GET', `/webhooks/${endpoint.id}/deliveries`, t.test, { query: { limit: '2' } });
    expect(first.status).toBe(200);
    expect(first.body.data.map((d: { eventId: string }) => d.eventId)).toEqual([pings[2]!.eventId, pings[1]!.eventId]);
    const second = await partner(h.app, 'GET', `/webhooks/${endpoint.id}/deliveries`, t.test, { query: { limit: '2', cursor: first.body.nextCursor } });
    expect(second.body.data.map((d: { eventId: string }) => d.eventId)).toEqual([pings[0]!.eventId]);

    const one = await partner(h.app, 'GET', `/webhooks/${endpoint.id}/deliveries/${pings[0]!.delivery.id}`, t.test);
    expect(one.status).toBe(200);
    expect(one.body).toEqual({
      id: expect.stringMatching(/^del_test_[0-9A-Za-z]{24}$/),
      object: 'webhook_delivery',
      mode: 'test',
      endpointId: endpoint.id,
      eventId: pings[0]!.eventId,
      status: expect.stringMatching(/^(pending|succeeded|failed)$/),
      attempts: expect.any(Array),
      nextAttemptAt: one.body.status === 'pending' ? expect.stringMatching(ISO) : null,
      createdAt: expect.stringMatching(ISO),
    });
  });

  it('a delivery is found only under its own endpoint', async () => {
    const t = await createTenant(h.app);
    const a = await registerEndpoint(h.app, t.test, URL_A);
    const b = await registerEndpoint(h.app, t.test, URL_B);
    const { delivery } = await ping(h.app, t.test, a.id);
    expect((await partner(h.app, 'GET', `/webhooks/${b.id}/deliveries/${delivery.id}`, t.test)).status).toBe(404);
    expect((await partner(h.app, 'POST', `/webhooks/${b.id}/deliveries/${delivery.id}/redeliver`, t.test)).status).toBe(404);
  });
});

describe('isolation', () => {
  it('a live endpoint, its deliveries and redelivery answer 404 to a test key, naming the live mode', async () => {
    const t = await createTenant(h.app);
    const live = await registerEndpoint(h.app, t.live, URL_A);
    const { delivery } = await ping(h.app, t.live, live.id);
    const own = await registerEndpoint(h.app, t.test, URL_A);
    const paths: [string, string][] = [
      ['GET', `/webhooks/${live.id}`],
      ['PATCH', `/webhooks/${live.id}`],
      ['DELETE', `/webhooks/${live.id}`],
      ['POST', `/webhooks/${live.id}/rotate-secret`],
      ['POST', `/webhooks/${live.id}/ping`],
      ['GET', `/webhooks/${live.id}/deliveries`],
      ['GET', `/webhooks/${live.id}/deliveries/${delivery.id}`],
      ['POST', `/webhooks/${live.id}/deliveries/${delivery.id}/redeliver`],
      // The test key's own endpoint with the live delivery's ID.
      ['GET', `/webhooks/${own.id}/deliveries/${delivery.id}`],
      ['POST', `/webhooks/${own.id}/deliveries/${delivery.id}/redeliver`],
    ];
    for (const [method, path] of paths) {
      const res = await partner(h.app, method, path, t.test, { body: method === 'PATCH' ? { description: 'x' } : undefined });
      expect([method, path, res.status, res.body.code]).toEqual([method, path, 404, 'resource.not_found']);
      expect(res.body.detail).toMatch(/live-mode ID/);
    }
    // Nothing changed in live mode.
    const { secret: _secret, ...unchanged } = live;
    expect((await partner(h.app, 'GET', `/webhooks/${live.id}`, t.live)).body).toEqual(unchanged);
    expect(await deliveriesOf(h.app, t.live, live.id)).toHaveLength(1);
  });

  it("another team's endpoint and deliveries answer 404 exactly like IDs that do not exist", async () => {
    const mine = await createTenant(h.app);
    const other = await createTenant(h.app);
    const theirs = await registerEndpoint(h.app, other.test, URL_A);
    const { delivery } = await ping(h.app, other.test, theirs.id);
    const missingEndpoint = `we_test_${randomBase62(24)}`;
    const missingDelivery = `del_test_${randomBase62(24)}`;
    const shapes: [string, (we: string, del: string) => string][] = [
      ['GET', (we) => `/webhooks/${we}`],
      ['PATCH', (we) => `/webhooks/${we}`],
      ['DELETE', (we) => `/webhooks/${we}`],
      ['POST', (we) => `/webhooks/${we}/rotate-secret`],
      ['POST', (we) => `/webhooks/${we}/ping`],
      ['GET', (we) => `/webhooks/${we}/deliveries`],
      ['GET', (we, del) => `/webhooks/${we}/deliveries/${del}`],
      ['POST', (we, del) => `/webhooks/${we}/deliveries/${del}/redeliver`],
    ];
    for (const [method, path] of shapes) {
      const body = method === 'PATCH' ? { description: 'x' } : undefined;
      const theirsRes = await partner(h.app, method, path(theirs.id, delivery.id), mine.test, { body });
      const missingRes = await partner(h.app, method, path(missingEndpoint, missingDelivery), mine.test, { body });
      expect([method, theirsRes.status, theirsRes.body.code]).toEqual([method, 404, 'resource.not_found']);
      expect(theirsRes.body.detail.replace(theirs.id, 'X').replace(delivery.id, 'Y')).toBe(missingRes.body.detail.replace(missingEndpoint, 'X').replace(missingDelivery, 'Y'));
    }
    expect((await partner(h.app, 'GET', '/webhooks', mine.test)).body.data).toEqual([]);
    expect((await partner(h.app, 'GET', `/webhooks/${theirs.id}`, other.test)).body.description).toBeNull();
  });
});

describe('the default retry schedule', () => {
  it('is at least 8 attempts over at least 24 hours, even with the jitter pulling every wait 20 % earlier', () => {
    const schedule = loadConfig({}).webhookRetrySchedule;
    const attempts = schedule.length + 1;
    const total = schedule.reduce((sum, s) => sum + s, 0);
    expect(attempts).toBeGreaterThanOrEqual(8);
    expect(total * 0.8).toBeGreaterThanOrEqual(24 * 3600);
    // Backoff: no wait is shorter than the one before it.
    for (let i = 1; i < schedule.length; i++) expect(schedule[i]!).toBeGreaterThanOrEqual(schedule[i - 1]!);
    expect(loadConfig({}).webhookDisableAfterHours).toBe(120);
  });
});

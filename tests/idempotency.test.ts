import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createKey, createTenant, harness, partner, type ApiResponse, type Harness } from './support/harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await harness();
});

const ref = () => `idem-${randomUUID()}`;

function postClient(key: string, idempotencyKey: string, body: unknown) {
  return partner(h.app, 'POST', '/clients', key, { body, headers: { 'Idempotency-Key': idempotencyKey } });
}

async function clientsWithRef(key: string, externalRef: string) {
  const res = await partner(h.app, 'GET', '/clients', key, { query: { externalRef, limit: '100' } });
  expect(res.status).toBe(200);
  return res.body.data as { id: string }[];
}

describe('Idempotency-Key on POST', () => {
  it('replays the first answer for the same key and body, and creates exactly one resource', async () => {
    const { test } = await createTenant(h.app);
    const externalRef = ref();
    const key = randomUUID();
    const body = { name: 'Once Only GmbH', externalRef };

    const first = await postClient(test, key, body);
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    const second = await postClient(test, key, body);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(second.headers.get('parseo-mode')).toBe('test');
    expect(second.headers.get('request-id')).toMatch(/^req_/);
    expect(second.headers.get('request-id')).not.toBe(first.headers.get('request-id'));
    expect(second.text).toBe(first.text);

    const third = await postClient(test, key, body);
    expect(third.headers.get('idempotent-replayed')).toBe('true');
    expect(third.body.id).toBe(first.body.id);

    expect((await clientsWithRef(test, externalRef)).map((c) => c.id)).toEqual([first.body.id]);
  });

  it('answers 422 idempotency.key_reused for the same key with another body, and writes nothing', async () => {
    const { test } = await createTenant(h.app);
    const externalRef = ref();
    const key = randomUUID();
    const first = await postClient(test, key, { name: 'First', externalRef });
    expect(first.status).toBe(201);

    for (const body of [{ name: 'Second', externalRef }, { name: 'First', externalRef, vatId: 'DE123456789' }]) {
      const res = await postClient(test, key, body);
      expect(res.status).toBe(422);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.body.code).toBe('idempotency.key_reused');
      expect(res.body.param).toBe('Idempotency-Key');
      expect(res.headers.get('idempotent-replayed')).toBeNull();
    }
    const rows = await clientsWithRef(test, externalRef);
    expect(rows.map((c) => c.id)).toEqual([first.body.id]);
    expect((await partner(h.app, 'GET', `/clients/${first.body.id}`, test)).body.name).toBe('First');
  });

  it('answers 422 for the same key on another path, and writes nothing there', async () => {
    const { test } = await createTenant(h.app);
    const key = randomUUID();
    const body = { name: 'Shared Name' };
    expect((await postClient(test, key, body)).status).toBe(201);

    const res = await partner(h.app, 'POST', '/contacts', test, { body, headers: { 'Idempotency-Key': key } });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('idempotency.key_reused');
    expect((await partner(h.app, 'GET', '/contacts', test)).body.data).toEqual([]);
  });

  it('scopes keys by mode: the test and live keys of one team are independent', async () => {
    const { live, test } = await createTenant(h.app);
    const externalRef = ref();
    const key = randomUUID();
    const body = { name: 'Two Worlds', externalRef };

    const inTest = await postClient(test, key, body);
    const inLive = await postClient(live, key, body);
    expect(inTest.status).toBe(201);
    expect(inLive.status).toBe(201);
    expect(inLive.headers.get('idempotent-replayed')).toBeNull();
    expect(inTest.body.id).toMatch(/^cl_test_/);
    expect(inLive.body.id).toMatch(/^cl_live_/);

    // A different body under the same key in live mode is not a reuse of the test-mode key.
    const otherKey = randomUUID();
    expect((await postClient(test, otherKey, { name: 'A', externalRef })).status).toBe(201);
    expect((await postClient(live, otherKey, { name: 'B', externalRef })).status).toBe(201);

    // Each world replays its own answer.
    const replayTest = await postClient(test, key, body);
    const replayLive = await postClient(live, key, body);
    expect(replayTest.headers.get('idempotent-replayed')).toBe('true');
    expect(replayTest.body.id).toBe(inTest.body.id);
    expect(replayLive.headers.get('idempotent-replayed')).toBe('true');
    expect(replayLive.body.id).toBe(inLive.body.id);

    expect(await clientsWithRef(test, externalRef)).toHaveLength(2);
    expect(await clientsWithRef(live, externalRef)).toHaveLength(2);
  });

  it('scopes keys by team', async () => {
    const a = await createTenant(h.app);
    const b = await createTenant(h.app);
    const externalRef = ref();
    const key = randomUUID();

    const inA = await postClient(a.test, key, { name: 'Team A', externalRef });
    const inB = await postClient(b.test, key, { name: 'Team B', externalRef });
    expect(inA.status).toBe(201);
    expect(inB.status).toBe(201);
    expect(inB.headers.get('idempotent-replayed')).toBeNull();
    expect(inB.body.name).toBe('Team B');
    expect(inB.body.id).not.toBe(inA.body.id);
    expect((await clientsWithRef(a.test, externalRef)).map((c) => c.id)).toEqual([inA.body.id]);
    expect((await clientsWithRef(b.test, externalRef)).map((c) => c.id)).toEqual([inB.body.id]);
  });

  it('is shared by the keys of one team and mode', async () => {
    const tenant = await createTenant(h.app);
    const spare = await createKey(h.app, tenant.team.id, 'test');
    const externalRef = ref();
    const key = randomUUID();
    const body = { name: 'Rotated', externalRef };
    const first = await postClient(tenant.test, key, body);
    const retry = await postClient(spare.secret, key, body);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body.id).toBe(first.body.id);
    expect(await clientsWithRef(tenant.test, externalRef)).toHaveLength(1);
  });

  it('50 concurrent requests with one key create exactly one client', async () => {
    const { test } = await createTenant(h.app);
    const externalRef = ref();
    const key = randomUUID();
    const body = { name: 'Stampede AG', externalRef };

    const answers: ApiResponse[] = await Promise.all(Array.from({ length: 50 }, () => postClient(test, key, body)));

    const created = answers.filter((r) => r.status === 201 && r.headers.get('idempotent-replayed') === null);
    const replayed = answers.filter((r) => r.status === 201 && r.headers.get('idempotent-replayed') === 'true');
    const inProgress = answers.filter((r) => r.status === 409);
    expect(created).toHaveLength(1);
    expect(created.length + replayed.length + inProgress.length).toBe(50);
    for (const r of replayed) expect(r.text).toBe(created[0]!.text);
    for (const r of inProgress) {
      expect(r.body.code).toBe('idempotency.in_progress');
      expect(r.body.param).toBe('Idempotency-Key');
      expect(r.headers.get('retry-after')).toBe('1');
    }

    const rows = await clientsWithRef(test, externalRef);
    expect(rows.map((c) => c.id)).toEqual([created[0]!.body.id]);

    // Once the first finished, a retry replays it.
    const after = await postClient(test, key, body);
    expect(after.headers.get('idempotent-replayed')).toBe('true');
    expect(after.body.id).toBe(created[0]!.body.id);
  });

  it('stores and replays a 400 validation answer', async () => {
    const { test } = await createTenant(h.app);
    const key = randomUUID();
    const body = { name: '', country: 'XX' };
    const first = await postClient(test, key, body);
    expect(first.status).toBe(400);
    expect(first.body.code).toBe('validation.invalid_request');

    const again = await postClient(test, key, body);
    expect(again.status).toBe(400);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('content-type')).toBe('application/problem+json');
    expect(again.text).toBe(first.text);

    const reused = await postClient(test, key, { name: 'Valid now' });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('idempotency.key_reused');
    expect((await partner(h.app, 'GET', '/clients', test)).body.data).toEqual([]);
  });

  it('stores and replays a cross-mode reference refusal', async () => {
    const { live, test } = await createTenant(h.app);
    const liveClient = (await partner(h.app, 'POST', '/clients', live, { body: { name: 'Live' } })).body;
    const key = randomUUID();
    const send = () => partner(h.app, 'POST', '/contacts', test, { body: { name: 'X', clientId: liveClient.id }, headers: { 'Idempotency-Key': key } });
    const first = await send();
    expect(first.status).toBe(400);
    expect(first.body.code).toBe('validation.client_mode_mismatch');
    const again = await send();
    expect(again.status).toBe(400);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.text).toBe(first.text);
  });

  it.each([
    ['256 characters', 'k'.repeat(256)],
    ['an empty value', ''],
    ['a space', 'has space'],
    ['non-ASCII', 'schlüssel'],
  ])('refuses a key of %s with 400 and writes nothing', async (_name, idempotencyKey) => {
    const { test } = await createTenant(h.app);
    const externalRef = ref();
    const res = await partner(h.app, 'POST', '/clients', test, {
      body: { name: 'Bad Key', externalRef },
      headers: { 'Idempotency-Key': Buffer.from(idempotencyKey, 'utf8').toString('latin1') },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation.invalid_request');
    expect(res.body.param).toBe('Idempotency-Key');
    expect(await clientsWithRef(test, externalRef)).toEqual([]);
  });

  it('accepts a key of exactly 255 characters', async () => {
    const { test } = await createTenant(h.app);
    const key = `${randomUUID()}${'k'.repeat(255 - 36)}`;
    const body = { name: 'Long Key' };
    const first = await postClient(test, key, body);
    expect(first.status).toBe(201);
    const again = await postClient(test, key, body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(first.body.id);
  });

  it('leaves GET unaffected', async () => {
    const { test } = await createTenant(h.app);
    const key = randomUUID();
    const get = () => partner(h.app, 'GET', '/clients', test, { headers: { 'Idempotency-Key': key } });

    const before = await get();
    expect(before.status).toBe(200);
    expect(before.body.data).toEqual([]);
    expect(before.headers.get('idempotent-replayed')).toBeNull();

    const created = await partner(h.app, 'POST', '/clients', test, { body: { name: 'Seen' } });
    const after = await get();
    expect(after.status).toBe(200);
    expect(after.headers.get('idempotent-replayed')).toBeNull();
    expect(after.body.data.map((c: { id: string }) => c.id)).toEqual([created.body.id]);

    // The key was never claimed by the GETs, so a POST may still use it.
    const post = await postClient(test, key, { name: 'Fresh' });
    expect(post.status).toBe(201);
    expect(post.headers.get('idempotent-replayed')).toBeNull();

    // An invalid key on a GET is ignored as well.
    const bad = await partner(h.app, 'GET', '/clients', test, { headers: { 'Idempotency-Key': 'k'.repeat(256) } });
    expect(bad.status).toBe(200);
  });

  it('without a key, two identical POSTs create two resources', async () => {
    const { test } = await createTenant(h.app);
    const externalRef = ref();
    const body = { name: 'Twice', externalRef };
    const first = await partner(h.app, 'POST', '/clients', test, { body });
    const second = await partner(h.app, 'POST', '/clients', test, { body });
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    expect(second.body.id).not.toBe(first.body.id);
    expect(await clientsWithRef(test, externalRef)).toHaveLength(2);
  });
});

describe('answers given before the operation ran are not kept', () => {
  it('a 403 for a key without the scope does not block the same request with a key that has it', async () => {
    const t = await createTenant(h.app);
    const readOnly = await createKey(h.app, t.team.id, 'test', ['client:read']);
    const headers = { 'Idempotency-Key': 'scope-then-retry' };
    const denied = await partner(h.app, 'POST', '/clients', readOnly.secret, { body: { name: 'x' }, headers });
    expect(denied.status).toBe(403);
    const res = await partner(h.app, 'POST', '/clients', t.test, { body: { name: 'x' }, headers });
    expect(res.status).toBe(201);
    expect(res.headers.get('idempotent-replayed')).toBeNull();
  });
});

import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createKey, createTenant, harness, partner, type Harness } from './support/harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await harness();
});

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const ref = (label = 'ref') => `${label}-${randomUUID()}`;

async function createClient(key: string, body: Record<string, unknown> = {}) {
  const res = await partner(h.app, 'POST', '/clients', key, { body: { name: 'Müller Bau GmbH', ...body } });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

function expectIso(value: unknown) {
  expect(value).toMatch(ISO);
  expect(new Date(value as string).toISOString()).toBe(value);
}

describe('POST /clients', () => {
  it.each(['live', 'test'] as const)('creates a %s client with every field, in the key’s mode', async (mode) => {
    const tenant = await createTenant(h.app);
    const key = tenant[mode];
    const externalRef = ref('CUST');
    const res = await partner(h.app, 'POST', '/clients', key, {
      body: { name: 'Müller Bau GmbH', externalRef, vatId: 'DE123456789', country: 'DE', metadata: { erpId: '4711', region: 'north' } },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('parseo-mode')).toBe(mode);
    expect(res.body.id).toMatch(new RegExp(`^cl_${mode}_[0-9A-Za-z]{24}$`));
    expect(res.body).toEqual({
      id: res.body.id,
      object: 'client',
      mode,
      name: 'Müller Bau GmbH',
      externalRef,
      vatId: 'DE123456789',
      country: 'DE',
      metadata: { erpId: '4711', region: 'north' },
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expectIso(res.body.createdAt);
    expectIso(res.body.updatedAt);
    expect(res.body.updatedAt).toBe(res.body.createdAt);

    const got = await partner(h.app, 'GET', `/clients/${res.body.id}`, key);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);
  });

  it('defaults the optional fields to null and metadata to {}; empty metadata values mean nothing', async () => {
    const { test } = await createTenant(h.app);
    const res = await partner(h.app, 'POST', '/clients', test, { body: { name: '  Trimmed Co  ', metadata: { keep: 'x', drop: '' } } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'Trimmed Co', externalRef: null, vatId: null, country: null, metadata: { keep: 'x' } });
  });

  it('rejects an unknown field, naming it', async () => {
    const { test } = await createTenant(h.app);
    const res = await partner(h.app, 'POST', '/clients', test, { body: { name: 'Acme', colour: 'blue' } });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.code).toBe('validation.invalid_request');
    expect(res.body.detail).toContain('colour');
    expect(res.body.errors).toEqual([{ param: 'colour', code: 'unknown_field', message: expect.stringContaining('colour') }]);
    expect((await partner(h.app, 'GET', '/clients', test)).body.data).toEqual([]);
  });

  it('requires a name', async () => {
    const { test } = await createTenant(h.app);
    const res = await partner(h.app, 'POST', '/clients', test, { body: { externalRef: 'x' } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ param: 'name', code: 'required', message: expect.any(String) }]);
  });

  const longKey = 'k'.repeat(41);
  const metadataCases: [string, Record<string, string>, string][] = [
    ['51 keys', Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`key${i}`, 'v'])), 'metadata'],
    ['a 41-character key', { [longKey]: 'v' }, `metadata.${longKey}`],
    ['a 501-character value', { note: 'v'.repeat(501) }, 'metadata.note'],
  ];

  it.each(metadataCases)('lists every bad field at once (metadata with %s)', async (_name, metadata, metadataParam) => {
    const { test } = await createTenant(h.app);
    const res = await partner(h.app, 'POST', '/clients', test, { body: { name: '', country: 'XX', vatId: 'nope', metadata } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation.invalid_request');
    const params = (res.body.errors as { param: string }[]).map((e) => e.param);
    expect(params).toHaveLength(4);
    expect(params).toEqual(expect.arrayContaining(['name', 'country', 'vatId', metadataParam]));
    for (const param of ['name', 'country', 'vatId']) expect(res.body.detail).toContain(param);
    expect((await partner(h.app, 'GET', '/clients', test)).body.data).toEqual([]);
  });

  it('accepts metadata at the limits: 50 keys, 40-character keys, 500-character values', async () => {
    const { test } = await createTenant(h.app);
    const metadata = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`${String(i).padStart(2, '0')}${'k'.repeat(38)}`, 'v'.repeat(500)]));
    const res = await partner(h.app, 'POST', '/clients', test, { body: { name: 'Limits', metadata } });
    expect(res.status, res.text).toBe(201);
    expect(res.body.metadata).toEqual(metadata);
  });

  it.each([['de'], ['XX'], ['AA']])('rejects country %j with 400 naming `country`', async (country) => {
    const { test } = await createTenant(h.app);
    const res = await partner(h.app, 'POST', '/clients', test, { body: { name: 'Acme', country } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation.invalid_request');
    expect(res.body.errors.length).toBeGreaterThan(0);
    for (const e of res.body.errors) expect(e.param).toBe('country');
  });

  // Regression: anything that is not a region subtag once reached Intl.DisplayNames and threw (500).
  it.each([['DEU'], ['D'], ['12'], ['']])('rejects country %j with 400 (not 500)', async (country) => {
    const { test } = await createTenant(h.app);
    const res = await partner(h.app, 'POST', '/clients', test, { body: { name: 'Acme', country } });
    expect(res.status).toBe(400);
  });

  // Regression: codes CLDR names but ISO 3166-1 does not assign (ZZ, EU, UK) were once accepted.
  it.each([['ZZ'], ['EU'], ['UK']])('rejects the non-ISO code %j', async (country) => {
    const { test } = await createTenant(h.app);
    const res = await partner(h.app, 'POST', '/clients', test, { body: { name: 'Acme', country } });
    expect(res.status).toBe(400);
  });
});

describe('GET /clients/{id}', () => {
  it('answers 404 for an unknown ID, a client of another team, and a client of the other mode (saying so)', async () => {
    const a = await createTenant(h.app);
    const b = await createTenant(h.app);
    const mine = await createClient(a.test);

    const unknown = await partner(h.app, 'GET', `/clients/cl_test_${'0'.repeat(24)}`, a.test);
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('resource.not_found');

    const otherTeam = await partner(h.app, 'GET', `/clients/${mine.id}`, b.test);
    expect(otherTeam.status).toBe(404);
    expect(otherTeam.body.code).toBe('resource.not_found');
    expect(otherTeam.body.detail).toBe(unknown.body.detail.replace(`cl_test_${'0'.repeat(24)}`, mine.id));

    const otherMode = await partner(h.app, 'GET', `/clients/${mine.id}`, a.live);
    expect(otherMode.status).toBe(404);
    expect(otherMode.body.code).toBe('resource.not_found');
    expect(otherMode.body.detail).toMatch(/test-mode ID/);
    expect(otherMode.body.detail).toContain('parseo_test_');
  });
});

describe('PATCH /clients/{id}', () => {
  it('changes only the fields sent', async () => {
    const { test } = await createTenant(h.app);
    const externalRef = ref();
    const created = await createClient(test, { externalRef, vatId: 'DE123456789', country: 'DE', metadata: { a: '1' } });
    const res = await partner(h.app, 'PATCH', `/clients/${created.id}`, test, { body: { name: 'Renamed AG' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...created, name: 'Renamed AG', updatedAt: expect.any(String) });
    expectIso(res.body.updatedAt);
    expect(res.body.updatedAt >= created.updatedAt).toBe(true);
    expect((await partner(h.app, 'GET', `/clients/${created.id}`, test)).body).toEqual(res.body);
  });

  it('clears optional fields with null', async () => {
    const { test } = await createTenant(h.app);
    const created = await createClient(test, { externalRef: ref(), vatId: 'DE123456789', country: 'DE' });
    const res = await partner(h.app, 'PATCH', `/clients/${created.id}`, test, { body: { externalRef: null, vatId: null, country: null } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: created.name, externalRef: null, vatId: null, country: null });
  });

  it('refuses null for the name and validates like create', async () => {
    const { test } = await createTenant(h.app);
    const created = await createClient(test);
    const res = await partner(h.app, 'PATCH', `/clients/${created.id}`, test, { body: { name: null, country: 'XX', nickname: 'x' } });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { param: string }) => e.param).sort()).toEqual(['country', 'name', 'nickname']);
    expect((await partner(h.app, 'GET', `/clients/${created.id}`, test)).body).toEqual(created);
  });

  it('merges metadata, removes a key given "", and clears all with null', async () => {
    const { test } = await createTenant(h.app);
    const created = await createClient(test, { metadata: { a: '1', b: '2', c: '3' } });
    const path = `/clients/${created.id}`;

    const merged = await partner(h.app, 'PATCH', path, test, { body: { metadata: { b: 'two', d: '4' } } });
    expect(merged.status).toBe(200);
    expect(merged.body.metadata).toEqual({ a: '1', b: 'two', c: '3', d: '4' });

    const removed = await partner(h.app, 'PATCH', path, test, { body: { metadata: { a: '', missing: '' } } });
    expect(removed.body.metadata).toEqual({ b: 'two', c: '3', d: '4' });

    const untouched = await partner(h.app, 'PATCH', path, test, { body: { name: 'Other' } });
    expect(untouched.body.metadata).toEqual({ b: 'two', c: '3', d: '4' });

    const cleared = await partner(h.app, 'PATCH', path, test, { body: { metadata: null } });
    expect(cleared.status).toBe(200);
    expect(cleared.body.metadata).toEqual({});
    expect((await partner(h.app, 'GET', path, test)).body.metadata).toEqual({});
  });

  it('cannot reach a client of the other mode or another team', async () => {
    const a = await createTenant(h.app);
    const b = await createTenant(h.app);
    const created = await createClient(a.live);
    for (const key of [a.test, b.live]) {
      const res = await partner(h.app, 'PATCH', `/clients/${created.id}`, key, { body: { name: 'Hijacked' } });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('resource.not_found');
    }
    expect((await partner(h.app, 'GET', `/clients/${created.id}`, a.live)).body.name).toBe(created.name);
  });
});

describe('GET /clients', () => {
  it('filters by externalRef within the caller’s team and mode', async () => {
    const a = await createTenant(h.app);
    const b = await createTenant(h.app);
    const externalRef = ref('CUST');
    const wanted = await createClient(a.test, { externalRef });
    await createClient(a.test, { externalRef: ref('OTHER') });
    await createClient(a.test);
    await createClient(a.live, { externalRef });
    await createClient(b.test, { externalRef });

    const res = await partner(h.app, 'GET', '/clients', a.test, { query: { externalRef } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ object: 'list', data: [wanted], hasMore: false, nextCursor: null });

    const all = await partner(h.app, 'GET', '/clients', a.test);
    expect(all.body.data).toHaveLength(3);
    expect(all.body.data.every((c: { mode: string }) => c.mode === 'test')).toBe(true);

    const none = await partner(h.app, 'GET', '/clients', a.test, { query: { externalRef: ref('NOPE') } });
    expect(none.body.data).toEqual([]);
  });

  it('rejects an unknown query parameter, naming it', async () => {
    const { test } = await createTenant(h.app);
    const res = await partner(h.app, 'GET', '/clients', test, { query: { external_ref: 'x' } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ param: 'external_ref', code: 'unknown_field', message: expect.stringContaining('external_ref') }]);
  });
});

describe('DELETE /clients/{id}', () => {
  it('deletes, answers the deletion object, then 404', async () => {
    const { test } = await createTenant(h.app);
    const created = await createClient(test);
    const res = await partner(h.app, 'DELETE', `/clients/${created.id}`, test);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: created.id, object: 'client', mode: 'test', deleted: true });

    for (const method of ['GET', 'DELETE', 'PATCH']) {
      const again = await partner(h.app, method, `/clients/${created.id}`, test, method === 'PATCH' ? { body: { name: 'x' } } : {});
      expect(again.status).toBe(404);
      expect(again.body.code).toBe('resource.not_found');
    }
    expect((await partner(h.app, 'GET', '/clients', test)).body.data).toEqual([]);
  });

  it('cannot delete a client of the other mode', async () => {
    const { live, test } = await createTenant(h.app);
    const created = await createClient(live);
    const res = await partner(h.app, 'DELETE', `/clients/${created.id}`, test);
    expect(res.status).toBe(404);
    expect((await partner(h.app, 'GET', `/clients/${created.id}`, live)).status).toBe(200);
  });

  it('refuses with 409 resource.in_use while a contact references the client, and keeps it', async () => {
    const { test } = await createTenant(h.app);
    const client = await createClient(test);
    const contact = await partner(h.app, 'POST', '/contacts', test, { body: { name: 'Buyer', clientId: client.id } });
    expect(contact.status).toBe(201);

    const res = await partner(h.app, 'DELETE', `/clients/${client.id}`, test);
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.code).toBe('resource.in_use');
    expect(res.body.detail).toContain(client.id);
    expect(res.text).not.toMatch(/violates|constraint|contacts_client_fk/i);

    expect((await partner(h.app, 'GET', `/clients/${client.id}`, test)).body).toEqual(client);
    expect((await partner(h.app, 'GET', `/contacts/${contact.body.id}`, test)).body.clientId).toBe(client.id);

    // Once the reference is gone, the delete goes through.
    expect((await partner(h.app, 'PATCH', `/contacts/${contact.body.id}`, test, { body: { clientId: null } })).status).toBe(200);
    expect((await partner(h.app, 'DELETE', `/clients/${client.id}`, test)).status).toBe(200);
  });
});

describe('scopes', () => {
  it('a client:read key can read but not write', async () => {
    const tenant = await createTenant(h.app);
    const client = await createClient(tenant.test);
    const reader = await createKey(h.app, tenant.team.id, 'test', ['client:read']);

    const writes: [string, string, unknown][] = [
      ['POST', '/clients', { name: 'Nope' }],
      ['PATCH', `/clients/${client.id}`, { name: 'Nope' }],
      ['DELETE', `/clients/${client.id}`, undefined],
    ];
    for (const [method, path, body] of writes) {
      const res = await partner(h.app, method, path, reader.secret, body === undefined ? {} : { body });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.code).toBe('auth.insufficient_scope');
      expect(res.body.detail).toContain('client:write');
    }

    const got = await partner(h.app, 'GET', `/clients/${client.id}`, reader.secret);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(client);
    const list = await partner(h.app, 'GET', '/clients', reader.secret);
    expect(list.status).toBe(200);
    expect(list.body.data).toEqual([client]);
  });

  it('a key without client:read cannot read clients', async () => {
    const tenant = await createTenant(h.app);
    const client = await createClient(tenant.test);
    const other = await createKey(h.app, tenant.team.id, 'test', ['contact:read', 'client:write']);
    for (const path of ['/clients', `/clients/${client.id}`]) {
      const res = await partner(h.app, 'GET', path, other.secret);
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('auth.insufficient_scope');
    }
  });
});

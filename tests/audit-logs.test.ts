import { beforeAll, describe, expect, it } from 'vitest';
import { createKey, createTenant, harness, partner, type ApiResponse, type Harness } from './support/harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await harness();
});

type Entry = {
  id: string;
  object: string;
  mode: string;
  action: string;
  resourceType: string;
  resourceId: string;
  actor: { keyId: string; keyPrefix: string; keyName: string };
  requestId: string;
  ipAddress: string | null;
  createdAt: string;
};

async function auditLog(key: string, query: Record<string, string> = {}): Promise<Entry[]> {
  const res = await partner(h.app, 'GET', '/audit-logs', key, { query: { limit: '100', ...query } });
  expect(res.status, res.text).toBe(200);
  expect(res.body.object).toBe('list');
  expect(res.body.hasMore).toBe(false);
  return res.body.data;
}

function requestIdOf(res: ApiResponse): string {
  const id = res.headers.get('request-id');
  expect(id).toMatch(/^req_[0-9A-Za-z]+$/);
  return id!;
}

type Tenant = Awaited<ReturnType<typeof createTenant>>;

describe('writes are recorded in the caller’s mode', () => {
  const resources = [
    { type: 'client', path: '/clients', create: { name: 'Audited GmbH' }, update: { name: 'Audited AG' } },
    { type: 'contact', path: '/contacts', create: { name: 'Audited Contact' }, update: { email: 'audit@example.com' } },
  ] as const;
  const cases = resources.flatMap((r) => (['live', 'test'] as const).map((mode) => [r.type, mode, r] as const));

  it.each(cases)('%s create, update and delete with a %s key write one entry each', async (type, mode, r) => {
    const tenant: Tenant = await createTenant(h.app);
    const key = tenant[mode];
    const keyInfo = mode === 'live' ? tenant.liveKey : tenant.testKey;
    const other = tenant[mode === 'live' ? 'test' : 'live'];

    const created = await partner(h.app, 'POST', r.path, key, { body: r.create });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const updated = await partner(h.app, 'PATCH', `${r.path}/${id}`, key, { body: r.update });
    expect(updated.status).toBe(200);
    const deleted = await partner(h.app, 'DELETE', `${r.path}/${id}`, key);
    expect(deleted.status).toBe(200);

    const entries = await auditLog(key, { resourceId: id });
    expect(entries.map((e) => e.action)).toEqual([`${type}.deleted`, `${type}.updated`, `${type}.created`]);
    const expectedRequestIds = [deleted, updated, created].map(requestIdOf);
    entries.forEach((entry, i) => {
      expect(entry).toEqual({
        id: expect.stringMatching(new RegExp(`^al_${mode}_[0-9A-Za-z]{24}$`)),
        object: 'audit_log',
        mode,
        action: entry.action,
        resourceType: type,
        resourceId: id,
        actor: { keyId: keyInfo.id, keyPrefix: keyInfo.prefix, keyName: `${mode} key` },
        requestId: expectedRequestIds[i],
        ipAddress: entry.ipAddress,
        createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      });
      expect(keyInfo.prefix).toBe(key.slice(0, 16));
    });
    // The whole stream of this fresh team holds exactly these three, and the other mode's none.
    expect((await auditLog(key)).map((e) => e.id).sort()).toEqual(entries.map((e) => e.id).sort());
    expect(await auditLog(other)).toEqual([]);
  });

  it('names the key that acted when a team has several', async () => {
    const tenant = await createTenant(h.app);
    const second = await createKey(h.app, tenant.team.id, 'test');
    const a = await partner(h.app, 'POST', '/clients', tenant.test, { body: { name: 'By first' } });
    const b = await partner(h.app, 'POST', '/clients', second.secret, { body: { name: 'By second' } });
    expect((await auditLog(tenant.test, { resourceId: a.body.id }))[0]!.actor.keyId).toBe(tenant.testKey.id);
    expect((await auditLog(tenant.test, { resourceId: b.body.id }))[0]!.actor).toEqual({ keyId: second.id, keyPrefix: second.prefix, keyName: 'test key' });
  });
});

describe('the two streams never mix', () => {
  it('test writes never appear in the live stream, nor live writes in the test stream', async () => {
    const tenant = await createTenant(h.app);
    const ids: Record<'live' | 'test', string[]> = { live: [], test: [] };
    for (const mode of ['test', 'live', 'test'] as const) {
      const client = await partner(h.app, 'POST', '/clients', tenant[mode], { body: { name: `${mode} client` } });
      const contact = await partner(h.app, 'POST', '/contacts', tenant[mode], { body: { name: `${mode} contact`, clientId: client.body.id } });
      ids[mode].push(client.body.id, contact.body.id);
    }

    for (const mode of ['live', 'test'] as const) {
      const other = mode === 'live' ? 'test' : 'live';
      const stream = await auditLog(tenant[mode]);
      expect(stream).toHaveLength(ids[mode].length);
      expect(stream.every((e) => e.mode === mode && e.id.startsWith(`al_${mode}_`))).toBe(true);
      expect(stream.map((e) => e.resourceId).sort()).toEqual([...ids[mode]].sort());
      for (const id of ids[other]) {
        expect(await auditLog(tenant[mode], { resourceId: id })).toEqual([]);
      }
    }
  });

  it('another team’s writes never appear', async () => {
    const a = await createTenant(h.app);
    const b = await createTenant(h.app);
    const res = await partner(h.app, 'POST', '/clients', b.test, { body: { name: 'B' } });
    expect(await auditLog(a.test)).toEqual([]);
    expect(await auditLog(a.test, { resourceId: res.body.id })).toEqual([]);
    expect(await auditLog(b.test)).toHaveLength(1);
  });
});

describe('filters', () => {
  it('filters by action and by resourceId, alone and together', async () => {
    const { test } = await createTenant(h.app);
    const c1 = (await partner(h.app, 'POST', '/clients', test, { body: { name: 'One' } })).body.id as string;
    const c2 = (await partner(h.app, 'POST', '/clients', test, { body: { name: 'Two' } })).body.id as string;
    await partner(h.app, 'PATCH', `/clients/${c1}`, test, { body: { name: 'Uno' } });
    const ct = (await partner(h.app, 'POST', '/contacts', test, { body: { name: 'Contact', clientId: c2 } })).body.id as string;

    const createdClients = await auditLog(test, { action: 'client.created' });
    expect(createdClients.map((e) => e.resourceId).sort()).toEqual([c1, c2].sort());
    expect(createdClients.every((e) => e.action === 'client.created')).toBe(true);

    expect((await auditLog(test, { action: 'client.updated' })).map((e) => e.resourceId)).toEqual([c1]);
    expect((await auditLog(test, { action: 'contact.created' })).map((e) => e.resourceId)).toEqual([ct]);
    expect(await auditLog(test, { action: 'client.deleted' })).toEqual([]);
    expect(await auditLog(test, { action: 'client' })).toEqual([]);

    expect((await auditLog(test, { resourceId: c1 })).map((e) => e.action)).toEqual(['client.updated', 'client.created']);
    expect((await auditLog(test, { resourceId: c1, action: 'client.created' })).map((e) => e.resourceId)).toEqual([c1]);
    expect(await auditLog(test, { resourceId: c2, action: 'client.updated' })).toEqual([]);
  });

  it('pages newest first', async () => {
    const { test } = await createTenant(h.app);
    for (let i = 0; i < 5; i++) await partner(h.app, 'POST', '/clients', test, { body: { name: `C${i}` } });
    const first = await partner(h.app, 'GET', '/audit-logs', test, { query: { limit: '3' } });
    expect(first.body.data).toHaveLength(3);
    expect(first.body.hasMore).toBe(true);
    const second = await partner(h.app, 'GET', '/audit-logs', test, { query: { limit: '3', cursor: first.body.nextCursor } });
    expect(second.body.data).toHaveLength(2);
    expect(second.body.hasMore).toBe(false);
    const all = [...first.body.data, ...second.body.data] as Entry[];
    expect(new Set(all.map((e) => e.id)).size).toBe(5);
    for (let i = 1; i < all.length; i++) expect(all[i - 1]!.createdAt >= all[i]!.createdAt).toBe(true);
  });

  it('rejects an unknown filter', async () => {
    const { test } = await createTenant(h.app);
    const res = await partner(h.app, 'GET', '/audit-logs', test, { query: { resourceType: 'client' } });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { param: string }) => e.param)).toEqual(['resourceType']);
  });
});

describe('rejected writes leave no entry', () => {
  it('validation errors, cross-mode and missing references, in-use deletes, missing scopes and 404s write nothing', async () => {
    const tenant = await createTenant(h.app);
    const { live, test } = tenant;
    const liveClient = (await partner(h.app, 'POST', '/clients', live, { body: { name: 'Live client' } })).body.id as string;
    const testClient = (await partner(h.app, 'POST', '/clients', test, { body: { name: 'Test client' } })).body.id as string;
    const contact = (await partner(h.app, 'POST', '/contacts', test, { body: { name: 'Holder', clientId: testClient } })).body.id as string;
    const reader = await createKey(h.app, tenant.team.id, 'test', ['client:read', 'contact:read', 'audit:read']);
    const before = { test: await auditLog(test), live: await auditLog(live) };
    expect(before.test).toHaveLength(2);
    expect(before.live).toHaveLength(1);

    const rejected: [string, string, string, unknown, number][] = [
      [test, 'POST', '/clients', { name: '', country: 'XX' }, 400],
      [test, 'POST', '/clients', { name: 'X', unknown: 1 }, 400],
      [test, 'PATCH', `/clients/${testClient}`, { name: '' }, 400],
      [test, 'POST', '/contacts', { name: 'X', clientId: liveClient }, 400],
      [test, 'POST', '/contacts', { name: 'X', clientId: `cl_test_${'0'.repeat(24)}` }, 400],
      [test, 'PATCH', `/contacts/${contact}`, { clientId: liveClient }, 400],
      [test, 'DELETE', `/clients/${testClient}`, undefined, 409],
      [test, 'DELETE', `/clients/${liveClient}`, undefined, 404],
      [test, 'PATCH', `/clients/cl_test_${'0'.repeat(24)}`, { name: 'Ghost' }, 404],
      [reader.secret, 'POST', '/clients', { name: 'No scope' }, 403],
      [reader.secret, 'DELETE', `/contacts/${contact}`, undefined, 403],
      [live, 'POST', '/contacts', { name: 'X', clientId: testClient }, 400],
    ];
    for (const [key, method, path, body, status] of rejected) {
      const res = await partner(h.app, method, path, key, body === undefined ? {} : { body });
      expect(res.status, `${method} ${path} ${res.text}`).toBe(status);
    }

    expect(await auditLog(test)).toEqual(before.test);
    expect(await auditLog(live)).toEqual(before.live);
    expect(await auditLog(reader.secret)).toEqual(before.test);
  });
});

describe('scope', () => {
  it('needs audit:read', async () => {
    const tenant = await createTenant(h.app);
    await partner(h.app, 'POST', '/clients', tenant.test, { body: { name: 'Seen' } });
    const without = await createKey(h.app, tenant.team.id, 'test', ['client:read', 'client:write', 'contact:read', 'event:read']);
    const res = await partner(h.app, 'GET', '/audit-logs', without.secret);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('auth.insufficient_scope');
    expect(res.body.detail).toContain('audit:read');

    const only = await createKey(h.app, tenant.team.id, 'test', ['audit:read']);
    const ok = await partner(h.app, 'GET', '/audit-logs', only.secret);
    expect(ok.status).toBe(200);
    expect(ok.body.data).toHaveLength(1);
  });
});

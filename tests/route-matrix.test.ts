import { beforeAll, describe, expect, it } from 'vitest';
import { admin, call, createKey, createTenant, harness, partner, type Harness } from './support/harness.ts';

/**
 * Every partner operation, with the scope it needs and the kind of resource its `{id}` names.
 * The first test fails when an operation exists that this table does not list.
 */
const operations: Record<string, { scope: string | null; idKind?: 'client' | 'contact' }> = {
  'GET /me': { scope: null },
  'GET /me/credits': { scope: null },
  'GET /me/quota': { scope: null },
  'POST /clients': { scope: 'client:write' },
  'GET /clients': { scope: 'client:read' },
  'GET /clients/{id}': { scope: 'client:read', idKind: 'client' },
  'PATCH /clients/{id}': { scope: 'client:write', idKind: 'client' },
  'DELETE /clients/{id}': { scope: 'client:write', idKind: 'client' },
  'POST /contacts': { scope: 'contact:write' },
  'GET /contacts': { scope: 'contact:read' },
  'GET /contacts/{id}': { scope: 'contact:read', idKind: 'contact' },
  'PATCH /contacts/{id}': { scope: 'contact:write', idKind: 'contact' },
  'DELETE /contacts/{id}': { scope: 'contact:write', idKind: 'contact' },
  'GET /audit-logs': { scope: 'audit:read' },
};

let h: Harness;
let mine: Awaited<ReturnType<typeof createTenant>>;
let other: Awaited<ReturnType<typeof createTenant>>;
let revoked: string;
let ids: { mine: Record<string, string>; otherMode: Record<string, string>; otherTeam: Record<string, string> };

async function createPair(key: string) {
  const client = await partner(h.app, 'POST', '/clients', key, { body: { name: 'Matrix client' } });
  const contact = await partner(h.app, 'POST', '/contacts', key, { body: { name: 'Matrix contact' } });
  return { client: client.body.id as string, contact: contact.body.id as string };
}

beforeAll(async () => {
  h = await harness();
  mine = await createTenant(h.app);
  other = await createTenant(h.app);
  const key = await createKey(h.app, mine.team.id, 'test');
  await admin(h.app, 'POST', `/api-keys/${key.id}/revoke`);
  revoked = key.secret;
  ids = { mine: await createPair(mine.test), otherMode: await createPair(mine.live), otherTeam: await createPair(other.test) };
});

const rows = Object.entries(operations).map(([op, spec]) => {
  const [method, path] = op.split(' ') as [string, string];
  return { op, method, path, ...spec };
});

const urlFor = (path: string, id: string) => path.replace('{id}', id);

describe('the operation table', () => {
  it('lists every partner operation of the OpenAPI document', async () => {
    const doc = (await call(h.app, 'GET', '/openapi.json')).body;
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .filter(([path]) => path.startsWith('/external/v1/'))
      .flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path.slice('/external/v1'.length)}`));
    expect(documented.sort()).toEqual(Object.keys(operations).sort());
  });
});

describe.each(rows)('$op', ({ method, path, scope, idKind }) => {
  const url = () => urlFor(path, idKind ? ids.mine[idKind]! : '');

  it('without a key → 401 auth.missing_authorization', async () => {
    const res = await call(h.app, method, `/external/v1${url()}`);
    expect([res.status, res.body.code]).toEqual([401, 'auth.missing_authorization']);
  });

  it('with a malformed key → 401 auth.malformed_key', async () => {
    const res = await partner(h.app, method, url(), 'parseo_test_short');
    expect([res.status, res.body.code]).toEqual([401, 'auth.malformed_key']);
  });

  it('with an unknown key → 401 auth.unknown_key', async () => {
    const res = await partner(h.app, method, url(), `parseo_test_${'x'.repeat(48)}`);
    expect([res.status, res.body.code]).toEqual([401, 'auth.unknown_key']);
  });

  it('with a revoked key → 401 auth.revoked_key', async () => {
    const res = await partner(h.app, method, url(), revoked);
    expect([res.status, res.body.code]).toEqual([401, 'auth.revoked_key']);
  });

  if (scope) it('without its scope → 403 auth.insufficient_scope', async () => {
    // A key holding every scope but the one this operation needs.
    const all = ['invoice:read', 'invoice:write', 'contact:read', 'contact:write', 'client:read', 'client:write', 'webhook:manage', 'event:read', 'audit:read', 'test_mode:reset'];
    const key = await createKey(h.app, mine.team.id, 'test', all.filter((s) => s !== scope));
    const res = await partner(h.app, method, url(), key.secret);
    expect([res.status, res.body.code]).toEqual([403, 'auth.insufficient_scope']);
    expect(res.body.detail).toContain(scope);
  });

  if (idKind) it("with the other mode's ID → 404 resource.not_found naming the other mode", async () => {
    const res = await partner(h.app, method, urlFor(path, ids.otherMode[idKind]!), mine.test, { body: method === 'PATCH' ? {} : undefined });
    expect([res.status, res.body.code]).toEqual([404, 'resource.not_found']);
    expect(res.body.detail).toMatch(/live-mode ID/);
  });

  if (idKind) it("with another team's ID → 404 resource.not_found, same as a missing one", async () => {
    const res = await partner(h.app, method, urlFor(path, ids.otherTeam[idKind]!), mine.test, { body: method === 'PATCH' ? {} : undefined });
    expect([res.status, res.body.code]).toEqual([404, 'resource.not_found']);
    expect(res.body.detail).not.toMatch(/mode ID/);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { randomBase62 } from '../src/ids.ts';
import { admin, call, createKey, createTenant, harness, partner, type Harness } from './support/harness.ts';

/**
 * Every partner operation, with the scope it needs and the kind of resource its `{id}` names.
 * The first test fails when an operation exists that this table does not list.
 */
type IdKind = 'client' | 'contact' | 'invoice' | 'job' | 'webhook' | 'event';
const operations: Record<string, { scope: string | null; idKind?: IdKind }> = {
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
  'POST /invoices': { scope: 'invoice:write' },
  'GET /invoices': { scope: 'invoice:read' },
  'GET /invoices/{id}': { scope: 'invoice:read', idKind: 'invoice' },
  'PATCH /invoices/{id}': { scope: 'invoice:write', idKind: 'invoice' },
  'DELETE /invoices/{id}': { scope: 'invoice:write', idKind: 'invoice' },
  'GET /invoices/{id}/file': { scope: 'invoice:read', idKind: 'invoice' },
  'GET /jobs': { scope: 'invoice:read' },
  'GET /jobs/{id}': { scope: 'invoice:read', idKind: 'job' },
  'POST /webhooks': { scope: 'webhook:manage' },
  'GET /webhooks': { scope: 'webhook:manage' },
  'GET /webhooks/{id}': { scope: 'webhook:manage', idKind: 'webhook' },
  'PATCH /webhooks/{id}': { scope: 'webhook:manage', idKind: 'webhook' },
  'DELETE /webhooks/{id}': { scope: 'webhook:manage', idKind: 'webhook' },
  'POST /webhooks/{id}/rotate-secret': { scope: 'webhook:manage', idKind: 'webhook' },
  'POST /webhooks/{id}/ping': { scope: 'webhook:manage', idKind: 'webhook' },
  'GET /webhooks/{id}/deliveries': { scope: 'webhook:manage', idKind: 'webhook' },
  'GET /webhooks/{id}/deliveries/{deliveryId}': { scope: 'webhook:manage', idKind: 'webhook' },
  'POST /webhooks/{id}/deliveries/{deliveryId}/redeliver': { scope: 'webhook:manage', idKind: 'webhook' },
  'GET /events': { scope: 'event:read' },
  'GET /events/{id}': { scope: 'event:read', idKind: 'event' },
  'POST /admin/test-mode/reset': { scope: 'test_mode:reset' },
};

let h: Harness;
let mine: Awaited<ReturnType<typeof createTenant>>;
let other: Awaited<ReturnType<typeof createTenant>>;
let revoked: string;
let worlds: Record<'mine' | 'otherMode' | 'otherTeam', Awaited<ReturnType<typeof createWorld>>>;

/** One resource of every kind in the key's world, plus a delivery of its webhook endpoint. */
async function createWorld(key: string) {
  const webhook = await partner(h.app, 'POST', '/webhooks', key, { body: { url: 'http://127.0.0.1:9/matrix', events: ['*'] } });
  const client = await partner(h.app, 'POST', '/clients', key, { body: { name: 'Matrix client' } });
  const contact = await partner(h.app, 'POST', '/contacts', key, { body: { name: 'Matrix contact' } });
  const form = new FormData();
  form.set('file', new Blob(['<Invoice/>'], { type: 'application/xml' }), 'matrix.xml');
  const upload = await h.app.request('/external/v1/invoices', { method: 'POST', headers: { Authorization: `Bearer ${key}` }, body: form });
  const { jobId } = (await upload.json()) as { jobId: string };
  const job = await partner(h.app, 'GET', `/jobs/${jobId}`, key, { query: { waitSeconds: '20' } });
  const events = await partner(h.app, 'GET', '/events', key);
  const deliveries = await partner(h.app, 'GET', `/webhooks/${webhook.body.id}/deliveries`, key);
  return {
    ids: {
      client: client.body.id as string,
      contact: contact.body.id as string,
      // A live job of this stand-in file fails, so no live invoice exists; the other-mode answer is
      // decided from the prefix alone, so a well-formed live ID tests it just as well.
      invoice: (job.body.invoiceId as string | null) ?? `inv_live_${randomBase62(24)}`,
      job: jobId,
      webhook: webhook.body.id as string,
      event: events.body.data[0].id as string,
    },
    deliveryId: deliveries.body.data[0].id as string,
  };
}

beforeAll(async () => {
  h = await harness();
  mine = await createTenant(h.app);
  other = await createTenant(h.app);
  const key = await createKey(h.app, mine.team.id, 'test');
  await admin(h.app, 'POST', `/api-keys/${key.id}/revoke`);
  revoked = key.secret;
  worlds = { mine: await createWorld(mine.test), otherMode: await createWorld(mine.live), otherTeam: await createWorld(other.test) };
});

const rows = Object.entries(operations).map(([op, spec]) => {
  const [method, path] = op.split(' ') as [string, string];
  return { op, method, path, ...spec };
});

const urlFor = (path: string, world: keyof typeof worlds, kind: IdKind | undefined) =>
  kind ? path.replace('{id}', worlds[world].ids[kind]).replace('{deliveryId}', worlds[world].deliveryId) : path;

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
  const url = () => urlFor(path, 'mine', idKind);

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
    const res = await partner(h.app, method, urlFor(path, 'otherMode', idKind), mine.test, { body: method === 'PATCH' ? {} : undefined });
    expect([res.status, res.body.code]).toEqual([404, 'resource.not_found']);
    expect(res.body.detail).toMatch(/live-mode ID/);
  });

  if (idKind) it("with another team's ID → 404 resource.not_found, same as a missing one", async () => {
    const res = await partner(h.app, method, urlFor(path, 'otherTeam', idKind), mine.test, { body: method === 'PATCH' ? {} : undefined });
    expect([res.status, res.body.code]).toEqual([404, 'resource.not_found']);
    expect(res.body.detail).not.toMatch(/mode ID/);
  });
});

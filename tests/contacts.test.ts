import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createKey, createTenant, harness, partner, type Harness } from './support/harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await harness();
});

const unique = () => randomUUID().slice(0, 8);

async function createClient(key: string, body: Record<string, unknown> = {}) {
  const res = await partner(h.app, 'POST', '/clients', key, { body: { name: 'Müller Bau GmbH', ...body } });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string };
}

async function createContact(key: string, body: Record<string, unknown> = {}) {
  const res = await partner(h.app, 'POST', '/contacts', key, { body: { name: 'Schmidt Elektro KG', ...body } });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

async function listContacts(key: string, query: Record<string, string> = {}) {
  const res = await partner(h.app, 'GET', '/contacts', key, { query: { limit: '100', ...query } });
  expect(res.status, res.text).toBe(200);
  return res.body.data as { id: string }[];
}

const fullAddress = { line1: 'Hauptstraße 1', line2: 'Hinterhaus', city: 'Berlin', postalCode: '10115', country: 'DE' };

describe('POST /contacts', () => {
  it.each(['live', 'test'] as const)('creates a %s contact with every field', async (mode) => {
    const tenant = await createTenant(h.app);
    const key = tenant[mode];
    const client = await createClient(key);
    const res = await partner(h.app, 'POST', '/contacts', key, {
      body: {
        name: 'Schmidt Elektro KG',
        email: 'billing@schmidt-elektro.de',
        vatId: 'DE987654321',
        role: 'supplier',
        clientId: client.id,
        address: fullAddress,
        metadata: { erpId: '17' },
      },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('parseo-mode')).toBe(mode);
    expect(res.body.id).toMatch(new RegExp(`^ct_${mode}_[0-9A-Za-z]{24}$`));
    expect(res.body).toEqual({
      id: res.body.id,
      object: 'contact',
      mode,
      name: 'Schmidt Elektro KG',
      email: 'billing@schmidt-elektro.de',
      vatId: 'DE987654321',
      role: 'supplier',
      clientId: client.id,
      address: fullAddress,
      metadata: { erpId: '17' },
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      updatedAt: res.body.createdAt,
    });
    expect((await partner(h.app, 'GET', `/contacts/${res.body.id}`, key)).body).toEqual(res.body);
  });

  it('defaults every optional field to null, and a partial address fills the rest with null', async () => {
    const { test } = await createTenant(h.app);
    const bare = await createContact(test);
    expect(bare).toMatchObject({ email: null, vatId: null, role: null, clientId: null, address: null, metadata: {} });
    const partial = await createContact(test, { address: { city: 'Köln' } });
    expect(partial.address).toEqual({ line1: null, line2: null, city: 'Köln', postalCode: null, country: null });
  });

  it.each(['supplier', 'customer', 'both'])('accepts role %s', async (role) => {
    const { test } = await createTenant(h.app);
    expect((await createContact(test, { role })).role).toBe(role);
  });

  it('validates email, role, address and unknown fields, listing every one', async () => {
    const { test } = await createTenant(h.app);
    const res = await partner(h.app, 'POST', '/contacts', test, {
      body: { name: 'X', email: 'not-an-email', role: 'vendor', address: { street: 'Main St', country: 'XX' }, phone: '123' },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation.invalid_request');
    const params = res.body.errors.map((e: { param: string }) => e.param).sort();
    expect(params).toEqual(['address.country', 'address.street', 'email', 'phone', 'role']);
    expect(await listContacts(test)).toEqual([]);
  });

  it.each(['plain', 'a@', '@b.de', 'a b@c.de', 'a@b'])('rejects the email %j', async (email) => {
    const { test } = await createTenant(h.app);
    const res = await partner(h.app, 'POST', '/contacts', test, { body: { name: 'X', email } });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { param: string }) => e.param)).toEqual(['email']);
  });

  it('refuses a clientId of the other mode with 400 client_mode_mismatch and writes nothing', async () => {
    const { live, test } = await createTenant(h.app);
    const liveClient = await createClient(live);
    const testClient = await createClient(test);
    const email = `mismatch-${unique()}@example.com`;

    for (const [key, clientId] of [
      [test, liveClient.id],
      [live, testClient.id],
    ] as const) {
      const res = await partner(h.app, 'POST', '/contacts', key, { body: { name: 'X', email, clientId } });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.body.code).toBe('validation.client_mode_mismatch');
      expect(res.body.param).toBe('clientId');
      expect(res.body.detail).toContain(clientId);
    }
    expect(await listContacts(test)).toEqual([]);
    expect(await listContacts(live)).toEqual([]);
  });

  it('answers the same client_mode_mismatch whether the other-mode client exists or not', async () => {
    const { test } = await createTenant(h.app);
    const res = await partner(h.app, 'POST', '/contacts', test, { body: { name: 'X', clientId: `cl_live_${'A'.repeat(24)}` } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation.client_mode_mismatch');
    expect(res.body.param).toBe('clientId');
  });

  it('refuses a clientId of another team, an unknown one, a contact ID and garbage with 400 reference_not_found', async () => {
    const a = await createTenant(h.app);
    const b = await createTenant(h.app);
    const foreign = await createClient(b.test);
    const contact = await createContact(a.test);

    const byId: Record<string, { body: any }> = {};
    for (const clientId of [foreign.id, `cl_test_${'0'.repeat(24)}`, contact.id, 'acme', `ct_live_${'0'.repeat(24)}`]) {
      const res = await partner(h.app, 'POST', '/contacts', a.test, { body: { name: 'X', clientId } });
      expect(res.status, clientId).toBe(400);
      expect(res.body.code, clientId).toBe('validation.reference_not_found');
      expect(res.body.param).toBe('clientId');
      byId[clientId] = res;
    }
    // Another team's client and a client that never existed are indistinguishable.
    expect(byId[foreign.id]!.body.detail.replace(foreign.id, 'ID')).toBe(byId[`cl_test_${'0'.repeat(24)}`]!.body.detail.replace(`cl_test_${'0'.repeat(24)}`, 'ID'));
    expect((await listContacts(a.test)).map((c) => c.id)).toEqual([contact.id]);
  });
});

describe('GET /contacts/{id}', () => {
  it('answers 404 across modes and teams', async () => {
    const a = await createTenant(h.app);
    const b = await createTenant(h.app);
    const contact = await createContact(a.live);
    for (const key of [a.test, b.live, b.test]) {
      const res = await partner(h.app, 'GET', `/contacts/${contact.id}`, key);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('resource.not_found');
    }
    const res = await partner(h.app, 'GET', `/contacts/${contact.id}`, a.test);
    expect(res.body.detail).toMatch(/live-mode ID/);
    // A client ID on the contacts path is simply not found.
    const client = await createClient(a.live);
    expect((await partner(h.app, 'GET', `/contacts/${client.id}`, a.live)).status).toBe(404);
  });
});

describe('GET /contacts filters', () => {
  it('filters by clientId, email (case-insensitive) and vatId within the caller’s world', async () => {
    const a = await createTenant(h.app);
    const b = await createTenant(h.app);
    const c1 = await createClient(a.test);
    const c2 = await createClient(a.test);
    const tag = unique();
    const email = `Billing.${tag}@Example.com`;

    const ofC1 = await createContact(a.test, { clientId: c1.id, vatId: 'DE111111111' });
    const ofC1Mail = await createContact(a.test, { clientId: c1.id, email });
    const ofC2 = await createContact(a.test, { clientId: c2.id, vatId: 'DE111111111', email: `other.${tag}@example.com` });
    const loose = await createContact(a.test, { email: email.toUpperCase(), vatId: 'FR12345678901' });
    // Same values in the other mode and in another team must never show up.
    await createContact(a.live, { email, vatId: 'DE111111111' });
    await createContact(b.test, { email, vatId: 'DE111111111' });

    const ids = (rows: { id: string }[]) => rows.map((r) => r.id).sort();

    expect(ids(await listContacts(a.test, { clientId: c1.id }))).toEqual(ids([ofC1, ofC1Mail]));
    expect(ids(await listContacts(a.test, { clientId: c2.id }))).toEqual([ofC2.id]);
    expect(await listContacts(a.test, { clientId: `cl_test_${'0'.repeat(24)}` })).toEqual([]);

    expect(ids(await listContacts(a.test, { email: email.toLowerCase() }))).toEqual(ids([ofC1Mail, loose]));
    expect(ids(await listContacts(a.test, { email }))).toEqual(ids([ofC1Mail, loose]));

    expect(ids(await listContacts(a.test, { vatId: 'DE111111111' }))).toEqual(ids([ofC1, ofC2]));
    expect(ids(await listContacts(a.test, { vatId: 'FR12345678901' }))).toEqual([loose.id]);

    expect(ids(await listContacts(a.test, { vatId: 'DE111111111', clientId: c1.id }))).toEqual([ofC1.id]);
    expect(ids(await listContacts(a.test, { email, clientId: c2.id }))).toEqual([]);
  });

  it('refuses a clientId filter of the other mode with 400 client_mode_mismatch', async () => {
    const { live, test } = await createTenant(h.app);
    const liveClient = await createClient(live);
    await createContact(live, { clientId: liveClient.id });
    const res = await partner(h.app, 'GET', '/contacts', test, { query: { clientId: liveClient.id } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation.client_mode_mismatch');
    expect(res.body.param).toBe('clientId');
  });

  it('rejects an unknown filter, naming it', async () => {
    const { test } = await createTenant(h.app);
    const res = await partner(h.app, 'GET', '/contacts', test, { query: { name: 'x' } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ param: 'name', code: 'unknown_field', message: expect.stringContaining('name') }]);
  });
});

describe('PATCH /contacts/{id}', () => {
  it('moves a contact to another client and detaches it with null', async () => {
    const { test } = await createTenant(h.app);
    const c1 = await createClient(test);
    const c2 = await createClient(test);
    const contact = await createContact(test, { clientId: c1.id, email: 'a@example.com' });
    const path = `/contacts/${contact.id}`;

    const moved = await partner(h.app, 'PATCH', path, test, { body: { clientId: c2.id } });
    expect(moved.status).toBe(200);
    expect(moved.body).toEqual({ ...contact, clientId: c2.id, updatedAt: expect.any(String) });
    expect((await listContacts(test, { clientId: c1.id })).map((c) => c.id)).toEqual([]);
    expect((await listContacts(test, { clientId: c2.id })).map((c) => c.id)).toEqual([contact.id]);

    const detached = await partner(h.app, 'PATCH', path, test, { body: { clientId: null } });
    expect(detached.status).toBe(200);
    expect(detached.body.clientId).toBeNull();
    expect(detached.body.email).toBe('a@example.com');
    expect((await partner(h.app, 'GET', path, test)).body.clientId).toBeNull();
  });

  it('refuses a clientId of the other mode or of nothing, and leaves the contact unchanged', async () => {
    const { live, test } = await createTenant(h.app);
    const testClient = await createClient(test);
    const liveClient = await createClient(live);
    const contact = await createContact(test, { clientId: testClient.id, name: 'Before' });

    const mismatch = await partner(h.app, 'PATCH', `/contacts/${contact.id}`, test, { body: { name: 'After', clientId: liveClient.id } });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.code).toBe('validation.client_mode_mismatch');
    expect(mismatch.body.param).toBe('clientId');

    const missing = await partner(h.app, 'PATCH', `/contacts/${contact.id}`, test, { body: { name: 'After', clientId: `cl_test_${'0'.repeat(24)}` } });
    expect(missing.status).toBe(400);
    expect(missing.body.code).toBe('validation.reference_not_found');
    expect(missing.body.param).toBe('clientId');

    expect((await partner(h.app, 'GET', `/contacts/${contact.id}`, test)).body).toEqual(contact);
  });

  it('replaces the address whole, keeps it when absent, and clears it with null', async () => {
    const { test } = await createTenant(h.app);
    const contact = await createContact(test, { address: fullAddress });
    const path = `/contacts/${contact.id}`;

    const replaced = await partner(h.app, 'PATCH', path, test, { body: { address: { city: 'Hamburg', country: 'DE' } } });
    expect(replaced.status).toBe(200);
    expect(replaced.body.address).toEqual({ line1: null, line2: null, city: 'Hamburg', postalCode: null, country: 'DE' });

    const kept = await partner(h.app, 'PATCH', path, test, { body: { name: 'Renamed' } });
    expect(kept.body.address).toEqual(replaced.body.address);

    const cleared = await partner(h.app, 'PATCH', path, test, { body: { address: null } });
    expect(cleared.body.address).toBeNull();
    expect((await partner(h.app, 'GET', path, test)).body.address).toBeNull();
  });

  it('clears optional fields with null and merges metadata', async () => {
    const { test } = await createTenant(h.app);
    const contact = await createContact(test, { email: 'x@example.com', vatId: 'DE123456789', role: 'both', metadata: { a: '1', b: '2' } });
    const res = await partner(h.app, 'PATCH', `/contacts/${contact.id}`, test, { body: { email: null, vatId: null, role: null, metadata: { a: '', c: '3' } } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ email: null, vatId: null, role: null, metadata: { b: '2', c: '3' } });
  });
});

describe('DELETE /contacts/{id}', () => {
  it('deletes, answers the deletion object, then 404; the other mode cannot delete it', async () => {
    const { live, test } = await createTenant(h.app);
    const contact = await createContact(test);
    const crossMode = await partner(h.app, 'DELETE', `/contacts/${contact.id}`, live);
    expect(crossMode.status).toBe(404);

    const res = await partner(h.app, 'DELETE', `/contacts/${contact.id}`, test);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: contact.id, object: 'contact', mode: 'test', deleted: true });
    expect((await partner(h.app, 'GET', `/contacts/${contact.id}`, test)).status).toBe(404);
    expect((await partner(h.app, 'DELETE', `/contacts/${contact.id}`, test)).status).toBe(404);
    expect(await listContacts(test)).toEqual([]);
  });
});

describe('scopes', () => {
  it('contact:read reads, contact:write is needed to write', async () => {
    const tenant = await createTenant(h.app);
    const contact = await createContact(tenant.test);
    const reader = await createKey(h.app, tenant.team.id, 'test', ['contact:read']);
    expect((await partner(h.app, 'GET', `/contacts/${contact.id}`, reader.secret)).status).toBe(200);
    for (const [method, path] of [
      ['POST', '/contacts'],
      ['PATCH', `/contacts/${contact.id}`],
      ['DELETE', `/contacts/${contact.id}`],
    ] as const) {
      const res = await partner(h.app, method, path, reader.secret, method === 'DELETE' ? {} : { body: { name: 'Nope' } });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('auth.insufficient_scope');
    }
    expect((await partner(h.app, 'GET', `/contacts/${contact.id}`, tenant.test)).body).toEqual(contact);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureFor, fixtureInvoices } from '../src/pipeline/fixtures.ts';
import { randomBase62 } from '../src/ids.ts';
import { createTenant, harness, partner, type Harness } from './support/harness.ts';
import { corpusFile, OTHER_XML_SAMPLE, PDF_SAMPLE, sha256, uploadAndWait, type UploadOptions } from './support/uploads.ts';

let h: Harness;

beforeAll(async () => {
  h = await harness();
});

type Tenant = Awaited<ReturnType<typeof createTenant>>;
const tenant = () => createTenant(h.app, { plan: 'enterprise' });
const MONEY = /^-?\d+(\.\d+)?$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Uploads a file in test mode and answers the invoice its job produced. */
async function invoiceFrom(key: string, file = OTHER_XML_SAMPLE, options: UploadOptions = {}) {
  const job = await uploadAndWait(h.app, key, corpusFile(file), { filename: file, ...options });
  expect(job.status, JSON.stringify(job)).toBe('completed');
  const res = await partner(h.app, 'GET', `/invoices/${job.invoiceId}`, key);
  expect(res.status, res.text).toBe(200);
  return res.body;
}

async function created(key: string, path: '/clients' | '/contacts', body: Record<string, unknown>): Promise<string> {
  const res = await partner(h.app, 'POST', path, key, { body });
  expect(res.status, res.text).toBe(201);
  return res.body.id as string;
}

const ids = (res: { body: { data: { id: string }[] } }) => res.body.data.map((x) => x.id);

describe('GET /invoices/{id}', () => {
  it('answers every field of the contract, money as strings and the file’s digest', async () => {
    const t = await tenant();
    const bytes = corpusFile(OTHER_XML_SAMPLE);
    const invoice = await invoiceFrom(t.test, OTHER_XML_SAMPLE, { fields: { 'metadata.orderRef': 'PO-42' } });
    const fixture = fixtureInvoices[fixtureFor(sha256(bytes))];

    expect(invoice).toEqual({
      id: expect.stringMatching(/^inv_test_[0-9A-Za-z]{24}$/),
      object: 'invoice',
      mode: 'test',
      clientId: null,
      jobId: expect.stringMatching(/^job_test_/),
      documentType: fixture.documentType,
      invoiceNumber: fixture.invoiceNumber,
      issueDate: fixture.issueDate,
      dueDate: fixture.dueDate,
      currency: fixture.currency,
      seller: fixture.seller,
      buyer: fixture.buyer,
      sellerContactId: null,
      buyerContactId: null,
      lines: fixture.lines,
      allowanceCharges: fixture.allowanceCharges,
      totals: fixture.totals,
      extraction: fixture.extraction,
      warnings: [],
      file: { filename: OTHER_XML_SAMPLE, contentType: 'application/xml', size: bytes.length, sha256: sha256(bytes) },
      metadata: { orderRef: 'PO-42' },
      createdAt: expect.stringMatching(ISO),
      updatedAt: expect.stringMatching(ISO),
    });
    for (const line of invoice.lines) {
      for (const field of ['quantity', 'unitPrice', 'netAmount', 'taxRate']) expect(line[field]).toMatch(MONEY);
    }
    for (const field of ['net', 'tax', 'gross', 'due']) expect(invoice.totals[field]).toMatch(MONEY);
    expect(invoice.issueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    const job = await partner(h.app, 'GET', `/jobs/${invoice.jobId}`, t.test);
    expect(job.body.invoiceId).toBe(invoice.id);
  });

  it('an invoice of the other mode is 404 naming the mode; another team’s is 404 like a missing one', async () => {
    const [t, other] = [await tenant(), await tenant()];
    const invoice = await invoiceFrom(t.test);
    const fromLive = await partner(h.app, 'GET', `/invoices/${invoice.id}`, t.live);
    expect(fromLive.status).toBe(404);
    expect(fromLive.body.code).toBe('resource.not_found');
    expect(fromLive.body.detail).toMatch(/test-mode/);

    const fromOther = await partner(h.app, 'GET', `/invoices/${invoice.id}`, other.test);
    const missingId = `inv_test_${randomBase62(24)}`;
    const missing = await partner(h.app, 'GET', `/invoices/${missingId}`, other.test);
    expect(fromOther.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(fromOther.body.detail.replace(invoice.id, '…')).toBe(missing.body.detail.replace(missingId, '…'));
    expect((await partner(h.app, 'GET', `/invoices/${invoice.id}/file`, other.test)).status).toBe(404);
  });
});

describe('GET /invoices', () => {
  it('lists newest first, filtered by clientId and by jobId', async () => {
    const t = await tenant();
    const client = await created(t.test, '/clients', { name: 'Filter Client' });
    const a = await invoiceFrom(t.test, OTHER_XML_SAMPLE, { headers: { 'X-Client-Id': client } });
    const b = await invoiceFrom(t.test, PDF_SAMPLE);
    const c = await invoiceFrom(t.test, OTHER_XML_SAMPLE, { fields: { clientId: client } });

    const all = await partner(h.app, 'GET', '/invoices', t.test);
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ object: 'list', hasMore: false, nextCursor: null });
    expect(ids(all)).toEqual([c.id, b.id, a.id]);
    expect(all.body.data[1]).toEqual(b);

    expect(ids(await partner(h.app, 'GET', '/invoices', t.test, { query: { clientId: client } }))).toEqual([c.id, a.id]);
    expect(ids(await partner(h.app, 'GET', '/invoices', t.test, { query: { jobId: b.jobId } }))).toEqual([b.id]);
    expect(ids(await partner(h.app, 'GET', '/invoices', t.test, { query: { jobId: a.jobId, clientId: client } }))).toEqual([a.id]);
    expect(ids(await partner(h.app, 'GET', '/invoices', t.test, { query: { jobId: b.jobId, clientId: client } }))).toEqual([]);
    expect(ids(await partner(h.app, 'GET', '/invoices', t.live))).toEqual([]);

    const paged = await partner(h.app, 'GET', '/invoices', t.test, { query: { limit: '1' } });
    expect(ids(paged)).toEqual([c.id]);
    expect(paged.body.hasMore).toBe(true);
    const next = await partner(h.app, 'GET', '/invoices', t.test, { query: { limit: '1', cursor: paged.body.nextCursor } });
    expect(ids(next)).toEqual([b.id]);
  });

  it('an unknown filter is 400 naming it', async () => {
    const t = await tenant();
    const res = await partner(h.app, 'GET', '/invoices', t.test, { query: { status: 'paid' } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation.invalid_request');
    expect(res.body.errors.map((e: { param: string }) => e.param)).toContain('status');
  });
});

describe('PATCH /invoices/{id}', () => {
  async function linkable(t: Tenant) {
    return {
      invoice: await invoiceFrom(t.test, OTHER_XML_SAMPLE, { fields: { metadata: '{"keep":"1","drop":"2"}' } }),
      client: await created(t.test, '/clients', { name: 'Client T' }),
      seller: await created(t.test, '/contacts', { name: 'Seller T', role: 'supplier' }),
      buyer: await created(t.test, '/contacts', { name: 'Buyer T', role: 'customer' }),
    };
  }

  it('links a client and contacts of the same mode, and unlinks with null', async () => {
    const t = await tenant();
    const { invoice, client, seller, buyer } = await linkable(t);
    const res = await partner(h.app, 'PATCH', `/invoices/${invoice.id}`, t.test, { body: { clientId: client, sellerContactId: seller, buyerContactId: buyer } });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ id: invoice.id, clientId: client, sellerContactId: seller, buyerContactId: buyer, metadata: invoice.metadata });
    expect(res.body.totals).toEqual(invoice.totals);
    expect(Date.parse(res.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(invoice.updatedAt));
    expect((await partner(h.app, 'GET', `/invoices/${invoice.id}`, t.test)).body).toEqual(res.body);
    expect(ids(await partner(h.app, 'GET', '/invoices', t.test, { query: { clientId: client } }))).toEqual([invoice.id]);

    const cleared = await partner(h.app, 'PATCH', `/invoices/${invoice.id}`, t.test, { body: { sellerContactId: null } });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ clientId: client, sellerContactId: null, buyerContactId: buyer });
  });

  it.each(['clientId', 'sellerContactId', 'buyerContactId'])('%s of the other mode is 400 client_mode_mismatch naming it, and nothing changes', async (param) => {
    const t = await tenant();
    const { invoice } = await linkable(t);
    const otherMode = param === 'clientId' ? await created(t.live, '/clients', { name: 'Live client' }) : await created(t.live, '/contacts', { name: 'Live contact' });
    const res = await partner(h.app, 'PATCH', `/invoices/${invoice.id}`, t.test, { body: { [param]: otherMode, metadata: { drop: '' } } });
    expect(res.status, res.text).toBe(400);
    expect(res.body.code).toBe('validation.client_mode_mismatch');
    expect(res.body.param).toBe(param);
    expect((await partner(h.app, 'GET', `/invoices/${invoice.id}`, t.test)).body).toEqual(invoice);
  });

  it.each(['clientId', 'sellerContactId', 'buyerContactId'])('%s of another team is 400 reference_not_found naming it', async (param) => {
    const [t, other] = [await tenant(), await tenant()];
    const { invoice } = await linkable(t);
    const foreign = param === 'clientId' ? await created(other.test, '/clients', { name: 'Theirs' }) : await created(other.test, '/contacts', { name: 'Theirs' });
    const res = await partner(h.app, 'PATCH', `/invoices/${invoice.id}`, t.test, { body: { [param]: foreign } });
    expect(res.status, res.text).toBe(400);
    expect(res.body.code).toBe('validation.reference_not_found');
    expect(res.body.param).toBe(param);
    expect((await partner(h.app, 'GET', `/invoices/${invoice.id}`, t.test)).body).toEqual(invoice);
  });

  it('a contact where a client belongs (and the reverse) is 400 reference_not_found', async () => {
    const t = await tenant();
    const { invoice, client, seller } = await linkable(t);
    const asClient = await partner(h.app, 'PATCH', `/invoices/${invoice.id}`, t.test, { body: { clientId: seller } });
    expect(asClient.status).toBe(400);
    expect(asClient.body).toMatchObject({ code: 'validation.reference_not_found', param: 'clientId' });
    const asContact = await partner(h.app, 'PATCH', `/invoices/${invoice.id}`, t.test, { body: { buyerContactId: client } });
    expect(asContact.status).toBe(400);
    expect(asContact.body).toMatchObject({ code: 'validation.reference_not_found', param: 'buyerContactId' });
  });

  it('merges metadata key by key: a new key is added, an empty value removes one, null removes all', async () => {
    const t = await tenant();
    const { invoice } = await linkable(t);
    expect(invoice.metadata).toEqual({ keep: '1', drop: '2' });
    const merged = await partner(h.app, 'PATCH', `/invoices/${invoice.id}`, t.test, { body: { metadata: { drop: '', added: '3' } } });
    expect(merged.status, merged.text).toBe(200);
    expect(merged.body.metadata).toEqual({ keep: '1', added: '3' });
    const untouched = await partner(h.app, 'PATCH', `/invoices/${invoice.id}`, t.test, { body: {} });
    expect(untouched.body.metadata).toEqual({ keep: '1', added: '3' });
    const emptied = await partner(h.app, 'PATCH', `/invoices/${invoice.id}`, t.test, { body: { metadata: null } });
    expect(emptied.body.metadata).toEqual({});
  });

  it('fields the extraction owns cannot be patched', async () => {
    const t = await tenant();
    const { invoice } = await linkable(t);
    const res = await partner(h.app, 'PATCH', `/invoices/${invoice.id}`, t.test, { body: { invoiceNumber: 'HACKED-1' } });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { param: string }) => e.param)).toContain('invoiceNumber');
    expect((await partner(h.app, 'GET', `/invoices/${invoice.id}`, t.test)).body.invoiceNumber).toBe(invoice.invoiceNumber);
  });
});

describe('DELETE /invoices/{id}', () => {
  it('deletes the invoice; afterwards it is 404 everywhere', async () => {
    const t = await tenant();
    const invoice = await invoiceFrom(t.test);
    const res = await partner(h.app, 'DELETE', `/invoices/${invoice.id}`, t.test);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ id: invoice.id, object: 'invoice', mode: 'test', deleted: true });
    for (const [method, path] of [
      ['GET', `/invoices/${invoice.id}`],
      ['GET', `/invoices/${invoice.id}/file`],
      ['PATCH', `/invoices/${invoice.id}`],
      ['DELETE', `/invoices/${invoice.id}`],
    ] as const) {
      const again = await partner(h.app, method, path, t.test, method === 'PATCH' ? { body: { metadata: { a: 'b' } } } : {});
      expect(again.status, `${method} ${path}`).toBe(404);
      expect(again.body.code).toBe('resource.not_found');
    }
    expect(ids(await partner(h.app, 'GET', '/invoices', t.test))).toEqual([]);
  });

  it('a live key cannot delete a test invoice', async () => {
    const t = await tenant();
    const invoice = await invoiceFrom(t.test);
    const res = await partner(h.app, 'DELETE', `/invoices/${invoice.id}`, t.live);
    expect(res.status).toBe(404);
    expect((await partner(h.app, 'GET', `/invoices/${invoice.id}`, t.test)).status).toBe(200);
  });
});

describe('GET /invoices/{id}/file', () => {
  it.each([
    [OTHER_XML_SAMPLE, 'application/xml'],
    [PDF_SAMPLE, 'application/pdf'],
  ])('returns the exact bytes of %s with the type sniffed from them', async (file, contentType) => {
    const t = await tenant();
    const invoice = await invoiceFrom(t.test, file);
    const res = await h.app.request(`/external/v1/invoices/${invoice.id}/file`, { headers: { Authorization: `Bearer ${t.test}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(contentType);
    const bytes = Buffer.from(await res.arrayBuffer());
    const original = corpusFile(file);
    expect(bytes.length).toBe(original.length);
    expect(res.headers.get('content-length')).toBe(String(original.length));
    expect(sha256(bytes)).toBe(sha256(original));
    expect(bytes.equals(original)).toBe(true);
    expect(res.headers.get('content-disposition')).toContain(file);
  });
});

describe('references that invoices hold', () => {
  it('deleting a contact an invoice references is 409 resource.in_use, until it is unlinked', async () => {
    const t = await tenant();
    const invoice = await invoiceFrom(t.test);
    const contact = await created(t.test, '/contacts', { name: 'Referenced', role: 'both' });
    expect((await partner(h.app, 'PATCH', `/invoices/${invoice.id}`, t.test, { body: { buyerContactId: contact } })).status).toBe(200);

    const refused = await partner(h.app, 'DELETE', `/contacts/${contact}`, t.test);
    expect(refused.status, refused.text).toBe(409);
    expect(refused.body.code).toBe('resource.in_use');
    expect((await partner(h.app, 'GET', `/contacts/${contact}`, t.test)).status).toBe(200);

    expect((await partner(h.app, 'PATCH', `/invoices/${invoice.id}`, t.test, { body: { buyerContactId: null } })).status).toBe(200);
    expect((await partner(h.app, 'DELETE', `/contacts/${contact}`, t.test)).status).toBe(200);
  });

  it('deleting a client an invoice references is 409 resource.in_use', async () => {
    const t = await tenant();
    const client = await created(t.test, '/clients', { name: 'Referenced client' });
    const invoice = await invoiceFrom(t.test, OTHER_XML_SAMPLE, { headers: { 'X-Client-Id': client } });
    expect(invoice.clientId).toBe(client);
    const refused = await partner(h.app, 'DELETE', `/clients/${client}`, t.test);
    expect(refused.status, refused.text).toBe(409);
    expect(refused.body.code).toBe('resource.in_use');
    expect((await partner(h.app, 'GET', `/clients/${client}`, t.test)).status).toBe(200);

    // Once its invoice is gone, the client can go: the job that named it forgets it.
    const job = (await partner(h.app, 'GET', `/jobs/${invoice.jobId}`, t.test)).body;
    expect(job.clientId).toBe(client);
    expect((await partner(h.app, 'DELETE', `/invoices/${invoice.id}`, t.test)).status).toBe(200);
    const deleted = await partner(h.app, 'DELETE', `/clients/${client}`, t.test);
    expect(deleted.status, deleted.text).toBe(200);
    expect((await partner(h.app, 'GET', `/jobs/${invoice.jobId}`, t.test)).body).toMatchObject({ id: invoice.jobId, status: 'completed', clientId: null });
  });
});

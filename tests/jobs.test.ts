import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureFor, fixtureInvoices, fixtureNames, type FixtureName } from '../src/pipeline/fixtures.ts';
import { randomBase62 } from '../src/ids.ts';
import { createTenant, harness, partner, type Harness } from './support/harness.ts';
import { rawRows } from './support/sql.ts';
import { corpusFile, PDF_SAMPLE, sha256, uploadAndWait, uploadBytes, waitForJob, type Job } from './support/uploads.ts';

let h: Harness;

beforeAll(async () => {
  h = await harness();
});

const tenant = (body: Record<string, unknown> = {}) => createTenant(h.app, { plan: 'enterprise', ...body });

/** One corpus file per canned invoice (their SHA-256 picks it): checked below, not assumed. */
const FILE_FOR_FIXTURE: Record<FixtureName, string> = {
  plain: 'xrechnung-testsuite-01.01a-INVOICE_uncefact.xml',
  multiple_vat_rates: 'peppol-bis3-base-example.xml',
  credit_note: 'en16931-ubl-tc434-example1.xml',
  foreign_currency: PDF_SAMPLE,
  due_date_allowances: 'xrechnung-testsuite-01.01a-INVOICE_ubl.xml',
};
const PLAIN_FILE = FILE_FOR_FIXTURE.plain;
/** XML, so the upload is accepted, but no e-invoice: a live job of it fails. */
const NOT_AN_INVOICE = Buffer.from('<?xml version="1.0"?>\n<note>not an invoice</note>\n');

async function invoiceOf(key: string, job: Job) {
  expect(job.status, JSON.stringify(job)).toBe('completed');
  expect(job.invoiceId).toMatch(new RegExp(`^inv_${job.mode}_`));
  const res = await partner(h.app, 'GET', `/invoices/${job.invoiceId}`, key);
  expect(res.status, res.text).toBe(200);
  return res.body;
}

/** The invoice carries exactly the documented canned values. */
function expectFixture(invoice: any, name: FixtureName) {
  const f = fixtureInvoices[name];
  expect({
    documentType: invoice.documentType,
    invoiceNumber: invoice.invoiceNumber,
    issueDate: invoice.issueDate,
    dueDate: invoice.dueDate,
    currency: invoice.currency,
    seller: invoice.seller,
    buyer: invoice.buyer,
    lines: invoice.lines,
    allowanceCharges: invoice.allowanceCharges,
    totals: invoice.totals,
    extraction: invoice.extraction,
  }).toEqual(f);
  expect(invoice.warnings).toEqual([]);
}

const credits = async (key: string) => (await partner(h.app, 'GET', '/me/credits', key)).body.credits as number;

async function eventTypes(teamId: string, mode: 'live' | 'test', objectId: string): Promise<string[]> {
  const rows = await rawRows<{ type: string }>(
    h.database.db,
    sql`select type from events where team_id = ${teamId} and mode = ${mode}::mode and data->'object'->>'id' = ${objectId} order by type`,
  );
  return rows.map((r) => r.type);
}

describe('test scenarios', () => {
  it('the documented corpus files pick every canned invoice', () => {
    for (const [name, file] of Object.entries(FILE_FOR_FIXTURE)) expect(fixtureFor(sha256(corpusFile(file)))).toBe(name);
    expect(Object.keys(FILE_FOR_FIXTURE).sort()).toEqual([...fixtureNames].sort());
  });

  it.each(Object.entries(FILE_FOR_FIXTURE))('by default the job completes with the canned invoice the bytes pick (%s)', async (name, file) => {
    const t = await tenant();
    const bytes = corpusFile(file);
    const job = await uploadAndWait(h.app, t.test, bytes, { filename: file });
    expect(job).toMatchObject({ object: 'job', mode: 'test', status: 'completed', error: null, completedAt: expect.any(String) });
    expectFixture(await invoiceOf(t.test, job), fixtureFor(sha256(bytes)));
    expect(fixtureFor(sha256(bytes))).toBe(name);
  });

  it('is deterministic: the same bytes uploaded twice give the same canned invoice', async () => {
    const t = await tenant();
    const bytes = corpusFile(FILE_FOR_FIXTURE.multiple_vat_rates);
    const first = await invoiceOf(t.test, await uploadAndWait(h.app, t.test, bytes));
    const second = await invoiceOf(t.test, await uploadAndWait(h.app, t.test, bytes, { fields: { hints: '{"testScenario":"completed"}' } }));
    expect(second.id).not.toBe(first.id);
    expect(second.jobId).not.toBe(first.jobId);
    expectFixture(first, 'multiple_vat_rates');
    expectFixture(second, 'multiple_vat_rates');
    expect(first.invoiceNumber).toBe('TEST-INV-0002');
    expect(first.totals).toEqual({ net: '800.00', tax: '128.00', gross: '928.00', due: '928.00' });
  });

  it('`failed` fails the job with test.scenario_failed and no invoice', async () => {
    const t = await tenant();
    const job = await uploadAndWait(h.app, t.test, corpusFile(PLAIN_FILE), { fields: { 'hints.testScenario': 'failed' } });
    expect(job).toMatchObject({ status: 'failed', invoiceId: null, completedAt: expect.any(String) });
    expect(job.error).toEqual({ code: 'test.scenario_failed', detail: expect.stringContaining('testScenario') });
    const invoices = await partner(h.app, 'GET', '/invoices', t.test, { query: { jobId: job.id } });
    expect(invoices.body.data).toEqual([]);
  });

  it('`credit_note` completes with the canned credit note, whatever the bytes', async () => {
    const t = await tenant();
    expect(fixtureFor(sha256(corpusFile(PLAIN_FILE)))).not.toBe('credit_note');
    const job = await uploadAndWait(h.app, t.test, corpusFile(PLAIN_FILE), { fields: { 'hints.testScenario': 'credit_note' } });
    const invoice = await invoiceOf(t.test, job);
    expect(invoice.documentType).toBe('credit_note');
    expectFixture(invoice, 'credit_note');
  });

  it('`slow` is still processing right after the upload, with Retry-After, then completes', async () => {
    const t = await tenant();
    const res = await uploadBytes(h.app, t.test, corpusFile(PLAIN_FILE), { fields: { 'hints.testScenario': 'slow' } });
    expect(res.status, res.text).toBe(202);
    const jobId = res.body.jobId as string;

    const early = await partner(h.app, 'GET', `/jobs/${jobId}`, t.test);
    expect(early.status).toBe(200);
    expect(early.body).toMatchObject({ id: jobId, status: 'processing', invoiceId: null, error: null, completedAt: null });
    const retryAfter = Number(early.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    const processing = await partner(h.app, 'GET', '/jobs', t.test, { query: { status: 'processing' } });
    expect(processing.body.data.map((j: Job) => j.id)).toEqual([jobId]);

    const done = await partner(h.app, 'GET', `/jobs/${jobId}`, t.test, { query: { waitSeconds: '10' } });
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('completed');
    expect(done.headers.get('retry-after')).toBeNull();
    expectFixture(await invoiceOf(t.test, done.body), 'plain');
  });
});

describe('GET /jobs/{id}', () => {
  it('?waitSeconds=5 holds the request until a normal upload completes', async () => {
    const t = await tenant();
    const res = await uploadBytes(h.app, t.test, corpusFile(PLAIN_FILE));
    const job = await partner(h.app, 'GET', `/jobs/${res.body.jobId}`, t.test, { query: { waitSeconds: '5' } });
    expect(job.status).toBe(200);
    expect(job.body).toMatchObject({ id: res.body.jobId, status: 'completed', invoiceId: expect.stringMatching(/^inv_test_/) });
    expect(job.headers.get('retry-after')).toBeNull();
  });

  it.each(['31', '-1', '2.5', 'soon'])('waitSeconds=%s is 400', async (value) => {
    const t = await tenant();
    const res = await uploadBytes(h.app, t.test, corpusFile(PLAIN_FILE));
    const job = await partner(h.app, 'GET', `/jobs/${res.body.jobId}`, t.test, { query: { waitSeconds: value } });
    expect(job.status).toBe(400);
    expect(job.body.code).toBe('validation.invalid_request');
    expect(job.body.errors.map((e: { param: string }) => e.param)).toContain('waitSeconds');
  });

  it('a job ID of the other mode is 404 naming that mode, both ways', async () => {
    const t = await tenant();
    const live = await uploadBytes(h.app, t.live, corpusFile(PLAIN_FILE));
    expect(live.status, live.text).toBe(202);
    const test = await uploadBytes(h.app, t.test, corpusFile(PLAIN_FILE));

    const fromTest = await partner(h.app, 'GET', `/jobs/${live.body.jobId}`, t.test);
    expect(fromTest.status).toBe(404);
    expect(fromTest.body.code).toBe('resource.not_found');
    expect(fromTest.body.detail).toMatch(/live-mode/);
    expect(fromTest.body.detail).toContain('parseo_live_');

    const fromLive = await partner(h.app, 'GET', `/jobs/${test.body.jobId}`, t.live);
    expect(fromLive.status).toBe(404);
    expect(fromLive.body.detail).toMatch(/test-mode/);
    // Decided from the prefix alone: an ID that exists nowhere answers the same way.
    const nowhere = await partner(h.app, 'GET', `/jobs/job_live_${randomBase62(24)}`, t.test);
    expect(nowhere.status).toBe(404);
    expect(nowhere.body.detail).toMatch(/live-mode/);
  });

  it('another team’s job is 404 like a missing one', async () => {
    const [t, other] = [await tenant(), await tenant()];
    const res = await uploadBytes(h.app, other.test, corpusFile(PLAIN_FILE));
    const job = await partner(h.app, 'GET', `/jobs/${res.body.jobId}`, t.test);
    expect(job.status).toBe(404);
    expect(job.body.code).toBe('resource.not_found');
    const missingId = `job_test_${randomBase62(24)}`;
    const missing = await partner(h.app, 'GET', `/jobs/${missingId}`, t.test);
    expect(job.body.detail.replace(res.body.jobId, '…')).toBe(missing.body.detail.replace(missingId, '…'));
  });
});

describe('GET /jobs', () => {
  it('lists newest first and filters by status', async () => {
    const t = await tenant();
    const a = await uploadAndWait(h.app, t.test, corpusFile(PLAIN_FILE));
    const b = await uploadAndWait(h.app, t.test, corpusFile(PLAIN_FILE), { fields: { 'hints.testScenario': 'failed' } });
    const c = await uploadAndWait(h.app, t.test, corpusFile(PDF_SAMPLE), { filename: 'c.pdf' });

    const all = await partner(h.app, 'GET', '/jobs', t.test);
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ object: 'list', hasMore: false, nextCursor: null });
    expect(all.body.data.map((j: Job) => j.id)).toEqual([c.id, b.id, a.id]);
    expect(all.body.data[0]).toEqual(c);

    const completed = await partner(h.app, 'GET', '/jobs', t.test, { query: { status: 'completed' } });
    expect(completed.body.data.map((j: Job) => j.id)).toEqual([c.id, a.id]);
    const failed = await partner(h.app, 'GET', '/jobs', t.test, { query: { status: 'failed' } });
    expect(failed.body.data.map((j: Job) => j.id)).toEqual([b.id]);
    const processing = await partner(h.app, 'GET', '/jobs', t.test, { query: { status: 'processing' } });
    expect(processing.body.data).toEqual([]);

    const paged = await partner(h.app, 'GET', '/jobs', t.test, { query: { limit: '2' } });
    expect(paged.body.data.map((j: Job) => j.id)).toEqual([c.id, b.id]);
    const rest = await partner(h.app, 'GET', '/jobs', t.test, { query: { limit: '2', cursor: paged.body.nextCursor } });
    expect(rest.body.data.map((j: Job) => j.id)).toEqual([a.id]);

    // The other mode's list is another world.
    expect((await partner(h.app, 'GET', '/jobs', t.live)).body.data).toEqual([]);
  });

  it('an unknown status is 400', async () => {
    const t = await tenant();
    const res = await partner(h.app, 'GET', '/jobs', t.test, { query: { status: 'queued' } });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { param: string }) => e.param)).toContain('status');
  });
});

describe('credits', () => {
  it('test uploads never touch the live balance', async () => {
    const t = await tenant({ credits: 3 });
    await uploadAndWait(h.app, t.test, corpusFile(PLAIN_FILE));
    await uploadAndWait(h.app, t.test, corpusFile(PLAIN_FILE), { fields: { 'hints.testScenario': 'failed' } });
    expect(await credits(t.test)).toBe(3);
    expect(await credits(t.live)).toBe(3);
  });

  it('a live upload reserves one credit and refunds it when the job fails', async () => {
    const t = await tenant({ credits: 2 });
    const res = await uploadBytes(h.app, t.live, NOT_AN_INVOICE);
    expect(res.status, res.text).toBe(202);
    expect(res.body.jobId).toMatch(/^job_live_/);
    const [reserved] = await rawRows<{ credit_reserved: boolean }>(h.database.db, sql`select credit_reserved from jobs where id = ${res.body.jobId}`);
    expect(reserved?.credit_reserved).toBe(true);
    // The worker may already have failed the job; while it has not, the credit is held.
    const balance = await credits(t.live);
    const now = await partner<Job>(h.app, 'GET', `/jobs/${res.body.jobId}`, t.live);
    if (now.body.status === 'processing') expect(balance).toBe(1);

    const job = await waitForJob(h.app, t.live, res.body.jobId);
    expect(job).toMatchObject({ mode: 'live', status: 'failed', invoiceId: null });
    expect(job.error?.code).toBe('extraction.unsupported_format');
    expect(job.error?.detail).toMatch(/refunded/);
    expect(await credits(t.live)).toBe(2);
    expect(await credits(t.test)).toBe(2);
  });

  it('a live upload at 0 credits is 402 and creates no job', async () => {
    const t = await tenant({ credits: 0 });
    const res = await uploadBytes(h.app, t.live, corpusFile(PLAIN_FILE));
    expect(res.status, res.text).toBe(402);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.code).toBe('billing.insufficient_credits');
    expect((await partner(h.app, 'GET', '/jobs', t.live)).body.data).toEqual([]);
    expect(await credits(t.live)).toBe(0);
    // Test mode stays free at 0 credits.
    expect((await uploadBytes(h.app, t.test, corpusFile(PLAIN_FILE))).status).toBe(202);
  });
});

describe('events', () => {
  it('a completed job records job.completed and invoice.created in its own mode', async () => {
    const t = await tenant();
    const job = await uploadAndWait(h.app, t.test, corpusFile(PLAIN_FILE));
    expect(job.status).toBe('completed');
    expect(await eventTypes(t.team.id, 'test', job.id)).toEqual(['job.completed']);
    expect(await eventTypes(t.team.id, 'test', job.invoiceId!)).toEqual(['invoice.created']);
    expect(await eventTypes(t.team.id, 'live', job.id)).toEqual([]);
    expect(await eventTypes(t.team.id, 'live', job.invoiceId!)).toEqual([]);

    const [completed] = await rawRows<{ data: { object: Job } }>(
      h.database.db,
      sql`select data from events where team_id = ${t.team.id} and type = 'job.completed' and data->'object'->>'id' = ${job.id}`,
    );
    expect(completed?.data.object).toMatchObject({ id: job.id, status: 'completed', invoiceId: job.invoiceId });
  });

  it('a failed job records job.failed, in test and in live mode', async () => {
    const t = await tenant();
    const test = await uploadAndWait(h.app, t.test, corpusFile(PLAIN_FILE), { fields: { 'hints.testScenario': 'failed' } });
    expect(await eventTypes(t.team.id, 'test', test.id)).toEqual(['job.failed']);
    const live = await uploadAndWait(h.app, t.live, NOT_AN_INVOICE);
    expect(live.status).toBe('failed');
    expect(await eventTypes(t.team.id, 'live', live.id)).toEqual(['job.failed']);
    expect(await eventTypes(t.team.id, 'test', live.id)).toEqual([]);
  });
});

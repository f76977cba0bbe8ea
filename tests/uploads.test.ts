import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SCENARIOS } from '../src/pipeline/fixtures.ts';
import { buildApp, createTenant, harness, partner, type Harness } from './support/harness.ts';
import { eventually } from './support/receiver.ts';
import {
  corpusFile,
  corpusPath,
  curlUpload,
  OTHER_XML_SAMPLE,
  PDF_SAMPLE,
  postInvoice,
  serveOnLoopback,
  sha256,
  uniqueCopy,
  uploadBytes,
  uploadForm,
  uploadOverHttp,
  waitForJob,
  XML_SAMPLE,
} from './support/uploads.ts';

let h: Harness;
const JOB_ID = /^job_test_[0-9A-Za-z]{24}$/;

beforeAll(async () => {
  h = await harness();
});

// Enterprise ceilings, so a later rate limit never gets in the way of what a test is about.
const tenant = () => createTenant(h.app, { plan: 'enterprise' });

async function jobIds(key: string): Promise<string[]> {
  const res = await partner(h.app, 'GET', '/jobs', key, { query: { limit: '100' } });
  expect(res.status, res.text).toBe(200);
  return (res.body.data as { id: string }[]).map((j) => j.id);
}

async function createClient(key: string, name = 'Acme'): Promise<string> {
  const res = await partner(h.app, 'POST', '/clients', key, { body: { name } });
  expect(res.status, res.text).toBe(201);
  return res.body.id as string;
}

function expectProblem(res: { status: number; headers: Headers; body: any; text: string }, status: number, code: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(res.body.code).toBe(code);
  expect(res.body.requestId).toBe(res.headers.get('request-id'));
}

describe('a valid upload', () => {
  it('in-process with a FormData body answers 202 with the job and its Location', async () => {
    const t = await tenant();
    const res = await uploadBytes(h.app, t.test, corpusFile(XML_SAMPLE), { filename: XML_SAMPLE });
    expect(res.status, res.text).toBe(202);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('parseo-mode')).toBe('test');
    expect(res.body).toEqual({ jobId: expect.stringMatching(JOB_ID), status: 'processing' });
    expect(res.headers.get('location')).toBe(`/external/v1/jobs/${res.body.jobId}`);

    const job = await partner(h.app, 'GET', res.headers.get('location')!.replace('/external/v1', ''), t.test);
    expect(job.status).toBe(200);
    expect(job.body).toMatchObject({ id: res.body.jobId, object: 'job', mode: 'test' });
    expect(await jobIds(t.test)).toEqual([res.body.jobId]);
  });

  it('a PDF is accepted too, and its type comes from its bytes', async () => {
    const t = await tenant();
    const bytes = corpusFile(PDF_SAMPLE);
    const res = await postInvoice(h.app, t.test, uploadForm({ bytes, filename: 'scan.bin', type: 'application/octet-stream' }));
    expect(res.status, res.text).toBe(202);
    const job = await waitForJob(h.app, t.test, res.body.jobId);
    expect(job.status).toBe('completed');
    const invoice = await partner(h.app, 'GET', `/invoices/${job.invoiceId}`, t.test);
    expect(invoice.body.file).toEqual({ filename: 'scan.bin', contentType: 'application/pdf', size: bytes.length, sha256: sha256(bytes) });
  });

  describe('over a real HTTP server', () => {
    let server: Awaited<ReturnType<typeof serveOnLoopback>>;
    beforeAll(async () => {
      server = await serveOnLoopback(h.app);
    });
    afterAll(async () => {
      await server?.close();
    });

    it('with fetch and FormData', async () => {
      const t = await tenant();
      const bytes = corpusFile(OTHER_XML_SAMPLE);
      const res = await uploadOverHttp(server.origin, t.test, uploadForm({ bytes, filename: OTHER_XML_SAMPLE, type: 'text/xml' }));
      expect(res.status, res.text).toBe(202);
      expect(res.body).toEqual({ jobId: expect.stringMatching(JOB_ID), status: 'processing' });
      expect(res.headers.get('location')).toBe(`/external/v1/jobs/${res.body.jobId}`);
      const job = await waitForJob(h.app, t.test, res.body.jobId);
      expect(job.status).toBe('completed');
      const invoice = await partner(h.app, 'GET', `/invoices/${job.invoiceId}`, t.test);
      expect(invoice.body.file).toEqual({ filename: OTHER_XML_SAMPLE, contentType: 'application/xml', size: bytes.length, sha256: sha256(bytes) });
    });

    it('with the curl binary (`curl -F file=@invoice.pdf`)', async () => {
      const t = await tenant();
      const res = await curlUpload(server.origin, t.test, corpusPath(PDF_SAMPLE));
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      expect(res.body).toEqual({ jobId: expect.stringMatching(JOB_ID), status: 'processing' });
      expect(res.headers.get('location')).toBe(`/external/v1/jobs/${res.body.jobId}`);
      const job = await waitForJob(h.app, t.test, res.body.jobId);
      expect(job.status).toBe('completed');
      const invoice = await partner(h.app, 'GET', `/invoices/${job.invoiceId}`, t.test);
      const bytes = corpusFile(PDF_SAMPLE);
      expect(invoice.body.file).toEqual({ filename: basename(PDF_SAMPLE), contentType: 'application/pdf', size: bytes.length, sha256: sha256(bytes) });
    });
  });
});

describe('a bad upload answers its own problem and writes nothing', () => {
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0')]);
  const text = Buffer.from('Invoice 2026-001\nTotal: 100.00 EUR\n');
  const cases: [string, () => FormData | string, Record<string, string>, number, string][] = [
    ['no file part', () => uploadForm(null, { 'metadata.orderRef': 'PO-1' }), {}, 400, 'upload.missing_file'],
    ['an empty file', () => uploadForm({ bytes: new Uint8Array(0), filename: 'invoice.xml' }), {}, 400, 'upload.empty_file'],
    ['a PNG', () => uploadForm({ bytes: png, filename: 'invoice.png', type: 'image/png' }), {}, 415, 'upload.unsupported_type'],
    ['a plain-text file', () => uploadForm({ bytes: text, filename: 'invoice.txt', type: 'text/plain' }), {}, 415, 'upload.unsupported_type'],
    ['a text file named invoice.pdf', () => uploadForm({ bytes: text, filename: 'invoice.pdf', type: 'application/pdf' }), {}, 415, 'upload.unsupported_type'],
    ['a JSON body', () => JSON.stringify({ file: 'aW52b2ljZQ==' }), { 'Content-Type': 'application/json' }, 415, 'request.unsupported_media_type'],
  ];

  it.each(cases)('%s', async (_name, body, headers, status, code) => {
    const t = await tenant();
    const res = await postInvoice(h.app, t.test, body(), headers);
    expectProblem(res, status, code);
    expect(await jobIds(t.test)).toEqual([]);
  });

  it('the type check also holds for live keys, and no credit is taken', async () => {
    const t = await tenant();
    const res = await postInvoice(h.app, t.live, uploadForm({ bytes: text, filename: 'invoice.pdf', type: 'application/pdf' }));
    expectProblem(res, 415, 'upload.unsupported_type');
    expect(await jobIds(t.live)).toEqual([]);
    expect((await partner(h.app, 'GET', '/me/credits', t.live)).body.credits).toBe(t.team.credits);
  });

  describe('a file over UPLOAD_MAX_BYTES', () => {
    let dataDir: string;
    let small: Harness;
    let server: Awaited<ReturnType<typeof serveOnLoopback>>;
    const tmpDir = () => join(dataDir, 'files', 'tmp');
    const stagedFiles = () => (existsSync(tmpDir()) ? readdirSync(tmpDir()) : []);
    /** The staging area exists (the file part was streamed to it) and is empty, and stays so a moment later. */
    const stagingCleared = async () => {
      const cleared = await eventually(() => existsSync(tmpDir()) && stagedFiles().length === 0, 10_000);
      await new Promise((r) => setTimeout(r, 300));
      return cleared && stagedFiles().length === 0;
    };
    const stored = (bytes: Uint8Array) => small.files.exists(sha256(bytes));

    beforeAll(async () => {
      // A file store of its own, so other test files' uploads never show up in its staging area.
      dataDir = mkdtempSync(join(tmpdir(), 'parseo-upload-limit-'));
      small = buildApp(h.database, { UPLOAD_MAX_BYTES: '1024', DATA_DIR: dataDir });
      server = await serveOnLoopback(small.app);
    });
    afterAll(async () => {
      await server?.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('is 413 upload.too_large, with no job and nothing left in the store', async () => {
      const t = await tenant();
      const bytes = uniqueCopy(XML_SAMPLE).subarray(0, 5000);
      const res = await postInvoice(small.app, t.test, uploadForm({ bytes, filename: 'big.xml' }));
      expectProblem(res, 413, 'upload.too_large');
      expect(res.body.param).toBe('file');
      expect(await jobIds(t.test)).toEqual([]);
      expect(await stagingCleared(), `staged files left: ${stagedFiles().join(', ')}`).toBe(true);
      expect(await stored(bytes)).toBe(false);
    });

    it('is 413 over real HTTP too, when the body arrives in many chunks', async () => {
      const t = await tenant();
      const bytes = uniqueCopy('akretion-facturx-factur-x-extended.xml').subarray(0, 60_000);
      const res = await uploadOverHttp(server.origin, t.test, uploadForm({ bytes, filename: 'big.xml' }));
      expectProblem(res, 413, 'upload.too_large');
      expect(await jobIds(t.test)).toEqual([]);
      expect(await stagingCleared(), `staged files left: ${stagedFiles().join(', ')}`).toBe(true);
      expect(await stored(bytes)).toBe(false);
    });

    it('a file of exactly the limit is accepted, one byte more is not', async () => {
      const t = await tenant();
      const bytes = uniqueCopy(XML_SAMPLE).subarray(0, 1025);
      const over = await postInvoice(small.app, t.test, uploadForm({ bytes, filename: 'edge.xml' }));
      expectProblem(over, 413, 'upload.too_large');
      const exact = await postInvoice(small.app, t.test, uploadForm({ bytes: bytes.subarray(0, 1024), filename: 'edge.xml' }));
      expect(exact.status, exact.text).toBe(202);
      expect(await jobIds(t.test)).toEqual([exact.body.jobId]);
      expect(await small.files.exists(sha256(bytes.subarray(0, 1024)))).toBe(true);
      expect(await stagingCleared(), `staged files left: ${stagedFiles().join(', ')}`).toBe(true);
    });
  });
});

describe('fields beside the file', () => {
  const xml = () => corpusFile(XML_SAMPLE);

  it('an unknown field is 400 naming it', async () => {
    const t = await tenant();
    const res = await uploadBytes(h.app, t.test, xml(), { fields: { colour: 'blue' } });
    expectProblem(res, 400, 'validation.invalid_request');
    expect(res.body.param).toBe('colour');
    expect(res.body.errors).toEqual([expect.objectContaining({ param: 'colour', code: 'unknown_field' })]);
    expect(res.body.detail).toContain('colour');
    expect(await jobIds(t.test)).toEqual([]);
  });

  it.each([
    ['as a JSON object', { hints: '{"testScenario":"failed"}' }],
    ['as a dotted field', { 'hints.testScenario': 'failed' }],
    ['as a bracketed field', { 'hints[testScenario]': 'failed' }],
  ])('hints %s select the scenario', async (_name, fields) => {
    const t = await tenant();
    const res = await uploadBytes(h.app, t.test, xml(), { fields });
    expect(res.status, res.text).toBe(202);
    const job = await waitForJob(h.app, t.test, res.body.jobId);
    expect(job.status).toBe('failed');
    expect(job.error?.code).toBe('test.scenario_failed');
  });

  it('an unknown scenario is 400 listing the valid ones', async () => {
    const t = await tenant();
    const res = await uploadBytes(h.app, t.test, xml(), { fields: { 'hints.testScenario': 'explode' } });
    expectProblem(res, 400, 'validation.invalid_request');
    expect(res.body.param).toBe('hints.testScenario');
    const message = res.body.errors.find((e: { param: string }) => e.param === 'hints.testScenario').message as string;
    expect(TEST_SCENARIOS).toEqual(['completed', 'failed', 'credit_note', 'slow']);
    for (const scenario of TEST_SCENARIOS) expect(message).toContain(scenario);
    expect(await jobIds(t.test)).toEqual([]);
  });

  it('an unknown hint and a hints value that is not a JSON object are 400', async () => {
    const t = await tenant();
    const unknown = await uploadBytes(h.app, t.test, xml(), { fields: { hints: '{"language":"de"}' } });
    expectProblem(unknown, 400, 'validation.invalid_request');
    expect(unknown.body.param).toBe('hints.language');
    const notObject = await uploadBytes(h.app, t.test, xml(), { fields: { hints: '["failed"]' } });
    expectProblem(notObject, 400, 'validation.invalid_request');
    expect(notObject.body.param).toBe('hints');
    expect(await jobIds(t.test)).toEqual([]);
  });

  it('testScenario with a live key is 400 on hints.testScenario, with no job and no credit taken', async () => {
    const t = await tenant();
    const cases: Record<string, string>[] = [{ 'hints.testScenario': 'completed' }, { hints: '{"testScenario":"failed"}' }];
    for (const fields of cases) {
      const res = await uploadBytes(h.app, t.live, xml(), { fields });
      expectProblem(res, 400, 'validation.invalid_request');
      expect(res.body.param).toBe('hints.testScenario');
    }
    expect(await jobIds(t.live)).toEqual([]);
    expect((await partner(h.app, 'GET', '/me/credits', t.live)).body.credits).toBe(t.team.credits);
  });

  it.each([
    ['as a JSON object', { metadata: '{"orderRef":"PO-1","costCentre":"CC-7"}' }],
    ['as dotted fields', { 'metadata.orderRef': 'PO-1', 'metadata.costCentre': 'CC-7' }],
  ])('metadata %s lands on the invoice', async (_name, fields) => {
    const t = await tenant();
    const res = await uploadBytes(h.app, t.test, xml(), { fields });
    expect(res.status, res.text).toBe(202);
    const job = await waitForJob(h.app, t.test, res.body.jobId);
    expect(job.status).toBe('completed');
    const invoice = await partner(h.app, 'GET', `/invoices/${job.invoiceId}`, t.test);
    expect(invoice.body.metadata).toEqual({ orderRef: 'PO-1', costCentre: 'CC-7' });
  });

  it('metadata that is not a map of strings is 400', async () => {
    const t = await tenant();
    const res = await uploadBytes(h.app, t.test, xml(), { fields: { metadata: '{"amount":12}' } });
    expectProblem(res, 400, 'validation.invalid_request');
    expect(res.body.param).toBe('metadata.amount');
    expect(await jobIds(t.test)).toEqual([]);
  });
});

describe('the client an upload is for', () => {
  const xml = () => corpusFile(XML_SAMPLE);

  it.each([
    ['the X-Client-Id header', (client: string) => ({ headers: { 'X-Client-Id': client } })],
    ['the clientId field', (client: string) => ({ fields: { clientId: client } })],
    ['both, naming the same client', (client: string) => ({ headers: { 'X-Client-Id': client }, fields: { clientId: client } })],
  ])('%s of the same mode links the job and the invoice to it', async (_name, options) => {
    const t = await tenant();
    const client = await createClient(t.test);
    const res = await uploadBytes(h.app, t.test, xml(), options(client));
    expect(res.status, res.text).toBe(202);
    const job = await waitForJob(h.app, t.test, res.body.jobId);
    expect(job).toMatchObject({ status: 'completed', clientId: client });
    const invoice = await partner(h.app, 'GET', `/invoices/${job.invoiceId}`, t.test);
    expect(invoice.body.clientId).toBe(client);
    const filtered = await partner(h.app, 'GET', '/jobs', t.test, { query: { clientId: client } });
    expect(filtered.body.data.map((j: { id: string }) => j.id)).toEqual([job.id]);
  });

  it.each([
    ['X-Client-Id', (client: string) => ({ headers: { 'X-Client-Id': client } })],
    ['clientId', (client: string) => ({ fields: { clientId: client } })],
  ])('%s of the other mode is 400 client_mode_mismatch naming it, and nothing is written', async (param, options) => {
    const t = await tenant();
    const liveClient = await createClient(t.live);
    const testClient = await createClient(t.test);
    const fromTest = await uploadBytes(h.app, t.test, xml(), options(liveClient));
    expectProblem(fromTest, 400, 'validation.client_mode_mismatch');
    expect(fromTest.body.param).toBe(param);
    expect(fromTest.body.detail).toContain('live');

    const fromLive = await uploadBytes(h.app, t.live, xml(), options(testClient));
    expectProblem(fromLive, 400, 'validation.client_mode_mismatch');
    expect(fromLive.body.param).toBe(param);
    expect(await jobIds(t.test)).toEqual([]);
    expect(await jobIds(t.live)).toEqual([]);
    expect((await partner(h.app, 'GET', '/me/credits', t.live)).body.credits).toBe(t.team.credits);
  });

  it('a header and a field naming different clients is 400', async () => {
    const t = await tenant();
    const [a, b] = [await createClient(t.test, 'A'), await createClient(t.test, 'B')];
    const res = await uploadBytes(h.app, t.test, xml(), { headers: { 'X-Client-Id': a }, fields: { clientId: b } });
    expectProblem(res, 400, 'validation.invalid_request');
    expect(res.body.param).toBe('X-Client-Id');
    expect(await jobIds(t.test)).toEqual([]);
  });

  it.each(['X-Client-Id', 'clientId'])('%s naming another team’s client is 400 reference_not_found', async (param) => {
    const [t, other] = [await tenant(), await tenant()];
    const foreign = await createClient(other.test);
    const options = param === 'clientId' ? { fields: { clientId: foreign } } : { headers: { 'X-Client-Id': foreign } };
    const res = await uploadBytes(h.app, t.test, xml(), options);
    expectProblem(res, 400, 'validation.reference_not_found');
    expect(res.body.param).toBe(param);
    // The same answer as for a client that exists nowhere.
    const nowhere = await uploadBytes(h.app, t.test, xml(), param === 'clientId' ? { fields: { clientId: `cl_test_${'x'.repeat(24)}` } } : { headers: { 'X-Client-Id': `cl_test_${'x'.repeat(24)}` } });
    expectProblem(nowhere, 400, 'validation.reference_not_found');
    expect(await jobIds(t.test)).toEqual([]);
    expect(await jobIds(other.test)).toEqual([]);
  });

  it('a refused upload leaves no stored file behind (SPEC §4: nothing is written)', async () => {
    const t = await tenant();
    const liveClient = await createClient(t.live);
    const bytes = uniqueCopy(XML_SAMPLE);
    const res = await uploadBytes(h.app, t.test, bytes, { headers: { 'X-Client-Id': liveClient } });
    expectProblem(res, 400, 'validation.client_mode_mismatch');
    expect(await h.files.exists(sha256(bytes))).toBe(false);
  });
});

describe('Idempotency-Key on uploads', () => {
  it('the same file twice with one key gives the same job, replayed, and one job only', async () => {
    const t = await tenant();
    const headers = { 'Idempotency-Key': `upload-${randomUUID()}` };
    const first = await uploadBytes(h.app, t.test, corpusFile(XML_SAMPLE), { headers, fields: { 'metadata.orderRef': 'PO-9' } });
    expect(first.status, first.text).toBe(202);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    // Another FormData: another multipart boundary, the same file and fields.
    const second = await uploadBytes(h.app, t.test, corpusFile(XML_SAMPLE), { headers, fields: { 'metadata.orderRef': 'PO-9' } });
    expect(second.status, second.text).toBe(202);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.headers.get('location')).toBe(`/external/v1/jobs/${first.body.jobId}`);
    expect(await jobIds(t.test)).toEqual([first.body.jobId]);
  });

  it('a different file with the same key is 422 idempotency.key_reused', async () => {
    const t = await tenant();
    const headers = { 'Idempotency-Key': `upload-${randomUUID()}` };
    const first = await uploadBytes(h.app, t.test, corpusFile(XML_SAMPLE), { headers });
    expect(first.status, first.text).toBe(202);
    const other = await uploadBytes(h.app, t.test, corpusFile(OTHER_XML_SAMPLE), { headers });
    expectProblem(other, 422, 'idempotency.key_reused');
    expect(other.body.param).toBe('Idempotency-Key');
    const otherFields = await uploadBytes(h.app, t.test, corpusFile(XML_SAMPLE), { headers, fields: { 'hints.testScenario': 'failed' } });
    expectProblem(otherFields, 422, 'idempotency.key_reused');
    expect(await jobIds(t.test)).toEqual([first.body.jobId]);
  });

  it('the same key in the other mode is another key', async () => {
    const t = await tenant();
    const headers = { 'Idempotency-Key': `upload-${randomUUID()}` };
    const test = await uploadBytes(h.app, t.test, corpusFile(XML_SAMPLE), { headers });
    const live = await uploadBytes(h.app, t.live, corpusFile(XML_SAMPLE), { headers });
    expect(test.status).toBe(202);
    expect(live.status, live.text).toBe(202);
    expect(live.headers.get('idempotent-replayed')).toBeNull();
    expect(live.body.jobId).toMatch(/^job_live_/);
  });

  it('20 concurrent uploads with one key create exactly one job', async () => {
    const t = await tenant();
    const headers = { 'Idempotency-Key': `upload-${randomUUID()}` };
    const bytes = corpusFile(XML_SAMPLE);
    const answers = await Promise.all(Array.from({ length: 20 }, () => uploadBytes(h.app, t.test, bytes, { headers })));
    const accepted = answers.filter((r) => r.status === 202);
    for (const r of answers) {
      if (r.status !== 202) expectProblem(r, 409, 'idempotency.in_progress');
    }
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(new Set(accepted.map((r) => r.body.jobId)).size).toBe(1);
    expect(await jobIds(t.test)).toEqual([accepted[0]!.body.jobId]);
    // Once the first has answered, a retry replays it.
    const retry = await uploadBytes(h.app, t.test, bytes, { headers });
    expect(retry.status).toBe(202);
    expect(retry.body.jobId).toBe(accepted[0]!.body.jobId);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
  });
});

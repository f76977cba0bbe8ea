import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createParseoClient, ParseoError, unwrap, waitForJob, type ParseoClient, type ProblemCode, type Schemas } from '../clients/typescript/index.ts';
import { ADMIN_TOKEN } from './support/harness.ts';
import { isolatedDatabase } from './support/isolated.ts';
import { eventually, startReceiver } from './support/receiver.ts';
import { jsonLines, killAllServers, request, startServer, stopServer, type ServerProcess } from './support/server-process.ts';
import { uniqueCopy, XML_SAMPLE } from './support/uploads.ts';

/**
 * The whole partner flow against a spawned server, through the typed client only: what an
 * integrator's code does, and a check that the generated types match what the server answers.
 */

type Event = Schemas['Event'];

/** The canned test invoices as the README documents them, by invoice number. */
const DOCUMENTED_FIXTURES: Record<string, { documentType: 'invoice' | 'credit_note'; currency: string; totals: Schemas['Invoice']['totals']; dueDate: string | null }> = {
  'TEST-INV-0001': { documentType: 'invoice', currency: 'EUR', totals: { net: '1200.00', tax: '228.00', gross: '1428.00', due: '1428.00' }, dueDate: null },
  'TEST-INV-0002': { documentType: 'invoice', currency: 'EUR', totals: { net: '800.00', tax: '128.00', gross: '928.00', due: '928.00' }, dueDate: '2026-02-19' },
  'TEST-CN-0003': { documentType: 'credit_note', currency: 'EUR', totals: { net: '250.00', tax: '47.50', gross: '297.50', due: '297.50' }, dueDate: null },
  'TEST-INV-0004': { documentType: 'invoice', currency: 'CHF', totals: { net: '900.00', tax: '72.90', gross: '972.90', due: '972.90' }, dueDate: '2026-03-12' },
  'TEST-INV-0005': { documentType: 'invoice', currency: 'EUR', totals: { net: '610.00', tax: '115.90', gross: '725.90', due: '725.90' }, dueDate: '2026-03-31' },
};

let dataDir: string;
let server: ServerProcess;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let dropDatabase: (() => Promise<void>) | undefined;
let testKey: string;
let liveKey: string;
let client: ParseoClient;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'parseo-client-e2e-'));
  receiver = await startReceiver();
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    ADMIN_TOKEN,
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    WEBHOOK_RETRY_SCHEDULE: '0.5,1,2',
    WEBHOOK_TIMEOUT_MS: '2000',
  };
  // On PostgreSQL the server gets a database of its own (its workers serve nobody else's jobs);
  // otherwise its embedded one under DATA_DIR.
  if (inject('databaseUrl')) {
    const iso = await isolatedDatabase();
    env.DATABASE_URL = iso.url!;
    dropDatabase = iso.drop;
  }
  server = await startServer(env);
  const listening = jsonLines(server.stdout()).map((l) => JSON.parse(l) as { msg?: string; database?: string }).find((l) => l.msg === 'listening');
  expect(listening?.database).toBe(env.DATABASE_URL ? 'postgres' : 'pglite');

  // The operator's side (plain HTTP): a team with a test and a live key.
  const team = await request(server.origin, 'POST', '/admin/v1/teams', { token: ADMIN_TOKEN, body: { name: 'Typed client e2e', plan: 'pro' } });
  expect(team.status, team.text).toBe(201);
  const key = async (mode: 'live' | 'test') => {
    const res = await request(server.origin, 'POST', `/admin/v1/teams/${team.body.id}/api-keys`, { token: ADMIN_TOKEN, body: { name: `e2e ${mode}`, mode } });
    expect(res.status, res.text).toBe(201);
    return res.body.secret as string;
  };
  testKey = await key('test');
  liveKey = await key('live');
  client = createParseoClient({ baseUrl: server.origin, apiKey: testKey });
}, 90_000);

afterAll(async () => {
  if (server) await stopServer(server).catch(() => undefined);
  killAllServers();
  await receiver?.close();
  await dropDatabase?.();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the typed TypeScript client against a running server', { timeout: 60_000 }, () => {
  it('runs the whole test-mode flow: client, webhook, upload, job, invoice, signed webhook, events', async () => {
    expect(client.mode).toBe('test');
    const me = await client.GET('/external/v1/me');
    expect(me.error).toBeUndefined();
    expect(me.data).toMatchObject({ object: 'api_key_identity', mode: 'test', keyPrefix: testKey.slice(0, 16) });
    expect(me.response.headers.get('parseo-mode')).toBe('test');

    const created = await client.POST('/external/v1/clients', {
      body: { name: 'Müller Bau GmbH', country: 'DE', vatId: 'DE123456789', metadata: { suite: 'client-e2e' } },
      headers: { 'Idempotency-Key': `client-e2e-${Date.now()}` },
    });
    expect(created.response.status).toBe(201);
    const customer = created.data!;
    expect(customer.id).toMatch(/^cl_test_[0-9A-Za-z]{24}$/);
    expect(customer.metadata).toEqual({ suite: 'client-e2e' });

    const endpoint = await unwrap(client.POST('/external/v1/webhooks', { body: { url: receiver.url, events: ['*'], description: 'client e2e' } }));
    expect(endpoint.secret).toMatch(/^whsec_/);

    const bytes = uniqueCopy(XML_SAMPLE);
    const upload = await client.POST('/external/v1/invoices', {
      body: { file: new File([bytes], 'invoice.xml', { type: 'application/xml' }), clientId: customer.id, metadata: JSON.stringify({ erpId: '4711' }) },
    });
    expect(upload.error).toBeUndefined();
    expect(upload.response.status).toBe(202);
    const jobId = upload.data!.jobId;
    expect(upload.data!.status).toBe('processing');
    expect(upload.response.headers.get('location')).toBe(`/external/v1/jobs/${jobId}`);

    // One long poll by hand (typed query), then the helper until the job is done.
    const polled = await unwrap(client.GET('/external/v1/jobs/{id}', { params: { path: { id: jobId }, query: { waitSeconds: 10 } } }));
    expect(polled.id).toBe(jobId);
    const job = polled.status === 'processing' ? await waitForJob(client, jobId, { timeoutMs: 30_000 }) : polled;
    expect(job).toMatchObject({ object: 'job', mode: 'test', status: 'completed', clientId: customer.id, error: null });
    const invoiceId = job.invoiceId!;
    expect(invoiceId).toMatch(/^inv_test_/);

    const invoice = await unwrap(client.GET('/external/v1/invoices/{id}', { params: { path: { id: invoiceId } } }));
    expect(invoice).toMatchObject({ id: invoiceId, object: 'invoice', mode: 'test', jobId, clientId: customer.id, metadata: { erpId: '4711' } });
    const documented = DOCUMENTED_FIXTURES[invoice.invoiceNumber ?? ''];
    expect(documented, `invoice number ${invoice.invoiceNumber} is one of the documented fixtures`).toBeDefined();
    expect(invoice).toMatchObject(documented!);
    expect(invoice.file).toMatchObject({ filename: 'invoice.xml', size: bytes.length });

    const file = await client.GET('/external/v1/invoices/{id}/file', { params: { path: { id: invoiceId } }, parseAs: 'arrayBuffer' });
    expect(file.response.status).toBe(200);
    expect(file.response.headers.get('content-type')).toMatch(/xml/);
    expect(Buffer.from(file.data!).equals(bytes)).toBe(true);

    // The signed webhooks of this job arrive and verify with the public library.
    const arrived = (type: string) => receiver.received.find((r) => {
      const event: Event = JSON.parse(r.body);
      return event.type === type && event.data.object.id === (type === 'job.completed' ? jobId : invoiceId);
    });
    expect(await eventually(() => Boolean(arrived('job.completed') && arrived('invoice.created')), 20_000)).toBe(true);
    const webhook = new Webhook(endpoint.secret);
    const deliveredIds: string[] = [];
    for (const type of ['job.completed', 'invoice.created']) {
      const received = arrived(type)!;
      const headers = Object.fromEntries(Object.entries(received.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
      const verified = webhook.verify(received.body, headers) as Event;
      expect(verified).toMatchObject({ object: 'event', mode: 'test', type });
      expect(headers['webhook-id']).toBe(verified.id);
      deliveredIds.push(verified.id);
      expect(() => new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(received.body, headers)).toThrow();
    }

    // The same events, read back through the API.
    const events = await unwrap(client.GET('/external/v1/events', { params: { query: { limit: 100 } } }));
    expect(events.object).toBe('list');
    const listed = new Map(events.data.map((e) => [e.id, e]));
    for (const id of deliveredIds) expect(listed.get(id)?.mode).toBe('test');
    expect(events.data.some((e) => e.type === 'client.created' && e.data.object.id === customer.id)).toBe(true);
    const completed = await unwrap(client.GET('/external/v1/events', { params: { query: { type: 'job.completed' } } }));
    expect(completed.data.map((e) => e.type)).toEqual(['job.completed']);
  });

  it('surfaces a 404 as a typed problem+json body, and as a ParseoError through unwrap', async () => {
    const otherMode = `cl_live_${'A'.repeat(24)}`;
    const res = await client.GET('/external/v1/clients/{id}', { params: { path: { id: otherMode } } });
    expect(res.data).toBeUndefined();
    expect(res.response.status).toBe(404);
    expect(res.response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    // `error` is the Problem schema: its code is a closed union of the registry's codes.
    const code: ProblemCode | undefined = res.error?.code;
    expect(code).toBe('resource.not_found');
    expect(res.error).toMatchObject({ status: 404, title: expect.any(String), requestId: expect.stringMatching(/^req_/) });
    expect(res.error?.detail).toMatch(/live/);
    // @ts-expect-error: not a code in the registry, so the compiler refuses the comparison's type
    const notACode: ProblemCode = 'resource.nope';
    expect(notACode).toBe('resource.nope');

    const live = createParseoClient({ baseUrl: server.origin, apiKey: liveKey });
    expect(live.mode).toBe('live');
    const thrown = await unwrap(live.GET('/external/v1/invoices/{id}', { params: { path: { id: `inv_test_${'B'.repeat(24)}` } } })).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(ParseoError);
    const error = thrown as ParseoError;
    expect(error.status).toBe(404);
    expect(error.code).toBe('resource.not_found');
    expect(error.requestId).toMatch(/^req_/);
    expect(error.problem?.detail).toMatch(/test/);
  });

  it('refuses a value that is not a Parseo key before any request', () => {
    expect(() => createParseoClient({ baseUrl: server.origin, apiKey: 'sk_test_123' })).toThrow(/not a Parseo key/);
  });
});

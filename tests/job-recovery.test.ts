import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureInvoices } from '../src/pipeline/fixtures.ts';
import type { Extractor, StoredFile } from '../src/pipeline/extractor.ts';
import { ADMIN_TOKEN, buildApp, createTenant, partner, type Harness } from './support/harness.ts';
import { isolatedDatabase } from './support/isolated.ts';
import { eventually, startReceiver } from './support/receiver.ts';
import { killAllServers, killServer, request, startServer, stopServer } from './support/server-process.ts';
import { rawRows } from './support/sql.ts';
import { uniqueCopy, uploadBytes, uploadForm, waitForJob, XML_SAMPLE } from './support/uploads.ts';

/** A live extractor for the machinery's sake: it reads nothing and answers a canned invoice. */
const cannedExtractor = (calls: StoredFile[]): Extractor => async (file) => {
  calls.push(file);
  return fixtureInvoices.plain;
};

async function invoiceCountsByJob(h: Harness, teamId: string): Promise<Map<string, number>> {
  const rows = await rawRows<{ job_id: string; n: number }>(h.database.db, sql`select job_id, count(*)::int as n from invoices where team_id = ${teamId} group by job_id`);
  return new Map(rows.map((r) => [r.job_id, r.n]));
}

describe('workers sharing one database', () => {
  let iso: Awaited<ReturnType<typeof isolatedDatabase>>;
  let h: Harness;
  let dataDir: string;

  beforeAll(async () => {
    iso = await isolatedDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'parseo-recovery-'));
    h = buildApp(iso.database, { DATA_DIR: dataDir });
  });
  afterAll(async () => {
    await iso.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a worker that dies mid-job loses its lease; another completes the job once, and the late finish changes nothing', async () => {
    const t = await createTenant(h.app, { plan: 'enterprise', credits: 5 });
    let releaseStuck: () => void = () => {};
    const stuckCalls: StoredFile[] = [];
    // The first worker's extraction never returns on its own: as good as a crashed process.
    const stuck = await h.startWorker({
      leaseMs: 400,
      extractor: async (file) => {
        stuckCalls.push(file);
        await new Promise<void>((resolve) => (releaseStuck = resolve));
        return { ...fixtureInvoices.plain, invoiceNumber: 'FROM-THE-DEAD-WORKER' };
      },
    });
    const res = await uploadBytes(h.app, t.live, uniqueCopy(XML_SAMPLE));
    expect(res.status, res.text).toBe(202);
    expect(await eventually(() => stuckCalls.length === 1, 5000)).toBe(true);

    const rescuerCalls: StoredFile[] = [];
    const rescuer = await h.startWorker({ extractor: cannedExtractor(rescuerCalls), idlePollMs: 100 });
    const job = await waitForJob(h.app, t.live, res.body.jobId);
    expect(job.status).toBe('completed');
    expect(rescuerCalls).toHaveLength(1);

    // The first worker wakes up and tries to finish: its lease is gone, so nothing is written.
    releaseStuck();
    await stuck.stop();
    await rescuer.stop();
    expect(await invoiceCountsByJob(h, t.team.id)).toEqual(new Map([[job.id, 1]]));
    const invoice = await partner(h.app, 'GET', `/invoices/${job.invoiceId}`, t.live);
    expect(invoice.body.invoiceNumber).toBe(fixtureInvoices.plain.invoiceNumber);
    // One credit, charged once.
    expect((await partner(h.app, 'GET', '/me/credits', t.live)).body.credits).toBe(4);
    const events = await rawRows<{ type: string }>(h.database.db, sql`select type from events where team_id = ${t.team.id} and type like 'job.%'`);
    expect(events.map((e) => e.type)).toEqual(['job.completed']);
  });

  it('three workers over 30 jobs: every job runs once and yields exactly one invoice', async () => {
    const t = await createTenant(h.app, { plan: 'enterprise', credits: 100 });
    const calls: StoredFile[] = [];
    const workers = await Promise.all([1, 2, 3].map(() => h.startWorker({ extractor: cannedExtractor(calls), idlePollMs: 50 })));
    const uploads = await Promise.all(Array.from({ length: 30 }, () => uploadBytes(h.app, t.live, uniqueCopy(XML_SAMPLE))));
    for (const res of uploads) expect(res.status, res.text).toBe(202);
    const jobs = await Promise.all(uploads.map((res) => waitForJob(h.app, t.live, res.body.jobId)));
    await Promise.all(workers.map((w) => w.stop()));

    expect(jobs.every((j) => j.status === 'completed')).toBe(true);
    expect(calls).toHaveLength(30);
    expect(new Set(calls.map((c) => c.sha256)).size).toBe(30);
    const counts = await invoiceCountsByJob(h, t.team.id);
    expect(counts.size).toBe(30);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect((await partner(h.app, 'GET', '/me/credits', t.live)).body.credits).toBe(70);
  });
});

describe('the server process killed with SIGKILL', { timeout: 240_000 }, () => {
  let iso: Awaited<ReturnType<typeof isolatedDatabase>> | undefined;
  let dataDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'parseo-crash-'));
    env = { DATA_DIR: dataDir, ADMIN_TOKEN, WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_TIMEOUT_MS: '1000', WEBHOOK_RETRY_SCHEDULE: '0.2,0.4,1,1' };
    // On PostgreSQL the server gets a database of its own; otherwise its embedded one under DATA_DIR.
    iso = await isolatedDatabase();
    if (iso.url) env.DATABASE_URL = iso.url;
    else await iso.drop();
  });
  afterAll(async () => {
    killAllServers();
    if (iso?.url) await iso.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('every upload that got a 202 completes exactly once, and every event is delivered, after a kill mid-flight', async () => {
    // A receiver slow to answer: deliveries are on the wire when the process dies.
    const receiver = await startReceiver(() => 200, { delayMs: 400 });
    let server = await startServer(env);
    const team = await request(server.origin, 'POST', '/admin/v1/teams', { token: ADMIN_TOKEN, body: { name: 'Crash test', plan: 'enterprise' } });
    expect(team.status, team.text).toBe(201);
    const key = await request(server.origin, 'POST', `/admin/v1/teams/${team.body.id}/api-keys`, { token: ADMIN_TOKEN, body: { name: 'ci', mode: 'test' } });
    const secret = key.body.secret as string;
    const endpoint = await request(server.origin, 'POST', '/external/v1/webhooks', { token: secret, body: { url: receiver.url, events: ['*'] } });
    expect(endpoint.status, endpoint.text).toBe(201);

    // `slow` jobs wait seconds before they run: the kill lands while all of them are queued.
    const upload = (scenario: string) =>
      request(server.origin, 'POST', '/external/v1/invoices', { token: secret, body: uploadForm({ bytes: uniqueCopy(XML_SAMPLE), filename: 'a.xml' }, { 'hints.testScenario': scenario }) });
    const accepted: string[] = [];
    for (const scenario of ['slow', 'completed', 'slow', 'failed', 'completed', 'slow']) {
      const res = await upload(scenario);
      expect(res.status, res.text).toBe(202);
      accepted.push(res.body.jobId);
    }
    // The quick jobs' events are being delivered (slowly) when the kill lands.
    expect(await eventually(() => receiver.received.length > 0, 5000)).toBe(true);
    await killServer(server);

    server = await startServer(env);
    const jobs = [];
    for (const id of accepted) {
      let job;
      // A job the dead process had claimed comes back when its 60 s lease runs out.
      const deadline = Date.now() + 90_000;
      do {
        job = await request(server.origin, 'GET', `/external/v1/jobs/${id}?waitSeconds=5`, { token: secret });
        expect(job.status, job.text).toBe(200);
      } while (job.body.status === 'processing' && Date.now() < deadline);
      jobs.push(job.body);
    }
    expect(jobs.map((j) => j.status)).toEqual(['completed', 'completed', 'completed', 'failed', 'completed', 'completed']);
    const invoices = await request(server.origin, 'GET', '/external/v1/invoices?limit=100', { token: secret });
    const byJob = (invoices.body.data as { jobId: string }[]).map((i) => i.jobId).sort();
    expect(byJob).toEqual(accepted.filter((_, i) => i !== 3).sort());

    // Every event reaches the receiver at least once, under its own stable webhook-id.
    const events = await request(server.origin, 'GET', '/external/v1/events?limit=100', { token: secret });
    const eventIds = new Set((events.body.data as { id: string }[]).map((e) => e.id));
    expect(eventIds.size).toBe(11); // ping-free: 5 × (invoice.created + job.completed) + 1 × job.failed
    const delivered = () => new Set(receiver.received.map((r) => String(r.headers['webhook-id'])));
    expect(await eventually(() => [...eventIds].every((id) => delivered().has(id)), 30_000)).toBe(true);
    for (const id of delivered()) expect(eventIds.has(id)).toBe(true);
    expect(await stopServer(server)).toBe(0);
    await receiver.close();
  });
});

describe('a standalone worker (`npm run worker`)', { timeout: 90_000 }, () => {
  it('refuses to open the embedded database, which belongs to the API process', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parseo-worker-'));
    try {
      await expect(startServer({ DATA_DIR: dataDir }, { script: 'src/worker.ts', readyMessage: 'workers started' })).rejects.toThrow(/needs DATABASE_URL/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('runs the jobs of an API started with WORKER=off, woken at once through NOTIFY', async (context) => {
    const iso = await isolatedDatabase();
    if (!iso.url) {
      await iso.drop();
      context.skip('needs PostgreSQL: two processes cannot share the embedded database');
    }
    const dataDir = mkdtempSync(join(tmpdir(), 'parseo-worker-'));
    const env = { DATA_DIR: dataDir, ADMIN_TOKEN, DATABASE_URL: iso.url! };
    try {
      const api = await startServer({ ...env, WORKER: 'off' });
      const team = await request(api.origin, 'POST', '/admin/v1/teams', { token: ADMIN_TOKEN, body: { name: 'Worker test', plan: 'enterprise' } });
      const key = await request(api.origin, 'POST', `/admin/v1/teams/${team.body.id}/api-keys`, { token: ADMIN_TOKEN, body: { name: 'ci', mode: 'test' } });
      const secret = key.body.secret as string;
      const upload = () => request(api.origin, 'POST', '/external/v1/invoices', { token: secret, body: uploadForm({ bytes: uniqueCopy(XML_SAMPLE), filename: 'a.xml' }) });

      // No worker yet: the job waits.
      const queued = await upload();
      expect(queued.status, queued.text).toBe(202);
      const waiting = await request(api.origin, 'GET', `/external/v1/jobs/${queued.body.jobId}?waitSeconds=1`, { token: secret });
      expect(waiting.body.status).toBe('processing');

      const worker = await startServer(env, { script: 'src/worker.ts', readyMessage: 'workers started' });
      const done = await request(api.origin, 'GET', `/external/v1/jobs/${queued.body.jobId}?waitSeconds=10`, { token: secret });
      expect(done.body.status).toBe('completed');

      // A new upload is picked up through NOTIFY, well before the worker's idle poll.
      const next = await upload();
      const started = Date.now();
      const finished = await request(api.origin, 'GET', `/external/v1/jobs/${next.body.jobId}?waitSeconds=10`, { token: secret });
      expect(finished.body.status).toBe('completed');
      expect(Date.now() - started).toBeLessThan(900);
      expect(await stopServer(worker)).toBe(0);
      expect(await stopServer(api)).toBe(0);
    } finally {
      killAllServers();
      await iso.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

import { beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp, call, createTenant, harness, partner, type Harness } from './support/harness.ts';
import { isolatedDatabase } from './support/isolated.ts';
import { eventually, startReceiver } from './support/receiver.ts';
import { uniqueCopy, uploadAndWait, XML_SAMPLE } from './support/uploads.ts';

let h: Harness;

beforeAll(async () => {
  h = await harness();
});

/** The value of one sample line, e.g. metric('parseo_http_requests_total', { route: '…' }). */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.lastIndexOf('}'));
    const has = Object.entries(labels).every(([k, v]) => body.includes(`${k}="${v}"`));
    if (has) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

const scrape = async (app = h.app, token?: string) => {
  const res = await call<string>(app, 'GET', '/metrics', { key: token });
  expect(res.status, res.text).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text;
};

/** An app whose workers are the only ones on its database: the shared harness's on PGlite, a fresh database's on PostgreSQL. */
async function ownInstance(): Promise<{ app: Harness['app']; close: () => Promise<void> }> {
  if (!inject('databaseUrl')) return { app: h.app, close: async () => {} };
  const iso = await isolatedDatabase();
  const own = buildApp(iso.database);
  const workers = [await own.startWorker(), await own.startDeliveryWorker()];
  return {
    app: own.app,
    close: async () => {
      for (const worker of workers) await worker.stop();
      await iso.drop();
    },
  };
}

describe('GET /metrics', () => {
  it('counts requests by route pattern, status and mode, with latency histograms, and never an ID', async () => {
    const t = await createTenant(h.app);
    const client = await partner(h.app, 'POST', '/clients', t.test, { body: { name: 'Metered' } });
    for (let i = 0; i < 3; i++) await partner(h.app, 'GET', `/clients/${client.body.id}`, t.test);
    await partner(h.app, 'GET', `/clients/${client.body.id}`, t.live);
    const text = await scrape();
    const route = '/external/v1/clients/:id';
    expect(sample(text, 'parseo_http_requests_total', { method: 'GET', route, status: '200', mode: 'test' })).toBeGreaterThanOrEqual(3);
    expect(sample(text, 'parseo_http_requests_total', { method: 'GET', route, status: '404', mode: 'live' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'parseo_http_request_duration_seconds_count', { method: 'GET', route, status: '200', mode: 'test' })).toBeGreaterThanOrEqual(3);
    expect(text).toMatch(/parseo_http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/external\/v1\/clients\/:id"/);
    // Labels are patterns and modes: no resource, team or key ever appears.
    expect(text).not.toContain(client.body.id);
    expect(text).not.toContain(t.team.id);
    expect(text).not.toMatch(/parseo_(live|test)_[0-9A-Za-z]{10}/);
    // Process figures come along.
    expect(text).toContain('parseo_process_resident_memory_bytes');
  });

  it('counts finished jobs and webhook attempts by outcome and mode, and reports the queues', async () => {
    // Counters belong to the instance whose workers did the work. On PostgreSQL the other test
    // worker's instance shares the database and may claim the job, so this test gets its own.
    const world = await ownInstance();
    const receiver = await startReceiver();
    try {
      const t = await createTenant(world.app);
      const before = await scrape(world.app);
      const completed = (text: string) => sample(text, 'parseo_jobs_finished_total', { outcome: 'completed', mode: 'test' }) ?? 0;
      const succeeded = (text: string) => sample(text, 'parseo_webhook_delivery_attempts_total', { outcome: 'succeeded', mode: 'test' }) ?? 0;
      expect((await partner(world.app, 'POST', '/webhooks', t.test, { body: { url: receiver.url, events: ['job.completed'] } })).status).toBe(201);
      await uploadAndWait(world.app, t.test, uniqueCopy(XML_SAMPLE));
      expect(await eventually(() => receiver.received.length > 0, 10_000)).toBe(true);
      expect(await eventually(async () => completed(await scrape(world.app)) > completed(before) && succeeded(await scrape(world.app)) > succeeded(before), 5000)).toBe(true);
      const text = await scrape(world.app);
      expect(text).toMatch(/^# TYPE parseo_jobs_in_flight gauge$/m);
      expect(text).toMatch(/^# TYPE parseo_webhook_deliveries_pending gauge$/m);
    } finally {
      await receiver.close();
      await world.close();
    }
  });

  it('with METRICS_TOKEN set, needs it as a bearer token', async () => {
    const token = 'metrics-token-0123456789abcdef';
    const guarded = buildApp(h.database, { METRICS_TOKEN: token });
    const without = await call(guarded.app, 'GET', '/metrics');
    expect(without.status).toBe(401);
    expect(without.headers.get('content-type')).toBe('application/problem+json');
    expect(without.body.code).toBe('auth.invalid_metrics_token');
    expect((await call(guarded.app, 'GET', '/metrics', { key: `${token}x` })).status).toBe(401);
    expect(await scrape(guarded.app, token)).toContain('parseo_http_requests_total');
  });
});

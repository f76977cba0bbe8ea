import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.ts';
import { DeliveryWorker } from '../src/webhooks/delivery-worker.ts';
import { claimDeliveries } from '../src/webhooks/repository.ts';
import { buildApp, createTenant, harness, partner, type Harness } from './support/harness.ts';
import { isolatedDatabase } from './support/isolated.ts';
import { eventually, startReceiver } from './support/receiver.ts';
import { rawRows } from './support/sql.ts';
import { runAsSystem } from '../src/db/db-scope.ts';
import { deliveriesOf, ping, registerEndpoint, verify, waitForDelivery, type Delivery } from './support/webhooks.ts';

let h: Harness;
const receivers: Awaited<ReturnType<typeof startReceiver>>[] = [];

beforeAll(async () => {
  h = await harness();
});

afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
});

async function receiver(respond?: Parameters<typeof startReceiver>[0]) {
  const r = await startReceiver(respond);
  receivers.push(r);
  return r;
}

function deliveryWorker(app: Harness, concurrency: number) {
  const { config } = app;
  return new DeliveryWorker({
    database: app.database,
    logger: createLogger('silent'),
    box: app.box,
    retrySchedule: config.webhookRetrySchedule,
    timeoutMs: config.webhookTimeoutMs,
    allowPrivateTargets: true,
    disableAfterHours: config.webhookDisableAfterHours,
    concurrency,
    idlePollMs: 20,
  });
}

const createClient = async (key: string, name = 'Hook GmbH') => {
  const res = await partner(h.app, 'POST', '/clients', key, { body: { name } });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string };
};

describe('mode silos', () => {
  it('test events reach only test endpoints, live events only live endpoints', async () => {
    const t = await createTenant(h.app);
    const liveReceiver = await receiver();
    const testReceiver = await receiver();
    const liveEndpoint = await registerEndpoint(h.app, t.live, liveReceiver.url);
    const testEndpoint = await registerEndpoint(h.app, t.test, testReceiver.url);
    expect(liveEndpoint.id).toMatch(/^we_live_/);
    expect(testEndpoint.id).toMatch(/^we_test_/);

    const liveClient = await createClient(t.live, 'Live client');
    const testClient = await createClient(t.test, 'Test client');

    expect(await eventually(() => liveReceiver.received.length >= 1 && testReceiver.received.length >= 1)).toBe(true);
    // Give a wrongly routed delivery the time to arrive before concluding there is none.
    await new Promise((r) => setTimeout(r, 500));

    expect(liveReceiver.events().map((e) => [e.type, e.mode, e.data.object.id])).toEqual([['client.created', 'live', liveClient.id]]);
    expect(testReceiver.events().map((e) => [e.type, e.mode, e.data.object.id])).toEqual([['client.created', 'test', testClient.id]]);
    for (const e of liveReceiver.events()) expect(e.id).toMatch(/^evt_live_/);
    for (const e of testReceiver.events()) expect(e.id).toMatch(/^evt_test_/);

    // Each endpoint's deliveries are of its own mode only.
    expect((await deliveriesOf(h.app, t.live, liveEndpoint.id)).map((d) => d.mode)).toEqual(['live']);
    expect((await deliveriesOf(h.app, t.test, testEndpoint.id)).map((d) => d.mode)).toEqual(['test']);
  });

  it("another team's events never reach an endpoint", async () => {
    const mine = await createTenant(h.app);
    const other = await createTenant(h.app);
    const r = await receiver();
    const endpoint = await registerEndpoint(h.app, mine.test, r.url);
    await createClient(other.test);
    const { delivery } = await ping(h.app, mine.test, endpoint.id);
    await waitForDelivery(h.app, mine.test, endpoint.id, delivery.id);
    await new Promise((r) => setTimeout(r, 300));
    expect(r.events().map((e) => e.type)).toEqual(['webhook.ping']);
  });
});

describe('Standard Webhooks signatures', () => {
  it('every delivery verifies with the public standardwebhooks library and the endpoint secret', async () => {
    const t = await createTenant(h.app);
    const r = await receiver();
    const endpoint = await registerEndpoint(h.app, t.test, r.url);
    const client = await createClient(t.test);
    await partner(h.app, 'PATCH', `/clients/${client.id}`, t.test, { body: { name: 'Renamed' } });
    expect(await eventually(() => r.received.length === 2)).toBe(true);

    for (const received of r.received) {
      const payload = verify(endpoint.secret, received) as { id: string; type: string };
      expect(received.headers['webhook-id']).toBe(payload.id);
      expect(received.headers['webhook-timestamp']).toMatch(/^\d{10}$/);
      expect(Math.abs(Number(received.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
      expect(received.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+={0,2}$/);
      expect(received.headers['content-type']).toBe('application/json');
    }
    // The body is the event exactly as GET /events/{id} shows it.
    for (const e of r.events()) {
      const got = await partner(h.app, 'GET', `/events/${e.id}`, t.test);
      expect(got.body).toEqual(e);
    }
    expect(r.events().map((e) => e.type).sort()).toEqual(['client.created', 'client.updated']);
  });

  it('a tampered body or another secret does not verify', async () => {
    const t = await createTenant(h.app);
    const r = await receiver();
    const endpoint = await registerEndpoint(h.app, t.test, r.url);
    const other = await registerEndpoint(h.app, t.test, 'http://127.0.0.1:9/other', { events: ['invoice.created'] });
    await ping(h.app, t.test, endpoint.id);
    expect(await eventually(() => r.received.length === 1)).toBe(true);
    const [received] = r.received;
    expect(() => verify(endpoint.secret, received!)).not.toThrow();
    expect(() => verify(other.secret, received!)).toThrow();
    expect(() => verify(endpoint.secret, { ...received!, body: received!.body.replace('webhook.ping', 'client.deleted') })).toThrow();
  });

  it('after rotation every attempt is signed with the new secret, and the old one no longer verifies', async () => {
    const t = await createTenant(h.app);
    const r = await receiver();
    const endpoint = await registerEndpoint(h.app, t.test, r.url);
    await ping(h.app, t.test, endpoint.id);
    expect(await eventually(() => r.received.length === 1)).toBe(true);
    expect(() => verify(endpoint.secret, r.received[0]!)).not.toThrow();

    const rotated = await partner(h.app, 'POST', `/webhooks/${endpoint.id}/rotate-secret`, t.test);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(endpoint.secret);

    await ping(h.app, t.test, endpoint.id);
    expect(await eventually(() => r.received.length === 2)).toBe(true);
    expect(() => verify(rotated.body.secret, r.received[1]!)).not.toThrow();
    expect(() => verify(endpoint.secret, r.received[1]!)).toThrow();
  });
});

describe('attempts, retries and redelivery', () => {
  it('a receiver that fails twice then succeeds: three recorded attempts, then succeeded', async () => {
    const t = await createTenant(h.app);
    const r = await receiver((n) => (n <= 2 ? 503 : 204));
    const endpoint = await registerEndpoint(h.app, t.test, r.url);
    const { eventId, delivery } = await ping(h.app, t.test, endpoint.id);
    expect(delivery).toMatchObject({ object: 'webhook_delivery', mode: 'test', endpointId: endpoint.id, eventId, status: 'pending', attempts: [] });

    const done = await waitForDelivery(h.app, t.test, endpoint.id, delivery.id);
    expect(done.status).toBe('succeeded');
    expect(done.nextAttemptAt).toBeNull();
    expect(done.attempts.map((a) => [a.statusCode, a.error])).toEqual([
      [503, 'the endpoint answered HTTP 503'],
      [503, 'the endpoint answered HTTP 503'],
      [204, null],
    ]);
    for (const a of done.attempts) {
      expect(Number.isInteger(a.durationMs)).toBe(true);
      expect(a.durationMs).toBeGreaterThanOrEqual(0);
      expect(a.durationMs).toBeLessThan(2000);
      expect(new Date(a.at).toISOString()).toBe(a.at);
    }
    // The attempts follow WEBHOOK_RETRY_SCHEDULE=0.2,0.4 (±20 % jitter).
    const at = done.attempts.map((a) => Date.parse(a.at));
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(150);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(300);

    // Every attempt carried the same webhook-id, and each one verifies.
    expect(r.received.map((x) => x.headers['webhook-id'])).toEqual([eventId, eventId, eventId]);
    for (const x of r.received) expect(() => verify(endpoint.secret, x)).not.toThrow();
  });

  it('a receiver that always fails: failed after the whole schedule (1 + 2 retries), with every attempt recorded', async () => {
    const t = await createTenant(h.app);
    const r = await receiver(() => 500);
    const endpoint = await registerEndpoint(h.app, t.test, r.url);
    const { delivery } = await ping(h.app, t.test, endpoint.id);

    const done = await waitForDelivery(h.app, t.test, endpoint.id, delivery.id);
    expect(done.status).toBe('failed');
    expect(done.nextAttemptAt).toBeNull();
    expect(done.attempts.map((a) => a.statusCode)).toEqual([500, 500, 500]);
    await new Promise((r) => setTimeout(r, 800));
    expect(r.received).toHaveLength(3);
    // The endpoint is marked as failing (not yet long enough to be disabled).
    const [row] = await rawRows<{ failing_since: unknown; status: string }>(h.database.db, sql`select failing_since, status from webhook_endpoints where id = ${endpoint.id}`);
    expect(row!.failing_since).not.toBeNull();
    expect(row!.status).toBe('enabled');
  });

  it('a receiver that is down: connection errors are recorded with no status code', async () => {
    const t = await createTenant(h.app);
    const r = await receiver();
    const url = r.url;
    await r.close();
    receivers.splice(receivers.indexOf(r), 1);
    const endpoint = await registerEndpoint(h.app, t.test, url);
    const { delivery } = await ping(h.app, t.test, endpoint.id);
    const done = await waitForDelivery(h.app, t.test, endpoint.id, delivery.id);
    expect(done.status).toBe('failed');
    expect(done.attempts).toHaveLength(3);
    for (const a of done.attempts) {
      expect(a.statusCode).toBeNull();
      expect(a.error).toMatch(/ECONNREFUSED/);
    }
  });

  it('a redirect is not followed: the 3xx is a failed attempt', async () => {
    const t = await createTenant(h.app);
    const target = await receiver();
    const r = await receiver(() => 307);
    const endpoint = await registerEndpoint(h.app, t.test, r.url);
    const { delivery } = await ping(h.app, t.test, endpoint.id);
    const done = await waitForDelivery(h.app, t.test, endpoint.id, delivery.id);
    expect(done.status).toBe('failed');
    expect(done.attempts[0]).toMatchObject({ statusCode: 307, error: expect.stringMatching(/redirects are not followed/) });
    expect(target.received).toHaveLength(0);
  });

  it('redelivery sends the same event with the same webhook-id, as a new round appended to the attempts', async () => {
    const t = await createTenant(h.app);
    const r = await receiver();
    const endpoint = await registerEndpoint(h.app, t.test, r.url);
    const { eventId, delivery } = await ping(h.app, t.test, endpoint.id);
    await waitForDelivery(h.app, t.test, endpoint.id, delivery.id, (d) => d.status === 'succeeded');

    const again = await partner<Delivery>(h.app, 'POST', `/webhooks/${endpoint.id}/deliveries/${delivery.id}/redeliver`, t.test);
    expect(again.status, again.text).toBe(202);
    expect(again.body).toMatchObject({ id: delivery.id, status: 'pending', eventId });
    expect(again.body.nextAttemptAt).not.toBeNull();

    const done = await waitForDelivery(h.app, t.test, endpoint.id, delivery.id, (d) => d.attempts.length === 2 && d.status !== 'pending');
    expect(done.status).toBe('succeeded');
    expect(r.received).toHaveLength(2);
    expect(r.received.map((x) => x.headers['webhook-id'])).toEqual([eventId, eventId]);
    expect(r.received[1]!.body).toBe(r.received[0]!.body);
    for (const x of r.received) expect(() => verify(endpoint.secret, x)).not.toThrow();
  });

  it('redelivering a failed delivery starts a full new round of attempts', async () => {
    const t = await createTenant(h.app);
    let healthy = false;
    const r = await receiver(() => (healthy ? 200 : 500));
    const endpoint = await registerEndpoint(h.app, t.test, r.url);
    const { delivery } = await ping(h.app, t.test, endpoint.id);
    const failed = await waitForDelivery(h.app, t.test, endpoint.id, delivery.id);
    expect(failed.status).toBe('failed');

    healthy = true;
    const again = await partner(h.app, 'POST', `/webhooks/${endpoint.id}/deliveries/${delivery.id}/redeliver`, t.test);
    expect(again.status).toBe(202);
    const done = await waitForDelivery(h.app, t.test, endpoint.id, delivery.id, (d) => d.status === 'succeeded');
    expect(done.attempts.map((a) => a.statusCode)).toEqual([500, 500, 500, 200]);
    // A success clears the endpoint's failing streak.
    const [row] = await rawRows<{ failing_since: unknown }>(h.database.db, sql`select failing_since from webhook_endpoints where id = ${endpoint.id}`);
    expect(row!.failing_since).toBeNull();
  });

  it('a redelivery asked for while the last attempt of a round is in flight keeps that attempt and starts a new round', async () => {
    const t = await createTenant(h.app);
    // The first two attempts fail; the third (the round's last) is held open until released, then
    // answered 500; later ones succeed.
    let release: (() => void) | undefined;
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(String(req.headers['webhook-id']));
      req.resume();
      if (seen.length < 3) {
        res.statusCode = 500;
        res.end();
      } else if (seen.length === 3) {
        release = () => {
          res.statusCode = 500;
          res.end();
        };
      } else {
        res.end('ok');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const endpoint = await registerEndpoint(h.app, t.test, `http://127.0.0.1:${port}/held`, { events: ['invoice.deleted'] });
      const { eventId, delivery } = await ping(h.app, t.test, endpoint.id);
      expect(await eventually(() => release !== undefined)).toBe(true);

      const again = await partner(h.app, 'POST', `/webhooks/${endpoint.id}/deliveries/${delivery.id}/redeliver`, t.test);
      expect(again.status).toBe(202);
      // Nothing else goes out while that attempt is in flight.
      await new Promise((r) => setTimeout(r, 300));
      expect(seen).toHaveLength(3);

      release!();
      const done = await waitForDelivery(h.app, t.test, endpoint.id, delivery.id, (d) => d.status === 'succeeded');
      // The held attempt is recorded, and as the redelivery reset the round, a failure was not the end.
      expect(done.attempts.map((a) => a.statusCode)).toEqual([500, 500, 500, 200]);
      expect(seen).toEqual([eventId, eventId, eventId, eventId]);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('a slow receiver times out (WEBHOOK_TIMEOUT_MS) and the attempt records the timeout', async () => {
    const iso = await isolatedDatabase();
    const app = buildApp(iso.database, { WEBHOOK_TIMEOUT_MS: '300', WEBHOOK_RETRY_SCHEDULE: '0.1' });
    const slow = createServer(() => {});
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const worker = await app.startDeliveryWorker();
    try {
      const t = await createTenant(app.app);
      const { port } = slow.address() as { port: number };
      const endpoint = await registerEndpoint(app.app, t.test, `http://127.0.0.1:${port}/slow`);
      const { delivery } = await ping(app.app, t.test, endpoint.id);
      const done = await waitForDelivery(app.app, t.test, endpoint.id, delivery.id);
      expect(done.status).toBe('failed');
      expect(done.attempts).toHaveLength(2);
      for (const a of done.attempts) {
        expect(a).toMatchObject({ statusCode: null, error: 'no answer within 300 ms' });
        expect(a.durationMs).toBeGreaterThanOrEqual(250);
      }
    } finally {
      await worker.stop();
      slow.closeAllConnections();
      await new Promise<void>((resolve) => slow.close(() => resolve()));
      await iso.drop();
    }
  });
});

describe('subscriptions and disabled endpoints', () => {
  it('an endpoint receives only the event types it subscribes to', async () => {
    const t = await createTenant(h.app);
    const r = await receiver();
    const endpoint = await registerEndpoint(h.app, t.test, r.url, { events: ['client.updated', 'client.deleted'] });
    const client = await createClient(t.test);
    await partner(h.app, 'PATCH', `/clients/${client.id}`, t.test, { body: { name: 'New name' } });
    await partner(h.app, 'DELETE', `/clients/${client.id}`, t.test);
    expect(await eventually(() => r.received.length >= 2)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(r.events().map((e) => e.type).sort()).toEqual(['client.deleted', 'client.updated']);
    expect(await deliveriesOf(h.app, t.test, endpoint.id)).toHaveLength(2);
  });

  it('a disabled endpoint is queued nothing, still takes a ping, and gets events again once re-enabled', async () => {
    const t = await createTenant(h.app);
    const r = await receiver();
    const endpoint = await registerEndpoint(h.app, t.test, r.url);
    const paused = await partner(h.app, 'PATCH', `/webhooks/${endpoint.id}`, t.test, { body: { status: 'disabled' } });
    expect(paused.body).toMatchObject({ status: 'disabled', disabledReason: 'Disabled through the API.' });

    await createClient(t.test);
    expect(await deliveriesOf(h.app, t.test, endpoint.id)).toHaveLength(0);

    const { delivery } = await ping(h.app, t.test, endpoint.id);
    expect((await waitForDelivery(h.app, t.test, endpoint.id, delivery.id)).status).toBe('succeeded');
    const refused = await partner(h.app, 'POST', `/webhooks/${endpoint.id}/deliveries/${delivery.id}/redeliver`, t.test);
    expect(refused.status).toBe(400);
    expect(refused.body.detail).toMatch(/disabled/);

    const resumed = await partner(h.app, 'PATCH', `/webhooks/${endpoint.id}`, t.test, { body: { status: 'enabled' } });
    expect(resumed.body).toMatchObject({ status: 'enabled', disabledReason: null });
    await createClient(t.test, 'After');
    expect(await eventually(() => r.events().some((e) => e.type === 'client.created'))).toBe(true);
    expect(r.events().map((e) => e.type)).toEqual(['webhook.ping', 'client.created']);
  });

  it('a delivery still pending when its endpoint is disabled is not sent; it fails saying why', async () => {
    const t = await createTenant(h.app);
    const r = await receiver(() => 500);
    const endpoint = await registerEndpoint(h.app, t.test, r.url);
    await createClient(t.test);
    const [delivery] = await deliveriesOf(h.app, t.test, endpoint.id);
    await waitForDelivery(h.app, t.test, endpoint.id, delivery!.id, (d) => d.attempts.length >= 1);
    await partner(h.app, 'PATCH', `/webhooks/${endpoint.id}`, t.test, { body: { status: 'disabled' } });
    const sentBefore = r.received.length;
    const done = await waitForDelivery(h.app, t.test, endpoint.id, delivery!.id);
    expect(done.status).toBe('failed');
    // Either the schedule ran out while the PATCH was in flight, or the next attempt saw the endpoint disabled.
    if (r.received.length === sentBefore && done.attempts.length < 3) {
      expect(done.attempts.at(-1)).toMatchObject({ statusCode: null, error: 'not sent: the endpoint is disabled' });
    }
  });

  it(`an endpoint whose deliveries keep failing for WEBHOOK_DISABLE_AFTER_HOURS (default 120 h) is disabled`, async () => {
    expect(h.config.webhookDisableAfterHours).toBe(120);
    const t = await createTenant(h.app);
    const r = await receiver(() => 500);
    const endpoint = await registerEndpoint(h.app, t.test, r.url);
    // Failing, but not for long enough yet: one more failure does not disable it.
    await rawRows(h.database.db, sql`update webhook_endpoints set failing_since = now() - interval '119 hours' where id = ${endpoint.id}`);
    const first = await ping(h.app, t.test, endpoint.id);
    await waitForDelivery(h.app, t.test, endpoint.id, first.delivery.id);
    expect((await partner(h.app, 'GET', `/webhooks/${endpoint.id}`, t.test)).body.status).toBe('enabled');

    await rawRows(h.database.db, sql`update webhook_endpoints set failing_since = now() - interval '121 hours' where id = ${endpoint.id}`);
    const second = await ping(h.app, t.test, endpoint.id);
    await waitForDelivery(h.app, t.test, endpoint.id, second.delivery.id, (d) => d.attempts.length >= 1);
    const got = await partner(h.app, 'GET', `/webhooks/${endpoint.id}`, t.test);
    expect(got.body.status).toBe('disabled');
    expect(got.body.disabledReason).toMatch(/failed for more than 120 hours/);
    // Events are no longer queued for it.
    await createClient(t.test);
    expect((await deliveriesOf(h.app, t.test, endpoint.id)).map((d) => d.eventId)).toEqual([second.eventId, first.eventId]);
  });
});

describe('several delivery workers on one database', () => {
  it('a delivery claimed by a worker that then crashed is sent by another once the lease runs out', async () => {
    const iso = await isolatedDatabase();
    const app = buildApp(iso.database);
    const r = await receiver();
    let worker: DeliveryWorker | undefined;
    try {
      const t = await createTenant(app.app);
      const endpoint = await registerEndpoint(app.app, t.test, r.url);
      const { eventId, delivery } = await ping(app.app, t.test, endpoint.id);
      // The crashed worker: it claimed the delivery under a short lease and never came back.
      // (Claiming crosses tenants, as workers do: in the system scope of row-level security.)
      const claimed = await runAsSystem(() => claimDeliveries(iso.database.db, 'crashed-worker', 500, 10));
      expect(claimed.map((c) => c.id)).toEqual([delivery.id]);
      worker = deliveryWorker(app, 4);
      await worker.start();
      await new Promise((r) => setTimeout(r, 200));
      expect(r.received).toHaveLength(0);
      const done = await waitForDelivery(app.app, t.test, endpoint.id, delivery.id);
      expect(done.status).toBe('succeeded');
      expect(done.attempts).toHaveLength(1);
      expect(r.received.map((x) => x.headers['webhook-id'])).toEqual([eventId]);
    } finally {
      await worker?.stop();
      await iso.drop();
    }
  });

  it('deliver every delivery exactly once', async () => {
    const iso = await isolatedDatabase();
    const app = buildApp(iso.database);
    // Few deliveries in hand each, so the two workers claim side by side rather than one taking all.
    const workers = [deliveryWorker(app, 2), deliveryWorker(app, 2)];
    for (const w of workers) await w.start();
    const r = await receiver();
    try {
      const t = await createTenant(app.app);
      const endpoints = [await registerEndpoint(app.app, t.test, r.url), await registerEndpoint(app.app, t.test, r.url)];
      const clients = 15;
      await Promise.all(Array.from({ length: clients }, (_, i) => partner(app.app, 'POST', '/clients', t.test, { body: { name: `Client ${i}` } })));
      const expected = clients * endpoints.length;
      expect(await eventually(() => r.received.length >= expected, 20_000)).toBe(true);
      await new Promise((r) => setTimeout(r, 500));
      expect(r.received).toHaveLength(expected);

      // One request per (endpoint, event): the same webhook-id arrives once per endpoint.
      const perId = new Map<string, number>();
      for (const x of r.received) perId.set(String(x.headers['webhook-id']), (perId.get(String(x.headers['webhook-id'])) ?? 0) + 1);
      expect(perId.size).toBe(clients);
      expect([...perId.values()].every((n) => n === endpoints.length)).toBe(true);

      for (const endpoint of endpoints) {
        const deliveries = await deliveriesOf(app.app, t.test, endpoint.id);
        expect(deliveries).toHaveLength(clients);
        for (const d of deliveries) expect([d.status, d.attempts.length]).toEqual(['succeeded', 1]);
      }
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await iso.drop();
    }
  });
});

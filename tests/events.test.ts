import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBase62 } from '../src/ids.ts';
import { EVENT_TYPES } from '../src/webhooks/event-types.ts';
import { createKey, createTenant, harness, partner, type ApiResponse, type Harness } from './support/harness.ts';
import { eventually, startReceiver } from './support/receiver.ts';
import { uniqueCopy, uploadAndWait, XML_SAMPLE } from './support/uploads.ts';
import { deliveriesOf, registerEndpoint, verify } from './support/webhooks.ts';

let h: Harness;
const receivers: Awaited<ReturnType<typeof startReceiver>>[] = [];

beforeAll(async () => {
  h = await harness();
});

afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
});

type Event = { id: string; object: 'event'; mode: 'live' | 'test'; type: string; data: { object: Record<string, unknown> }; createdAt: string };

async function eventsOf(key: string, query: Record<string, string> = {}): Promise<Event[]> {
  const res = await partner(h.app, 'GET', '/events', key, { query: { limit: '100', ...query } });
  expect(res.status, res.text).toBe(200);
  return res.body.data;
}

const ok = async (p: Promise<ApiResponse>, status = 200): Promise<any> => {
  const res = await p;
  expect(res.status, res.text).toBe(status);
  return res.body;
};

describe('every event type is emitted by the change it describes', () => {
  it('clients, contacts, invoices, jobs and pings: one event each, delivered to a ["*"] endpoint, signed', async () => {
    const t = await createTenant(h.app);
    const r = await startReceiver();
    receivers.push(r);
    const endpoint = await registerEndpoint(h.app, t.test, r.url);
    const expected: [string, string][] = [];

    /** Runs one change; its event and the endpoint's delivery already exist when the API answers. */
    async function change(type: string, id: () => string, run: () => Promise<unknown>) {
      await run();
      expected.push([type, id()]);
      const events = await eventsOf(t.test, { type });
      const event = events.find((e) => e.data.object.id === id());
      expect(event, `${type} for ${id()}`).toBeDefined();
      expect((await deliveriesOf(h.app, t.test, endpoint.id)).some((d) => d.eventId === event!.id)).toBe(true);
    }

    let client: { id: string } = { id: '' };
    await change('client.created', () => client.id, async () => (client = await ok(partner(h.app, 'POST', '/clients', t.test, { body: { name: 'Evt client' } }), 201)));
    await change('client.updated', () => client.id, () => ok(partner(h.app, 'PATCH', `/clients/${client.id}`, t.test, { body: { vatId: 'DE123456789' } })));

    let contact: { id: string } = { id: '' };
    await change('contact.created', () => contact.id, async () => (contact = await ok(partner(h.app, 'POST', '/contacts', t.test, { body: { name: 'Evt contact', clientId: client.id } }), 201)));
    await change('contact.updated', () => contact.id, () => ok(partner(h.app, 'PATCH', `/contacts/${contact.id}`, t.test, { body: { email: 'ap@example.com' } })));
    await change('contact.deleted', () => contact.id, () => ok(partner(h.app, 'DELETE', `/contacts/${contact.id}`, t.test)));

    const job = await uploadAndWait(h.app, t.test, uniqueCopy(XML_SAMPLE));
    expect(job.status).toBe('completed');
    expected.push(['invoice.created', job.invoiceId!], ['job.completed', job.id]);
    const invoiceId = job.invoiceId!;
    await change('invoice.updated', () => invoiceId, () => ok(partner(h.app, 'PATCH', `/invoices/${invoiceId}`, t.test, { body: { metadata: { booked: 'yes' } } })));
    await change('invoice.deleted', () => invoiceId, () => ok(partner(h.app, 'DELETE', `/invoices/${invoiceId}`, t.test)));

    const failed = await uploadAndWait(h.app, t.test, uniqueCopy(XML_SAMPLE), { fields: { 'hints.testScenario': 'failed' } });
    expect(failed.status).toBe('failed');
    expected.push(['job.failed', failed.id]);

    await change('client.deleted', () => client.id, () => ok(partner(h.app, 'DELETE', `/clients/${client.id}`, t.test)));
    await change('webhook.ping', () => endpoint.id, () => ok(partner(h.app, 'POST', `/webhooks/${endpoint.id}/ping`, t.test), 202));

    expect(new Set(expected.map(([type]) => type))).toEqual(new Set(EVENT_TYPES));

    // The event log holds exactly these, each once, with the object it describes.
    const all = await eventsOf(t.test);
    expect(all.map((e) => [e.type, e.data.object.id]).sort()).toEqual([...expected].sort());
    for (const e of all) {
      expect(e).toMatchObject({ object: 'event', mode: 'test', id: expect.stringMatching(/^evt_test_[0-9A-Za-z]{24}$/) });
      expect(e.data.object.mode).toBe('test');
    }
    const byType = Object.fromEntries(all.map((e) => [e.type, e.data.object]));
    expect(byType['job.completed']).toMatchObject({ object: 'job', status: 'completed', invoiceId: job.invoiceId });
    expect(byType['job.failed']).toMatchObject({ object: 'job', status: 'failed', error: { code: 'test.scenario_failed' } });
    expect(byType['invoice.created']).toMatchObject({ object: 'invoice', id: invoiceId, jobId: job.id });
    expect(byType['invoice.updated']).toMatchObject({ object: 'invoice', metadata: { booked: 'yes' } });
    expect(byType['client.updated']).toMatchObject({ object: 'client', vatId: 'DE123456789' });
    expect(byType['contact.deleted']).toMatchObject({ object: 'contact', email: 'ap@example.com' });

    // And each reached the endpoint, signed.
    expect(await eventually(() => r.received.length >= expected.length)).toBe(true);
    expect(r.events().map((e) => e.id).sort()).toEqual(all.map((e) => e.id).sort());
    for (const received of r.received) expect(() => verify(endpoint.secret, received)).not.toThrow();
    // Nothing leaked into live mode.
    expect(await eventsOf(t.live)).toEqual([]);
  });

  it('a change that is refused writes no event', async () => {
    const t = await createTenant(h.app);
    const client = await ok(partner(h.app, 'POST', '/clients', t.test, { body: { name: 'In use' } }), 201);
    await ok(partner(h.app, 'POST', '/contacts', t.test, { body: { name: 'Holder', clientId: client.id } }), 201);
    const before = await eventsOf(t.test);
    expect((await partner(h.app, 'DELETE', `/clients/${client.id}`, t.test)).status).toBe(409);
    expect((await partner(h.app, 'PATCH', `/clients/${client.id}`, t.test, { body: { country: 'XX' } })).status).toBe(400);
    expect((await partner(h.app, 'POST', '/contacts', t.test, { body: { name: 'Bad ref', clientId: `cl_test_${randomBase62(24)}` } })).status).toBe(400);
    expect(await eventsOf(t.test)).toEqual(before);
  });
});

describe('GET /events', () => {
  it('lists the mode’s events newest first, filters by type, pages; a cursor does not cross modes', async () => {
    const t = await createTenant(h.app);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await ok(partner(h.app, 'POST', '/clients', t.test, { body: { name: `C${i}` } }), 201)).id);
    await ok(partner(h.app, 'PATCH', `/clients/${ids[0]}`, t.test, { body: { name: 'C0 renamed' } }));
    const live = await ok(partner(h.app, 'POST', '/clients', t.live, { body: { name: 'Live' } }), 201);

    const all = await eventsOf(t.test);
    expect(all.map((e) => [e.type, e.data.object.id])).toEqual([
      ['client.updated', ids[0]],
      ['client.created', ids[2]],
      ['client.created', ids[1]],
      ['client.created', ids[0]],
    ]);
    expect((await eventsOf(t.test, { type: 'client.updated' })).map((e) => e.data.object.id)).toEqual([ids[0]]);
    expect((await eventsOf(t.live)).map((e) => [e.mode, e.data.object.id])).toEqual([['live', live.id]]);

    const page = await partner(h.app, 'GET', '/events', t.test, { query: { limit: '3' } });
    expect(page.body).toMatchObject({ object: 'list', hasMore: true });
    const rest = await partner(h.app, 'GET', '/events', t.test, { query: { limit: '3', cursor: page.body.nextCursor } });
    expect([...page.body.data, ...rest.body.data].map((e: Event) => e.id)).toEqual(all.map((e) => e.id));
    expect(rest.body).toMatchObject({ hasMore: false, nextCursor: null });
    expect((await partner(h.app, 'GET', '/events', t.live, { query: { cursor: page.body.nextCursor } })).status).toBe(400);
  });

  it('refuses an unknown type filter or query parameter with 400', async () => {
    const t = await createTenant(h.app);
    for (const query of [{ type: 'invoice.paid' }, { since: '2020-01-01' }] as Record<string, string>[]) {
      const res = await partner(h.app, 'GET', '/events', t.test, { query });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation.invalid_request');
    }
  });

  it('needs the event:read scope (webhook:manage is not enough)', async () => {
    const t = await createTenant(h.app);
    const key = await createKey(h.app, t.team.id, 'test', ['webhook:manage']);
    const res = await partner(h.app, 'GET', '/events', key.secret);
    expect([res.status, res.body.code]).toEqual([403, 'auth.insufficient_scope']);
  });
});

describe('GET /events/{id}', () => {
  it('shows one event of the mode', async () => {
    const t = await createTenant(h.app);
    const client = await ok(partner(h.app, 'POST', '/clients', t.test, { body: { name: 'One' } }), 201);
    const [event] = await eventsOf(t.test);
    const got = await partner(h.app, 'GET', `/events/${event!.id}`, t.test);
    expect(got.status).toBe(200);
    expect(got.body).toEqual({ id: event!.id, object: 'event', mode: 'test', type: 'client.created', data: { object: client }, createdAt: event!.createdAt });
  });

  it("another mode's event answers 404 naming that mode; another team's answers like a missing one", async () => {
    const t = await createTenant(h.app);
    const other = await createTenant(h.app);
    await ok(partner(h.app, 'POST', '/clients', t.live, { body: { name: 'Live one' } }), 201);
    await ok(partner(h.app, 'POST', '/clients', other.test, { body: { name: 'Theirs' } }), 201);
    const [liveEvent] = await eventsOf(t.live);
    const [theirEvent] = await eventsOf(other.test);

    const crossMode = await partner(h.app, 'GET', `/events/${liveEvent!.id}`, t.test);
    expect([crossMode.status, crossMode.body.code]).toEqual([404, 'resource.not_found']);
    expect(crossMode.body.detail).toMatch(/live-mode ID/);

    const missing = `evt_test_${randomBase62(24)}`;
    const crossTeam = await partner(h.app, 'GET', `/events/${theirEvent!.id}`, t.test);
    const absent = await partner(h.app, 'GET', `/events/${missing}`, t.test);
    expect([crossTeam.status, crossTeam.body.code]).toEqual([404, 'resource.not_found']);
    expect(crossTeam.body.detail.replace(theirEvent!.id, 'X')).toBe(absent.body.detail.replace(missing, 'X'));
    expect(await eventsOf(t.test)).toEqual([]);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { admin, buildApp, createTenant, harness, partner, type ApiResponse, type Harness } from './support/harness.ts';
import { uniqueCopy, uploadBytes, XML_SAMPLE } from './support/uploads.ts';

let h: Harness;

beforeAll(async () => {
  h = await harness();
});

/** Counters live in fixed minute windows: start a test far enough from the next boundary. */
async function awayFromMinuteEdge(seconds = 8) {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 60_000 - seconds * 1000) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 250));
}

const limitedTenant = (limits: Record<string, number>) => createTenant(h.app, { plan: 'free', limits });

function expectHeaders(res: ApiResponse, minute: { q: number; r: number }, hour: { q: number; r: number }) {
  expect(res.headers.get('ratelimit-policy')).toBe(`"minute";q=${minute.q};w=60, "hour";q=${hour.q};w=3600`);
  const value = res.headers.get('ratelimit') ?? '';
  const m = /^"minute";r=(\d+);t=(\d+), "hour";r=(\d+);t=(\d+)$/.exec(value);
  expect(m, value).not.toBeNull();
  expect(Number(m![1])).toBe(minute.r);
  expect(Number(m![3])).toBe(hour.r);
  expect(Number(m![2])).toBeLessThanOrEqual(60);
  expect(Number(m![4])).toBeLessThanOrEqual(3600);
}

describe('request ceilings', () => {
  it('count each mode on its own under the same ceiling, with RateLimit headers on every answer', async () => {
    await awayFromMinuteEdge();
    const t = await limitedTenant({ requestsPerMinute: 5, requestsPerHour: 1000 });
    for (let i = 1; i <= 5; i++) {
      const res = await partner(h.app, 'GET', '/me', t.test);
      expect(res.status).toBe(200);
      expectHeaders(res, { q: 5, r: 5 - i }, { q: 1000, r: 1000 - i });
    }
    const over = await partner(h.app, 'GET', '/clients', t.test);
    expect(over.status).toBe(429);
    expect(over.headers.get('content-type')).toBe('application/problem+json');
    expect(over.body.code).toBe('rate_limit.exceeded');
    expect(over.body.detail).toMatch(/5 test-mode requests for this minute/);
    const retryAfter = Number(over.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expectHeaders(over, { q: 5, r: 0 }, { q: 1000, r: 995 });
    // The refused request wrote nothing.
    expect((await partner(h.app, 'POST', '/clients', t.test, { body: { name: 'x' } })).status).toBe(429);

    // The live key of the same team has its own five.
    for (let i = 1; i <= 5; i++) expect((await partner(h.app, 'GET', '/me', t.live)).status).toBe(200);
    expect((await partner(h.app, 'GET', '/me', t.live)).status).toBe(429);
  });

  it('an error answer after authentication carries the headers and counts too', async () => {
    await awayFromMinuteEdge();
    const t = await limitedTenant({ requestsPerMinute: 3 });
    const missing = await partner(h.app, 'GET', `/clients/cl_test_${'x'.repeat(24)}`, t.test);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('ratelimit')).toMatch(/^"minute";r=2;/);
  });

  it('the hour ceiling holds when the minute has room, with Retry-After up to the hour’s end', async () => {
    await awayFromMinuteEdge();
    const t = await limitedTenant({ requestsPerMinute: 100, requestsPerHour: 3 });
    for (let i = 0; i < 3; i++) expect((await partner(h.app, 'GET', '/me', t.test)).status).toBe(200);
    const over = await partner(h.app, 'GET', '/me', t.test);
    expect(over.status).toBe(429);
    expect(over.body.detail).toMatch(/3 test-mode requests for this hour/);
    const secondsToHourEnd = Math.ceil((3_600_000 - (Date.now() % 3_600_000)) / 1000);
    expect(Math.abs(Number(over.headers.get('retry-after')) - secondsToHourEnd)).toBeLessThanOrEqual(2);
  });

  it('a raised ceiling takes effect on the next request', async () => {
    await awayFromMinuteEdge();
    const t = await limitedTenant({ requestsPerMinute: 2 });
    await partner(h.app, 'GET', '/me', t.test);
    await partner(h.app, 'GET', '/me', t.test);
    expect((await partner(h.app, 'GET', '/me', t.test)).status).toBe(429);
    const patched = await admin(h.app, 'PATCH', `/teams/${t.team.id}`, { body: { limits: { requestsPerMinute: 4 } } });
    expect(patched.status, patched.text).toBe(200);
    expect((await partner(h.app, 'GET', '/me', t.test)).status).toBe(200);
    expect((await partner(h.app, 'GET', '/me', t.test)).status).toBe(200);
    expect((await partner(h.app, 'GET', '/me', t.test)).status).toBe(429);
  });

  it('two API instances share the counters: together they admit exactly the ceiling', async () => {
    await awayFromMinuteEdge(15);
    const t = await limitedTenant({ requestsPerMinute: 300, requestsPerHour: 100_000 });
    // Two apps on one database, each with its own limiter, as two server processes would be.
    const [a, b] = [buildApp(h.database), buildApp(h.database)];
    const statuses: number[] = [];
    // Waves of parallel requests across both instances, well past the ceiling.
    for (let wave = 0; wave < 8; wave++) {
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => partner((i % 2 ? a : b).app, 'GET', '/me', t.test)));
      statuses.push(...answers.map((r) => r.status));
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(300);
    expect(statuses.filter((s) => s === 429)).toHaveLength(100);
    // And a third instance, started now, agrees that the minute is used up.
    const c = buildApp(h.database);
    expect((await partner(c.app, 'GET', '/me', t.test)).status).toBe(429);
  });
});

describe('queue depth', () => {
  const slow = (key: string) => uploadBytes(h.app, key, uniqueCopy(XML_SAMPLE), { fields: { 'hints.testScenario': 'slow' } });

  it('an upload over the plan’s jobs in flight is 429 rate_limit.queue_full, per mode', async () => {
    const t = await limitedTenant({ maxQueueDepth: 2 });
    expect((await slow(t.test)).status).toBe(202);
    expect((await slow(t.test)).status).toBe(202);
    const full = await slow(t.test);
    expect(full.status, full.text).toBe(429);
    expect(full.body.code).toBe('rate_limit.queue_full');
    expect(Number(full.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const jobs = await partner(h.app, 'GET', '/jobs', t.test);
    expect(jobs.body.data).toHaveLength(2);
    // Live mode has its own queue under the same limit (and the refused upload took no credit).
    const live = await uploadBytes(h.app, t.live, uniqueCopy(XML_SAMPLE));
    expect(live.status, live.text).toBe(202);
  });

  it('parallel uploads never overshoot the queue depth', async () => {
    const t = await limitedTenant({ maxQueueDepth: 3 });
    const answers = await Promise.all(Array.from({ length: 8 }, () => slow(t.test)));
    expect(answers.filter((r) => r.status === 202)).toHaveLength(3);
    expect(answers.filter((r) => r.status === 429 && r.body.code === 'rate_limit.queue_full')).toHaveLength(5);
  });
});

describe('GET /me/quota', () => {
  it('reports the caller’s mode counters, the jobs in flight and the live balance', async () => {
    await awayFromMinuteEdge();
    const t = await createTenant(h.app, { plan: 'pro', credits: 42, limits: { maxQueueDepth: 7 } });
    await partner(h.app, 'GET', '/me', t.test);
    expect((await uploadBytes(h.app, t.test, uniqueCopy(XML_SAMPLE), { fields: { 'hints.testScenario': 'slow' } })).status).toBe(202);
    const quota = await partner(h.app, 'GET', '/me/quota', t.test);
    expect(quota.status).toBe(200);
    expect(quota.body).toMatchObject({
      object: 'quota',
      mode: 'test',
      plan: 'pro',
      credits: 42,
      rateLimits: { minute: { limit: 600, remaining: 597 }, hour: { limit: 20_000, remaining: 19_997 } },
      queueDepth: { limit: 7, inFlight: 1 },
    });
    expect(Date.parse(quota.body.rateLimits.minute.resetsAt)).toBeGreaterThan(Date.now());
    expect(quota.body.rateLimits.minute.remaining).toBe(Number(/r=(\d+)/.exec(quota.headers.get('ratelimit')!)![1]));
    // The live key sees its own counters and queue, and the same live balance.
    const live = await partner(h.app, 'GET', '/me/quota', t.live);
    expect(live.body).toMatchObject({ mode: 'live', credits: 42, rateLimits: { minute: { remaining: 599 } }, queueDepth: { inFlight: 0 } });
  });
});

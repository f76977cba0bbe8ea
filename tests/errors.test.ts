import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../src/db/client.ts';
import { errorCodes, errorRegistry } from '../src/errors/registry.ts';
import { randomBase62 } from '../src/ids.ts';
import { ADMIN_TOKEN, admin, buildApp, call, createTeam, createTenant, harness, partner, type ApiResponse, type Harness } from './support/harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await harness();
});

const REQUEST_ID = /^req_[0-9A-Za-z]{24}$/;

/** What every error answer shares: problem+json, the registry's status and title, and the request ID. */
function expectProblem(res: ApiResponse, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const requestId = res.headers.get('request-id');
  expect(requestId).toMatch(REQUEST_ID);
  expect(res.body).toMatchObject({
    type: `https://api.parseo.test/errors#${code}`,
    title: errorRegistry[code as keyof typeof errorRegistry].title,
    status,
    code,
    detail: expect.any(String),
    requestId,
  });
  expect(res.body.detail.length).toBeGreaterThan(0);
}

async function teamNamed(name: string) {
  const found = [];
  let cursor: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const res: ApiResponse = await admin(h.app, 'GET', '/teams', { query: { limit: '100', ...(cursor && { cursor }) } });
    expect(res.status).toBe(200);
    found.push(...res.body.data.filter((t: { name: string }) => t.name === name));
    if (!res.body.hasMore) return found;
    cursor = res.body.nextCursor;
  }
  throw new Error('team list did not end');
}

describe('GET /errors', () => {
  it('lists every registry code with its status, title, description and type', async () => {
    const res = await call(h.app, 'GET', '/errors');
    expect(res.status).toBe(200);
    expect(res.body.object).toBe('list');
    expect(res.body.data.map((e: { code: string }) => e.code).sort()).toEqual([...errorCodes].sort());
    for (const entry of res.body.data) {
      const reg = errorRegistry[entry.code as keyof typeof errorRegistry];
      expect(entry).toEqual({
        code: entry.code,
        status: reg.status,
        title: reg.title,
        description: reg.description,
        type: `https://api.parseo.test/errors#${entry.code}`,
      });
      expect(entry.status).toBeGreaterThanOrEqual(400);
      expect(entry.status).toBeLessThan(600);
    }
  });

  it('covers the codes this suite relies on', () => {
    for (const code of ['request.malformed_json', 'request.unsupported_media_type', 'request.body_too_large', 'route.not_found', 'route.method_not_allowed', 'validation.invalid_request', 'internal.error', 'service.unavailable']) {
      expect(errorCodes).toContain(code);
    }
  });
});

describe('request errors are problem+json with their own code', () => {
  it('malformed JSON is 400 request.malformed_json', async () => {
    const res = await admin(h.app, 'POST', '/teams', { body: '{"name": "x",' });
    expectProblem(res, 400, 'request.malformed_json');
  });

  it('a text/plain body on a JSON route is 415 request.unsupported_media_type', async () => {
    const res = await admin(h.app, 'POST', '/teams', { body: JSON.stringify({ name: 'x' }), headers: { 'Content-Type': 'text/plain' } });
    expectProblem(res, 415, 'request.unsupported_media_type');
  });

  it('a body over JSON_BODY_MAX_BYTES is 413 request.body_too_large', async () => {
    const small = buildApp(h.database, { JSON_BODY_MAX_BYTES: '1024' });
    const name = `Big ${randomBase62(8)}`;
    // Valid in every other way: whitespace pads it past the limit, so only the size can refuse it.
    const body = `{"name": ${JSON.stringify(name)}${' '.repeat(2000)}}`;
    expect(JSON.parse(body)).toEqual({ name });
    expect(Buffer.byteLength(body)).toBeGreaterThan(1024);
    const res = await admin(small.app, 'POST', '/teams', { body });
    expectProblem(res, 413, 'request.body_too_large');
    // The same request with a declared length is refused the same way.
    const declared = await admin(small.app, 'POST', '/teams', { body, headers: { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) } });
    expectProblem(declared, 413, 'request.body_too_large');
    expect(await teamNamed(name)).toEqual([]);
  });

  it('a body under the limit on that app is accepted', async () => {
    const small = buildApp(h.database, { JSON_BODY_MAX_BYTES: '1024' });
    const res = await admin(small.app, 'POST', '/teams', { body: { name: `Small ${randomBase62(8)}` } });
    expect(res.status).toBe(201);
  });

  it('an unknown route is 404 route.not_found', async () => {
    for (const path of ['/nope', '/external/v2/me', '/admin/v1', '/errors/extra']) {
      const res = await call(h.app, 'GET', path, { key: ADMIN_TOKEN });
      expectProblem(res, 404, 'route.not_found');
    }
  });

  it('an unknown route under the partner API, with a valid key, is 404 route.not_found', async () => {
    const { test } = await createTenant(h.app);
    const res = await partner(h.app, 'GET', '/nothing-here', test);
    expectProblem(res, 404, 'route.not_found');
  });

  it('a wrong method is 405 route.method_not_allowed with an Allow header', async () => {
    const health = await call(h.app, 'POST', '/healthz');
    expectProblem(health, 405, 'route.method_not_allowed');
    expect(health.headers.get('allow')).toBe('GET, HEAD');

    const teams = await admin(h.app, 'DELETE', '/teams');
    expectProblem(teams, 405, 'route.method_not_allowed');
    expect(teams.headers.get('allow')?.split(', ').sort()).toEqual(['GET', 'HEAD', 'POST']);

    const team = await createTeam(h.app);
    const one = await admin(h.app, 'PUT', `/teams/${team.id}`, { body: { name: 'x' } });
    expectProblem(one, 405, 'route.method_not_allowed');
    expect(one.headers.get('allow')?.split(', ').sort()).toEqual(['GET', 'HEAD', 'PATCH']);
    expect((await admin(h.app, 'GET', `/teams/${team.id}`)).body.name).not.toBe('x');

    const { live } = await createTenant(h.app);
    const me = await partner(h.app, 'DELETE', '/me', live);
    expectProblem(me, 405, 'route.method_not_allowed');
    expect(me.headers.get('allow')).toBe('GET, HEAD');
  });

  it('an unknown query parameter is 400, naming it', async () => {
    const res = await admin(h.app, 'GET', '/teams', { query: { limit: '5', colour: 'blue' } });
    expectProblem(res, 400, 'validation.invalid_request');
    expect(res.body.errors).toEqual([{ param: 'colour', code: 'unknown_field', message: expect.stringContaining('colour') }]);
    expect(res.body.detail).toContain('colour');

    const { test } = await createTenant(h.app);
    const me = await partner(h.app, 'GET', '/me', test, { query: { expand: 'team' } });
    expectProblem(me, 400, 'validation.invalid_request');
    expect(me.body.errors.map((e: { param: string }) => e.param)).toEqual(['expand']);
  });

  it('a validation failure lists every bad field', async () => {
    const res = await admin(h.app, 'POST', '/teams', { body: { name: '', plan: 'gold', extra: true } });
    expectProblem(res, 400, 'validation.invalid_request');
    expect(res.body.errors.map((e: { param: string }) => e.param).sort()).toEqual(['extra', 'name', 'plan']);
  });

  it('every response, success or failure, carries a distinct Request-Id', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) {
      for (const res of [await call(h.app, 'GET', '/healthz'), await call(h.app, 'GET', '/nope')]) {
        expect(res.headers.get('request-id')).toMatch(REQUEST_ID);
        ids.add(res.headers.get('request-id')!);
      }
    }
    expect(ids.size).toBe(10);
  });
});

describe('nothing is written on a rejected request', () => {
  it.each([
    ['an unknown field', (name: string) => ({ body: { name, bogus: 1 } })],
    ['a bad plan', (name: string) => ({ body: { name, plan: 'gold' } })],
    ['a bad limit', (name: string) => ({ body: { name, limits: { requestsPerMinute: -1 } } })],
    ['a text/plain body', (name: string) => ({ body: JSON.stringify({ name }), headers: { 'Content-Type': 'text/plain' } })],
    ['malformed JSON', (name: string) => ({ body: `{"name": ${JSON.stringify(name)},` })],
    ['negative credits', (name: string) => ({ body: { name, credits: -1 } })],
  ])('a team create with %s leaves no team', async (_label, options) => {
    const name = `Rejected ${randomBase62(12)}`;
    const res = await admin(h.app, 'POST', '/teams', options(name));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(await teamNamed(name)).toEqual([]);
  });

  it('a rejected key create leaves no key', async () => {
    const team = await createTeam(h.app);
    const res = await admin(h.app, 'POST', `/teams/${team.id}/api-keys`, { body: { name: 'x', mode: 'test', scopes: ['nope'] } });
    expect(res.status).toBe(400);
    expect((await admin(h.app, 'GET', `/teams/${team.id}/api-keys`)).body.data).toEqual([]);
  });
});

describe('when the database fails', () => {
  let broken: DatabaseHandle;
  let app: Harness;
  let closed = false;

  beforeAll(async () => {
    broken = openDatabase({ kind: 'pglite' });
    await broken.migrate();
    app = buildApp(broken);
  });

  afterAll(async () => {
    if (!closed) await broken.close();
  });

  it('answers 5xx problem+json with the request ID and no internals', async () => {
    const team = await admin(app.app, 'POST', '/teams', { body: { name: 'Doomed', slug: 'doomed' } });
    expect(team.status).toBe(201);
    expect((await call(app.app, 'GET', '/readyz')).status).toBe(200);

    await broken.close();
    closed = true;

    const probes = [
      await admin(app.app, 'GET', '/teams'),
      await admin(app.app, 'GET', `/teams/${team.body.id}`),
      await admin(app.app, 'POST', '/teams', { body: { name: 'After' } }),
      await admin(app.app, 'POST', `/teams/${team.body.id}/credits`, { body: { amount: 5 } }),
    ];
    for (const res of probes) {
      expect(res.status).toBeGreaterThanOrEqual(500);
      expect(res.status).toBeLessThan(600);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(['internal.error', 'service.unavailable']).toContain(res.body.code);
      expect(res.body.requestId).toMatch(REQUEST_ID);
      expect(res.body.requestId).toBe(res.headers.get('request-id'));
      expect(res.body.detail).toContain(res.body.requestId);
      expect(res.text).not.toContain('    at ');
      expect(res.text).not.toMatch(/\b(select|insert|update|from|where|returning)\b/i);
      expect(res.text).not.toMatch(/pglite|drizzle|teams"|\.ts\b/i);
      expect(res.text).not.toContain('Failed query');
      // The operator finds the cause in the logs under the same request ID.
      const line = app.logs.map((l) => JSON.parse(l)).find((l) => l.requestId === res.body.requestId && l.level >= 50 && l.err);
      expect(line).toBeDefined();
    }

    const ready = await call(app.app, 'GET', '/readyz');
    expectProblem(ready, 503, 'service.unavailable');
    expect(ready.text).not.toContain('    at ');

    const live = await call(app.app, 'GET', '/healthz');
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: 'ok' });
  });

  it('the harness database stays ready', async () => {
    const ready = await call(h.app, 'GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok' });
    expect((await call(h.app, 'GET', '/healthz')).status).toBe(200);
  });
});

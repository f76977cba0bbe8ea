import { beforeAll, describe, expect, it } from 'vitest';
import { randomBase62 } from '../src/ids.ts';
import { plans } from '../src/plans.ts';
import { ADMIN_TOKEN, admin, buildApp, call, createKey, createTeam, createTenant, harness, partner, type ApiResponse, type Harness } from './support/harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await harness();
});

const unique = () => randomBase62(10).toLowerCase();

type Team = { id: string; object: string; name: string; slug: string; plan: string; limits: Record<string, number>; credits: number; createdAt: string; updatedAt: string };

/** Every team, walking the whole list: other files share the database, so nothing assumes a count. */
async function allTeams(): Promise<Team[]> {
  const out: Team[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const res: ApiResponse = await admin(h.app, 'GET', '/teams', { query: { limit: '100', ...(cursor && { cursor }) } });
    expect(res.status).toBe(200);
    out.push(...res.body.data);
    if (!res.body.hasMore) return out;
    cursor = res.body.nextCursor;
  }
  throw new Error('team list did not end');
}

const byNewest = (a: { createdAt: string; id: string }, b: { createdAt: string; id: string }) =>
  b.createdAt.localeCompare(a.createdAt) || (b.id < a.id ? -1 : b.id > a.id ? 1 : 0);

describe('POST /admin/v1/teams', () => {
  it('creates a team with the free plan, its limits and a slug derived from the name', async () => {
    const tag = unique();
    const res = await admin(h.app, 'POST', '/teams', { body: { name: `Acme Accounting ${tag}` } });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(Object.keys(res.body).sort()).toEqual(['createdAt', 'credits', 'id', 'limits', 'name', 'object', 'plan', 'slug', 'updatedAt']);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^team_[0-9A-Za-z]{24}$/),
      object: 'team',
      name: `Acme Accounting ${tag}`,
      slug: `acme-accounting-${tag}`,
      plan: 'free',
      limits: { ...plans.free },
      credits: 0,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });

    const fetched = await admin(h.app, 'GET', `/teams/${res.body.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(res.body);
  });

  it('takes an explicit slug, plan, credits and limit overrides', async () => {
    const slug = `explicit-${unique()}`;
    const res = await admin(h.app, 'POST', '/teams', { body: { name: 'Explicit', slug, plan: 'pro', credits: 42, limits: { maxQueueDepth: 7 } } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ slug, plan: 'pro', credits: 42, limits: { ...plans.pro, maxQueueDepth: 7 } });
  });

  it('refuses an explicit slug that is taken with 409 naming slug, and writes nothing', async () => {
    const slug = `taken-${unique()}`;
    const first = await admin(h.app, 'POST', '/teams', { body: { name: 'First', slug } });
    expect(first.status).toBe(201);
    const name = `Second ${unique()}`;
    const res = await admin(h.app, 'POST', '/teams', { body: { name, slug } });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.code).toBe('resource.already_exists');
    expect(res.body.param).toBe('slug');
    expect(res.body.detail).toContain(slug);
    expect((await allTeams()).filter((t) => t.name === name)).toEqual([]);
  });

  it('gives a derived slug that is taken a suffix', async () => {
    const name = `Dup Name ${unique()}`;
    const a = await admin(h.app, 'POST', '/teams', { body: { name } });
    const b = await admin(h.app, 'POST', '/teams', { body: { name } });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.id).not.toBe(a.body.id);
    expect(b.body.slug).not.toBe(a.body.slug);
    expect(b.body.slug).toMatch(new RegExp(`^${a.body.slug}-[0-9a-z]+$`));
  });

  it('lists every bad field at once', async () => {
    const res = await admin(h.app, 'POST', '/teams', { body: { name: 'Bad', bogus: 1, plan: 'gold', slug: 'Not A Slug' } });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.code).toBe('validation.invalid_request');
    const params = res.body.errors.map((e: { param: string }) => e.param).sort();
    expect(params).toEqual(['bogus', 'plan', 'slug']);
    for (const e of res.body.errors) expect(e).toEqual({ param: expect.any(String), code: expect.any(String), message: expect.any(String) });
    expect(res.body.errors.find((e: { param: string }) => e.param === 'bogus').code).toBe('unknown_field');
    for (const p of params) expect(res.body.detail).toContain(p);
  });

  it.each([
    ['missing name', {}, 'name'],
    ['empty name', { name: '   ' }, 'name'],
    ['negative credits', { name: 'x', credits: -1 }, 'credits'],
    ['unknown limit', { name: 'x', limits: { requestsPerDay: 5 } }, 'limits.requestsPerDay'],
    ['zero limit', { name: 'x', limits: { requestsPerMinute: 0 } }, 'limits.requestsPerMinute'],
    ['slug with a trailing hyphen', { name: 'x', slug: 'abc-' }, 'slug'],
  ])('refuses %s', async (_label, body, param) => {
    const res = await admin(h.app, 'POST', '/teams', { body });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation.invalid_request');
    expect(res.body.errors.map((e: { param: string }) => e.param)).toEqual([param]);
  });
});

describe('GET /admin/v1/teams', () => {
  it('pages newest first with nextCursor, with no repeats', async () => {
    const mine: Team[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await admin(h.app, 'POST', '/teams', { body: { name: `Paged ${i} ${unique()}` } });
      expect(res.status).toBe(201);
      mine.push(res.body);
    }
    // Created one after the other: times never go backwards.
    expect(mine[0]!.createdAt <= mine[1]!.createdAt && mine[1]!.createdAt <= mine[2]!.createdAt).toBe(true);
    const ids = new Set(mine.map((t) => t.id));

    const seen: string[] = [];
    const mineSeen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10_000 && mineSeen.length < 3; page++) {
      const res: ApiResponse = await admin(h.app, 'GET', '/teams', { query: { limit: '1', ...(cursor && { cursor }) } });
      expect(res.status).toBe(200);
      expect(res.body.object).toBe('list');
      expect(res.body.data).toHaveLength(1);
      const id = res.body.data[0].id;
      seen.push(id);
      if (ids.has(id)) mineSeen.push(id);
      if (!res.body.hasMore) {
        expect(res.body.nextCursor).toBeNull();
        break;
      }
      expect(res.body.nextCursor).toEqual(expect.any(String));
      cursor = res.body.nextCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    // Newest first: (createdAt, id) descending, so the last created comes first.
    expect(mineSeen).toEqual([...mine].sort(byNewest).map((t) => t.id));
  });

  it('default page holds at most 20 and a larger limit is refused', async () => {
    const res = await admin(h.app, 'GET', '/teams');
    expect(res.status).toBe(200);
    expect(res.body.data.length).toBeLessThanOrEqual(20);
    for (const limit of ['0', '101', 'abc', '1.5']) {
      const bad = await admin(h.app, 'GET', '/teams', { query: { limit } });
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe('validation.invalid_request');
      expect(bad.body.errors.map((e: { param: string }) => e.param)).toEqual(['limit']);
    }
  });

  it('refuses a cursor minted for another list, and garbage', async () => {
    const { team } = await createTenant(h.app);
    await createKey(h.app, team.id, 'test');
    const keys = await admin(h.app, 'GET', `/teams/${team.id}/api-keys`, { query: { limit: '1' } });
    expect(keys.status).toBe(200);
    expect(keys.body.hasMore).toBe(true);
    for (const cursor of [keys.body.nextCursor, 'not-a-cursor', Buffer.from('{"x":1}').toString('base64url')]) {
      const res = await admin(h.app, 'GET', '/teams', { query: { cursor } });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.body.code).toBe('validation.invalid_request');
      expect(res.body.param).toBe('cursor');
    }
  });
});

describe('GET /admin/v1/teams/{id}', () => {
  it('answers 404 for an unknown team', async () => {
    const res = await admin(h.app, 'GET', '/teams/team_000000000000000000000000');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.code).toBe('resource.not_found');
  });
});

describe('PATCH /admin/v1/teams/{id}', () => {
  it('changes name and plan; limit overrides merge with the plan and null restores the plan value', async () => {
    const team = await createTeam(h.app, { plan: 'free' });
    const renamed = await admin(h.app, 'PATCH', `/teams/${team.id}`, { body: { name: 'Renamed' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: team.id, name: 'Renamed', slug: team.slug, plan: 'free', limits: plans.free });

    const pro = await admin(h.app, 'PATCH', `/teams/${team.id}`, { body: { plan: 'pro', limits: { requestsPerMinute: 5 } } });
    expect(pro.status).toBe(200);
    expect(pro.body.plan).toBe('pro');
    expect(pro.body.limits).toEqual({ ...plans.pro, requestsPerMinute: 5 });

    // An override survives a plan change; the rest follows the new plan.
    const ent = await admin(h.app, 'PATCH', `/teams/${team.id}`, { body: { plan: 'enterprise' } });
    expect(ent.body.limits).toEqual({ ...plans.enterprise, requestsPerMinute: 5 });

    const more = await admin(h.app, 'PATCH', `/teams/${team.id}`, { body: { limits: { maxQueueDepth: 3 } } });
    expect(more.body.limits).toEqual({ ...plans.enterprise, requestsPerMinute: 5, maxQueueDepth: 3 });

    const restored = await admin(h.app, 'PATCH', `/teams/${team.id}`, { body: { limits: { requestsPerMinute: null } } });
    expect(restored.status).toBe(200);
    expect(restored.body.limits).toEqual({ ...plans.enterprise, maxQueueDepth: 3 });
    expect(restored.body.name).toBe('Renamed');
    expect(restored.body.updatedAt >= restored.body.createdAt).toBe(true);

    const fetched = await admin(h.app, 'GET', `/teams/${team.id}`);
    expect(fetched.body).toEqual(restored.body);
  });

  it('refuses a slug another team holds with 409, leaving the slug as it was', async () => {
    const a = await createTeam(h.app);
    const b = await createTeam(h.app);
    const res = await admin(h.app, 'PATCH', `/teams/${b.id}`, { body: { slug: a.slug } });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('resource.already_exists');
    expect(res.body.param).toBe('slug');
    expect((await admin(h.app, 'GET', `/teams/${b.id}`)).body.slug).toBe(b.slug);

    const ok = await admin(h.app, 'PATCH', `/teams/${b.id}`, { body: { slug: `free-${unique()}` } });
    expect(ok.status).toBe(200);
  });

  it('refuses unknown fields and answers 404 for an unknown team', async () => {
    const team = await createTeam(h.app);
    const bad = await admin(h.app, 'PATCH', `/teams/${team.id}`, { body: { credits: 5, plan: 'gold' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { param: string }) => e.param).sort()).toEqual(['credits', 'plan']);
    expect((await admin(h.app, 'GET', `/teams/${team.id}`)).body.credits).toBe(team.credits);

    const missing = await admin(h.app, 'PATCH', '/teams/team_000000000000000000000000', { body: { name: 'x' } });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('resource.not_found');
  });
});

describe('POST /admin/v1/teams/{id}/credits', () => {
  it('adds to the live balance, which /me/credits shows to live and test keys', async () => {
    const { team, live, test } = await createTenant(h.app);
    expect(team.credits).toBe(10);
    const res = await admin(h.app, 'POST', `/teams/${team.id}/credits`, { body: { amount: 25 } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: team.id, object: 'team', credits: 35 });
    const again = await admin(h.app, 'POST', `/teams/${team.id}/credits`, { body: { amount: 1 } });
    expect(again.body.credits).toBe(36);

    for (const [key, mode] of [[live, 'live'], [test, 'test']] as const) {
      const me = await partner(h.app, 'GET', '/me/credits', key);
      expect(me.status).toBe(200);
      expect(me.body).toEqual({ object: 'credit_balance', credits: 36, mode });
    }
  });

  it.each([
    ['zero', { amount: 0 }],
    ['negative', { amount: -5 }],
    ['fractional', { amount: 1.5 }],
    ['a string', { amount: '5' }],
    ['missing', {}],
  ])('refuses an amount that is %s and leaves the balance alone', async (_label, body) => {
    const team = await createTeam(h.app);
    const res = await admin(h.app, 'POST', `/teams/${team.id}/credits`, { body });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation.invalid_request');
    expect(res.body.errors.map((e: { param: string }) => e.param)).toEqual(['amount']);
    expect((await admin(h.app, 'GET', `/teams/${team.id}`)).body.credits).toBe(team.credits);
  });

  it('answers 404 for an unknown team', async () => {
    const res = await admin(h.app, 'POST', '/teams/team_000000000000000000000000/credits', { body: { amount: 5 } });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('resource.not_found');
  });
});

describe('API keys', () => {
  it.each(['live', 'test'] as const)('creating a %s key returns its secret once, with prefix = first 16 characters', async (mode) => {
    const team = await createTeam(h.app);
    const res = await admin(h.app, 'POST', `/teams/${team.id}/api-keys`, { body: { name: 'CI', mode } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: expect.stringMatching(/^key_[0-9A-Za-z]{24}$/),
      object: 'api_key',
      teamId: team.id,
      name: 'CI',
      mode,
      revokedAt: null,
      lastUsedAt: null,
      lastUsedIp: null,
      requestCount: 0,
    });
    const secret: string = res.body.secret;
    expect(secret).toMatch(new RegExp(`^parseo_${mode}_[0-9A-Za-z]{48}$`));
    expect(res.body.prefix).toBe(secret.slice(0, 16));
    expect(res.body.prefix.startsWith(`parseo_${mode}_`)).toBe(true);

    const me = await partner(h.app, 'GET', '/me', secret);
    expect(me.status).toBe(200);
    expect(me.body.mode).toBe(mode);
    expect(me.body.keyId).toBe(res.body.id);
  });

  it('the key list never holds a secret', async () => {
    const { team, live, test, liveKey, testKey } = await createTenant(h.app);
    const res = await admin(h.app, 'GET', `/teams/${team.id}/api-keys`);
    expect(res.status).toBe(200);
    expect(res.body.object).toBe('list');
    expect(res.body.data.map((k: { id: string }) => k.id).sort()).toEqual([liveKey.id, testKey.id].sort());
    for (const key of res.body.data) {
      expect(key).not.toHaveProperty('secret');
      expect(key.prefix).toMatch(/^parseo_(live|test)_[0-9A-Za-z]{4}$/);
    }
    for (const secret of [live, test]) {
      expect(res.text).not.toContain(secret);
      expect(res.text).not.toContain(secret.slice(16));
    }
  });

  it('the key list pages newest first with no repeats', async () => {
    const team = await createTeam(h.app);
    const created = [];
    for (let i = 0; i < 3; i++) created.push((await admin(h.app, 'POST', `/teams/${team.id}/api-keys`, { body: { name: `k${i}`, mode: i % 2 ? 'live' : 'test' } })).body);

    const first = await admin(h.app, 'GET', `/teams/${team.id}/api-keys`, { query: { limit: '2' } });
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(2);
    expect(first.body.hasMore).toBe(true);
    const second = await admin(h.app, 'GET', `/teams/${team.id}/api-keys`, { query: { limit: '2', cursor: first.body.nextCursor } });
    expect(second.status).toBe(200);
    expect(second.body.data).toHaveLength(1);
    expect(second.body.hasMore).toBe(false);
    expect(second.body.nextCursor).toBeNull();

    const ids = [...first.body.data, ...second.body.data].map((k: { id: string }) => k.id);
    expect(ids).toEqual([...created].sort(byNewest).map((k) => k.id));

    // A cursor belongs to its team's list.
    const other = await createTeam(h.app);
    const cross = await admin(h.app, 'GET', `/teams/${other.id}/api-keys`, { query: { cursor: first.body.nextCursor } });
    expect(cross.status).toBe(400);
    expect(cross.body.param).toBe('cursor');
  });

  it('refuses a bad mode and an unknown team', async () => {
    const team = await createTeam(h.app);
    const bad = await admin(h.app, 'POST', `/teams/${team.id}/api-keys`, { body: { name: 'x', mode: 'prod' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { param: string }) => e.param)).toEqual(['mode']);
    expect((await admin(h.app, 'GET', `/teams/${team.id}/api-keys`)).body.data).toEqual([]);

    const missing = await admin(h.app, 'POST', '/teams/team_000000000000000000000000/api-keys', { body: { name: 'x', mode: 'test' } });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('resource.not_found');
    const list = await admin(h.app, 'GET', '/teams/team_000000000000000000000000/api-keys');
    expect(list.status).toBe(404);
  });
});

describe('admin authentication', () => {
  it('a missing token is 401 auth.missing_authorization', async () => {
    const res = await admin(h.app, 'GET', '/teams', { key: null });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.code).toBe('auth.missing_authorization');
  });

  it('a wrong token is 401 auth.invalid_admin_token, and writes nothing', async () => {
    const name = `Intruder ${unique()}`;
    for (const key of [`${ADMIN_TOKEN}x`, ADMIN_TOKEN.slice(0, -1), 'nope']) {
      const res = await admin(h.app, 'POST', '/teams', { key, body: { name } });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('auth.invalid_admin_token');
      expect(res.text).not.toContain(ADMIN_TOKEN);
    }
    expect((await allTeams()).filter((t) => t.name === name)).toEqual([]);
  });

  it('a partner key is not an admin token, and the admin token is not a partner key', async () => {
    const { live, test } = await createTenant(h.app);
    for (const key of [live, test]) {
      const res = await admin(h.app, 'GET', '/teams', { key });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('auth.invalid_admin_token');
    }
    const res = await partner(h.app, 'GET', '/me', ADMIN_TOKEN);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('auth.malformed_key');
  });
});

describe('with no ADMIN_TOKEN the admin API does not exist', () => {
  it.each([
    ['GET', '/admin/v1/teams'],
    ['POST', '/admin/v1/teams'],
    ['DELETE', '/admin/v1/teams'],
    ['PUT', '/admin/v1/teams'],
    ['GET', '/admin/v1/teams/team_000000000000000000000000'],
    ['POST', '/admin/v1/api-keys/key_000000000000000000000000/revoke'],
  ])('%s %s is 404 route.not_found, with or without a token', async (method, path) => {
    const off = buildApp(h.database, { ADMIN_TOKEN: '' });
    expect(off.config.adminToken).toBeUndefined();
    for (const key of [null, ADMIN_TOKEN]) {
      const res = await call(off.app, method, path, { key, body: method === 'GET' ? undefined : { name: `Ghost ${unique()}` } });
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.body.code).toBe('route.not_found');
      expect(res.headers.get('allow')).toBeNull();
      expect(res.body.requestId).toBe(res.headers.get('request-id'));
    }
  });

  it('writes nothing', async () => {
    const off = buildApp(h.database, { ADMIN_TOKEN: '' });
    const name = `Ghost ${unique()}`;
    const res = await call(off.app, 'POST', '/admin/v1/teams', { key: ADMIN_TOKEN, body: { name } });
    expect(res.status).toBe(404);
    expect((await allTeams()).filter((t) => t.name === name)).toEqual([]);
  });
});

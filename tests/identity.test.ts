import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '../src/auth/keys.ts';
import { plans } from '../src/plans.ts';
import { admin, createKey, createTenant, harness, partner, type Harness } from './support/harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await harness();
});

async function listedKey(teamId: string, keyId: string) {
  const res = await admin(h.app, 'GET', `/teams/${teamId}/api-keys`, { query: { limit: '100' } });
  expect(res.status).toBe(200);
  const key = res.body.data.find((k: { id: string }) => k.id === keyId);
  expect(key).toBeDefined();
  return key;
}

describe('GET /external/v1/me', () => {
  it.each(['live', 'test'] as const)('identifies a %s key with every field and the Parseo-Mode header', async (mode) => {
    const tenant = await createTenant(h.app);
    const key = mode === 'live' ? tenant.liveKey : tenant.testKey;
    const team = (await admin(h.app, 'GET', `/teams/${tenant.team.id}`)).body;

    const res = await partner(h.app, 'GET', '/me', key.secret);
    expect(res.status).toBe(200);
    expect(res.headers.get('parseo-mode')).toBe(mode);
    expect(res.headers.get('request-id')).toMatch(/^req_[0-9A-Za-z]{24}$/);
    expect(res.body).toEqual({
      object: 'api_key_identity',
      keyId: key.id,
      keyName: `${mode} key`,
      keyPrefix: key.secret.slice(0, 16),
      mode,
      scopes: [...SCOPES],
      teamId: team.id,
      teamName: team.name,
      teamSlug: team.slug,
    });
    expect(res.text).not.toContain(key.secret);
  });

  it('follows a rename of the team', async () => {
    const { team, test } = await createTenant(h.app);
    await admin(h.app, 'PATCH', `/teams/${team.id}`, { body: { name: 'Renamed Co', slug: `renamed-${team.id.slice(5).toLowerCase()}` } });
    const res = await partner(h.app, 'GET', '/me', test);
    expect(res.body.teamName).toBe('Renamed Co');
    expect(res.body.teamSlug).toBe(`renamed-${team.id.slice(5).toLowerCase()}`);
  });
});

describe('GET /external/v1/me/credits', () => {
  it('shows the live balance to a test key too', async () => {
    const { team, live, test } = await createTenant(h.app, { credits: 17 });
    for (const [key, mode] of [[live, 'live'], [test, 'test']] as const) {
      const res = await partner(h.app, 'GET', '/me/credits', key);
      expect(res.status).toBe(200);
      expect(res.headers.get('parseo-mode')).toBe(mode);
      expect(res.body).toEqual({ object: 'credit_balance', credits: 17, mode });
    }
    await admin(h.app, 'POST', `/teams/${team.id}/credits`, { body: { amount: 3 } });
    expect((await partner(h.app, 'GET', '/me/credits', test)).body.credits).toBe(20);
  });

  it('is per team', async () => {
    const a = await createTenant(h.app, { credits: 1 });
    const b = await createTenant(h.app, { credits: 2 });
    expect((await partner(h.app, 'GET', '/me/credits', a.test)).body.credits).toBe(1);
    expect((await partner(h.app, 'GET', '/me/credits', b.test)).body.credits).toBe(2);
  });
});

describe('GET /external/v1/me/quota', () => {
  it.each(['live', 'test'] as const)('shows the plan ceilings and the live credits to a %s key', async (mode) => {
    const tenant = await createTenant(h.app, { plan: 'pro', credits: 5 });
    const key = mode === 'live' ? tenant.live : tenant.test;
    const res = await partner(h.app, 'GET', '/me/quota', key);
    expect(res.status).toBe(200);
    expect(res.headers.get('parseo-mode')).toBe(mode);
    expect(res.body).toEqual({
      object: 'quota',
      mode,
      plan: 'pro',
      credits: 5,
      rateLimits: {
        minute: { limit: plans.pro.requestsPerMinute, remaining: expect.toBeOneOf([null, expect.any(Number)]), resetsAt: expect.toBeOneOf([null, expect.any(String)]) },
        hour: { limit: plans.pro.requestsPerHour, remaining: expect.toBeOneOf([null, expect.any(Number)]), resetsAt: expect.toBeOneOf([null, expect.any(String)]) },
      },
      queueDepth: { limit: plans.pro.maxQueueDepth, inFlight: expect.toBeOneOf([null, expect.any(Number)]) },
    });
  });

  it('reflects limit overrides and plan changes', async () => {
    const { team, test } = await createTenant(h.app, { plan: 'free' });
    expect((await partner(h.app, 'GET', '/me/quota', test)).body.rateLimits.minute.limit).toBe(plans.free.requestsPerMinute);
    await admin(h.app, 'PATCH', `/teams/${team.id}`, { body: { plan: 'enterprise', limits: { maxQueueDepth: 9 } } });
    const res = await partner(h.app, 'GET', '/me/quota', test);
    expect(res.body.plan).toBe('enterprise');
    expect(res.body.rateLimits.minute.limit).toBe(plans.enterprise.requestsPerMinute);
    expect(res.body.rateLimits.hour.limit).toBe(plans.enterprise.requestsPerHour);
    expect(res.body.queueDepth.limit).toBe(9);
  });
});

describe('key usage', () => {
  it('counts requests and records lastUsedAt once flushed, without touching other keys', async () => {
    const { team, liveKey, testKey } = await createTenant(h.app);
    const before = await listedKey(team.id, testKey.id);
    expect(before).toMatchObject({ requestCount: 0, lastUsedAt: null, lastUsedIp: null });

    const started = Date.now();
    for (const path of ['/me', '/me/credits', '/me/quota']) {
      expect((await partner(h.app, 'GET', path, testKey.secret)).status).toBe(200);
    }
    await h.keyUsage.flush();

    const after = await listedKey(team.id, testKey.id);
    expect(after.requestCount).toBe(3);
    expect(after.lastUsedAt).toEqual(expect.any(String));
    expect(Date.parse(after.lastUsedAt)).toBeGreaterThanOrEqual(started - 1000);
    expect((await listedKey(team.id, liveKey.id)).requestCount).toBe(0);

    // Counts add up across flushes.
    await partner(h.app, 'GET', '/me', testKey.secret);
    await h.keyUsage.flush();
    expect((await listedKey(team.id, testKey.id)).requestCount).toBe(4);
  });

  it('does not count requests that fail authentication', async () => {
    const { team, testKey } = await createTenant(h.app);
    const revoked = await createKey(h.app, team.id, 'test');
    await admin(h.app, 'POST', `/api-keys/${revoked.id}/revoke`);
    expect((await partner(h.app, 'GET', '/me', revoked.secret)).status).toBe(401);
    await h.keyUsage.flush();
    expect((await listedKey(team.id, revoked.id)).requestCount).toBe(0);
    expect((await listedKey(team.id, testKey.id)).requestCount).toBe(0);
  });

  describe('over a real HTTP server', () => {
    let server: ServerType | undefined;

    afterEach(async () => {
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
      server = undefined;
    });

    it('records the caller IP', async () => {
      const { team, liveKey } = await createTenant(h.app);
      const port = await new Promise<number>((resolve) => {
        server = serve({ fetch: h.app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve(info.port));
      });
      const res = await fetch(`http://127.0.0.1:${port}/external/v1/me`, { headers: { Authorization: `Bearer ${liveKey.secret}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('parseo-mode')).toBe('live');
      expect(((await res.json()) as { keyId: string }).keyId).toBe(liveKey.id);

      await h.keyUsage.flush();
      const key = await listedKey(team.id, liveKey.id);
      expect(key.requestCount).toBe(1);
      expect(key.lastUsedIp).toContain('127.0.0.1');
      expect(key.lastUsedAt).toEqual(expect.any(String));
    });
  });
});

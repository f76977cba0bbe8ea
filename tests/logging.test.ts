import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, admin, call, createTenant, harness, type ApiResponse, type Harness } from './support/harness.ts';

let h: Harness;
let tenant: Awaited<ReturnType<typeof createTenant>>;
let responses: { label: string; res: ApiResponse; authenticated: boolean; mode?: string; prefix?: string }[];
const unknownKey = `parseo_live_${'Q'.repeat(20)}${'7'.repeat(28)}`;

beforeAll(async () => {
  h = await harness();
  tenant = await createTenant(h.app);
  const me = (headers: Record<string, string>, query = '') => call(h.app, 'GET', `/external/v1/me${query}`, { headers });
  responses = [
    { label: 'valid live key', res: await me({ Authorization: `Bearer ${tenant.live}` }), authenticated: true, mode: 'live', prefix: tenant.liveKey.prefix },
    { label: 'valid test key', res: await me({ Authorization: `Bearer ${tenant.test}` }), authenticated: true, mode: 'test', prefix: tenant.testKey.prefix },
    { label: 'valid key, other route', res: await me({ Authorization: `bearer ${tenant.test}` }, '/credits'), authenticated: true, mode: 'test', prefix: tenant.testKey.prefix },
    { label: 'unknown key', res: await me({ Authorization: `Bearer ${unknownKey}` }), authenticated: false },
    { label: 'revoked-looking malformed key', res: await me({ Authorization: `Bearer ${tenant.live}x` }), authenticated: false },
    { label: 'key in the query string', res: await me({}, `?api_key=${tenant.live}`), authenticated: false },
    { label: 'key in the query string with a header', res: await me({ Authorization: `Bearer ${tenant.test}` }, `?access_token=${tenant.test}&x=1`), authenticated: false },
    { label: 'Bearer: header', res: await me({ Authorization: `Bearer: ${tenant.live}` }), authenticated: false },
    { label: 'key without scheme', res: await me({ Authorization: tenant.test }), authenticated: false },
    { label: 'Basic scheme', res: await me({ Authorization: `Basic ${Buffer.from(`u:${tenant.live}`).toString('base64')}` }), authenticated: false },
    { label: 'admin call', res: await admin(h.app, 'GET', `/teams/${tenant.team.id}`), authenticated: false },
  ];
});

const parsedLogs = () => h.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
const requestLine = (requestId: string | null) => parsedLogs().find((l) => l.msg === 'request' && l.requestId === requestId);

describe('logs', () => {
  it('every request had the expected outcome', () => {
    for (const { label, res, authenticated } of responses) expect(res.status, label).toBe(authenticated || label === 'admin call' ? 200 : 401);
  });

  it('never hold a key, a part of one, the admin token or an Authorization value', () => {
    expect(h.logs.length).toBeGreaterThan(0);
    const all = h.logs.join('\n');
    for (const secret of [tenant.live, tenant.test, unknownKey]) {
      expect(all).not.toContain(secret);
      expect(all).not.toContain(secret.slice(16));
      expect(all).not.toContain(secret.slice(-24));
    }
    expect(all).not.toContain(ADMIN_TOKEN);
    expect(all).not.toContain(Buffer.from(`u:${tenant.live}`).toString('base64'));
    expect(all).not.toMatch(/"authorization"\s*:/i);
    // The lines of these requests in particular: no header dump, no scheme, no query string.
    const ids = new Set(responses.map((r) => r.res.headers.get('request-id')));
    const mine = h.logs.filter((line) => ids.has(JSON.parse(line).requestId));
    expect(mine.length).toBeGreaterThanOrEqual(responses.length);
    for (const line of mine) {
      expect(line).not.toMatch(/authorization|bearer|basic /i);
      expect(line).not.toMatch(/api_key|access_token/);
      expect(line).not.toContain('parseo_live_Q');
    }
  });

  it('write one access line per request with requestId, status, method and the path without its query', () => {
    for (const { label, res } of responses) {
      const requestId = res.headers.get('request-id');
      expect(requestId, label).toMatch(/^req_[0-9A-Za-z]{24}$/);
      const lines = parsedLogs().filter((l) => l.msg === 'request' && l.requestId === requestId);
      expect(lines, label).toHaveLength(1);
      const line = lines[0]!;
      expect(line.status, label).toBe(res.status);
      expect(line.method, label).toBe('GET');
      expect(line.path, label).toMatch(/^\/(external|admin)\/v1\//);
      expect(String(line.path), label).not.toContain('?');
      expect(line.time, label).toEqual(expect.any(String));
      expect(line.level, label).toBe(30);
    }
    expect(requestLine(responses.find((r) => r.label === 'key in the query string')!.res.headers.get('request-id'))!.path).toBe('/external/v1/me');
  });

  it('carry mode and key prefix, never more of the key, on an authenticated request', () => {
    for (const { label, res, authenticated, mode, prefix } of responses) {
      const line = requestLine(res.headers.get('request-id'))!;
      if (authenticated) {
        expect(line.mode, label).toBe(mode);
        expect(line.keyPrefix, label).toBe(prefix);
        expect(String(line.keyPrefix)).toHaveLength(16);
        expect(line.teamId, label).toBe(tenant.team.id);
      } else {
        expect(line.mode, label).toBeUndefined();
        expect(line.keyPrefix, label).toBeUndefined();
      }
    }
  });

  it('log an unknown route too, with its status', async () => {
    const res = await call(h.app, 'GET', '/nope');
    const line = requestLine(res.headers.get('request-id'));
    expect(line).toMatchObject({ status: 404, method: 'GET', path: '/nope' });
  });
});

describe('the database', () => {
  it('holds the digest of each key, never the key', async () => {
    const result = await h.database.db.execute(sql`select * from api_keys where team_id = ${tenant.team.id}`);
    const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Record<string, unknown>[];
    expect(rows).toHaveLength(2);
    const text = JSON.stringify(rows);
    for (const secret of [tenant.live, tenant.test]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.slice(16));
    }
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const [key, secret] of [[tenant.liveKey, tenant.live], [tenant.testKey, tenant.test]] as const) {
      const row = byId.get(key.id)!;
      expect(row).toBeDefined();
      expect(row.digest).toBe(createHash('sha256').update(secret).digest('hex'));
      expect(row.prefix).toBe(secret.slice(0, 16));
    }
  });
});

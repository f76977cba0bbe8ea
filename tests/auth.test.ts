import { beforeAll, describe, expect, it } from 'vitest';
import { admin, call, createKey, createTenant, harness, partner, type Harness } from './support/harness.ts';

let h: Harness;
let tenant: Awaited<ReturnType<typeof createTenant>>;

beforeAll(async () => {
  h = await harness();
  tenant = await createTenant(h.app);
});

const me = (headers: Record<string, string>, query?: Record<string, string>) => call(h.app, 'GET', '/external/v1/me', { headers, query });

describe('authentication failures each have their own code', () => {
  const cases: [string, () => Record<string, string>, string, RegExp][] = [
    ['no header', () => ({}), 'auth.missing_authorization', /No API key/],
    ['empty header', () => ({ Authorization: '' }), 'auth.missing_authorization', /No API key/],
    ['Basic scheme', () => ({ Authorization: 'Basic dXNlcjpwYXNz' }), 'auth.invalid_scheme', /`Basic`/],
    ['Token scheme', () => ({ Authorization: `Token ${tenant.test}` }), 'auth.invalid_scheme', /`Token`/],
    ['Bearer with a colon', () => ({ Authorization: `Bearer: ${tenant.test}` }), 'auth.invalid_scheme', /colon/],
    ['key without Bearer', () => ({ Authorization: tenant.test }), 'auth.invalid_scheme', /Bearer. word is missing/],
    ['wrong prefix', () => ({ Authorization: `Bearer sk_test_${'a'.repeat(48)}` }), 'auth.malformed_key', /does not start with/],
    ['pivotal-style key', () => ({ Authorization: `Bearer parseo_prod_${'a'.repeat(48)}` }), 'auth.malformed_key', /does not start with/],
    ['too short', () => ({ Authorization: `Bearer ${tenant.test.slice(0, -1)}` }), 'auth.malformed_key', /this one has 47/],
    ['too long', () => ({ Authorization: `Bearer ${tenant.test}x` }), 'auth.malformed_key', /this one has 49/],
    ['bad characters', () => ({ Authorization: `Bearer ${tenant.test.slice(0, -1)}!` }), 'auth.malformed_key', /only letters and digits/],
    ['double space', () => ({ Authorization: `Bearer  ${tenant.test}` }), 'auth.malformed_key', /whitespace/],
    ['inner whitespace', () => ({ Authorization: `Bearer ${tenant.test.slice(0, 20)} ${tenant.test.slice(20)}` }), 'auth.malformed_key', /whitespace/],
    ['nothing after Bearer', () => ({ Authorization: 'Bearer ' }), 'auth.malformed_key', /No key follows/],
    ['unknown key', () => ({ Authorization: `Bearer parseo_test_${'Z'.repeat(48)}` }), 'auth.unknown_key', /parseo_test_ZZZZ… exists/],
  ];

  it.each(cases)('%s', async (_name, headers, code, detail) => {
    const res = await me(headers());
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.code).toBe(code);
    expect(res.body.detail).toMatch(detail);
    expect(res.body.type).toBe(`https://api.parseo.test/errors#${code}`);
    expect(res.body.requestId).toBe(res.headers.get('request-id'));
    expect(res.headers.get('parseo-mode')).toBeNull();
    expect(res.text).not.toContain(tenant.test.slice(16));
  });

  it.each(['api_key', 'apiKey', 'access_token'])('a key in the %s query parameter is refused, even with a valid header', async (param) => {
    const res = await me({ Authorization: `Bearer ${tenant.test}` }, { [param]: tenant.test });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('auth.key_in_query');
    expect(res.body.param).toBe(param);
    expect(res.text).not.toContain(tenant.test);
  });
});

describe('a valid key', () => {
  it.each(['Bearer', 'bearer', 'BEARER'])('is accepted with the scheme word %s', async (scheme) => {
    const res = await me({ Authorization: `${scheme} ${tenant.live}` });
    expect(res.status).toBe(200);
    expect(res.body.mode).toBe('live');
    expect(res.headers.get('parseo-mode')).toBe('live');
  });
});

describe('revocation', () => {
  it('takes effect on the very next request, and other keys of the team keep working', async () => {
    const spare = await createKey(h.app, tenant.team.id, 'test');
    expect((await partner(h.app, 'GET', '/me', spare.secret)).status).toBe(200);

    const revoked = await admin(h.app, 'POST', `/api-keys/${spare.id}/revoke`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
    expect(revoked.body).not.toHaveProperty('secret');

    const res = await partner(h.app, 'GET', '/me', spare.secret);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('auth.revoked_key');
    expect(res.body.detail).toContain(spare.prefix);
    expect((await partner(h.app, 'GET', '/me', tenant.test)).status).toBe(200);

    const again = await admin(h.app, 'POST', `/api-keys/${spare.id}/revoke`);
    expect(again.body.revokedAt).toBe(revoked.body.revokedAt);
  });

  it('of an unknown key is a 404', async () => {
    const res = await admin(h.app, 'POST', '/api-keys/key_000000000000000000000000/revoke');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('resource.not_found');
  });
});

describe('scopes', () => {
  it('a key created with fewer scopes reports exactly those', async () => {
    const key = await createKey(h.app, tenant.team.id, 'test', ['contact:read', 'invoice:read']);
    const res = await partner(h.app, 'GET', '/me', key.secret);
    expect(res.body.scopes).toEqual(['contact:read', 'invoice:read']);
  });

  it('unknown, empty and repeated scope lists are refused', async () => {
    for (const scopes of [['contact:delete'], [], ['contact:read', 'contact:read']]) {
      const res = await admin(h.app, 'POST', `/teams/${tenant.team.id}/api-keys`, { body: { name: 'x', mode: 'test', scopes } });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation.invalid_request');
      expect(res.body.errors[0].param).toMatch(/^scopes/);
    }
  });
});

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { committedPath, generateOpenApiJson } from '../scripts/openapi.ts';
import { call, harness, type Harness } from './support/harness.ts';

let h: Harness;
let served: any;

beforeAll(async () => {
  h = await harness();
  const res = await call(h.app, 'GET', '/openapi.json');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  served = res.body;
});

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function operations(doc: any): { method: string; path: string; op: any }[] {
  const out = [];
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) if (METHODS.includes(method)) out.push({ method, path, op });
  }
  return out;
}

describe('GET /openapi.json', () => {
  it('is what scripts/openapi.ts generates', () => {
    expect(served).toEqual(JSON.parse(generateOpenApiJson()));
  });

  it('is the committed copy, openapi/openapi.json (run `npm run openapi` when this fails)', () => {
    const committed = JSON.parse(readFileSync(committedPath, 'utf8'));
    expect(served).toEqual(committed);
  });

  it('is OpenAPI 3.1 with a bearerAuth security scheme', () => {
    expect(served.openapi).toMatch(/^3\.1\.\d+$/);
    expect(served.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(served.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(served.components.schemas.Problem).toBeDefined();
  });

  it('documents the routes the app answers', () => {
    const listed = operations(served).map(({ method, path }) => `${method.toUpperCase()} ${path}`);
    for (const route of ['GET /external/v1/me', 'GET /external/v1/me/credits', 'GET /external/v1/me/quota', 'POST /admin/v1/teams', 'GET /admin/v1/teams', 'POST /admin/v1/teams/{id}/api-keys', 'GET /healthz', 'GET /readyz', 'GET /errors']) {
      expect(listed).toContain(route);
    }
  });

  it('gives every operation a unique operationId, a summary and tags', () => {
    const ops = operations(served);
    expect(ops.length).toBeGreaterThan(0);
    for (const { method, path, op } of ops) {
      const where = `${method} ${path}`;
      expect(op.operationId, where).toEqual(expect.any(String));
      expect(op.summary, where).toEqual(expect.any(String));
      expect(op.summary.length, where).toBeGreaterThan(0);
      expect(Array.isArray(op.tags) && op.tags.length > 0, where).toBe(true);
    }
    const ids = ops.map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('puts every partner operation behind bearerAuth and documents its 401', () => {
    const partnerOps = operations(served).filter(({ path }) => path.startsWith('/external/v1'));
    expect(partnerOps.length).toBeGreaterThan(0);
    for (const { method, path, op } of partnerOps) {
      const where = `${method} ${path}`;
      expect(op.security, where).toEqual([{ bearerAuth: [] }]);
      expect(op.responses['401'], where).toBeDefined();
    }
  });

  it('puts every admin operation behind a security scheme that exists', () => {
    for (const { method, path, op } of operations(served).filter(({ path }) => path.startsWith('/admin/v1'))) {
      expect(op.security, `${method} ${path}`).toHaveLength(1);
      for (const name of Object.keys(op.security[0])) expect(served.components.securitySchemes[name], name).toBeDefined();
      expect(op.responses['401'], `${method} ${path}`).toBeDefined();
    }
  });

  it('describes every error response with the Problem schema', () => {
    let count = 0;
    for (const { method, path, op } of operations(served)) {
      for (const [status, response] of Object.entries<any>(op.responses)) {
        if (Number(status) < 400) continue;
        count++;
        const where = `${method} ${path} ${status}`;
        expect(Object.keys(response.content ?? {}), where).toEqual(['application/problem+json']);
        expect(response.content['application/problem+json'].schema, where).toEqual({ $ref: '#/components/schemas/Problem' });
      }
    }
    expect(count).toBeGreaterThan(0);
  });

  it('lists every error code in the Problem schema', async () => {
    const registry = await call(h.app, 'GET', '/errors');
    const codes = registry.body.data.map((e: { code: string }) => e.code).sort();
    expect([...served.components.schemas.Problem.properties.code.enum].sort()).toEqual(codes);
  });
});

describe('GET /docs', () => {
  it('serves the Scalar page, loading the bundle and the document from this server only', async () => {
    const res = await call(h.app, 'GET', '/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.text).toMatch(/<script[^>]+src="\/docs\/scalar\.js"/);
    expect(res.text).toContain('/openapi.json');
    expect(res.text).not.toContain('cdn.jsdelivr');
    expect(res.text).not.toMatch(/unpkg|googleapis|cdnjs/);
    expect(res.text).not.toMatch(/<script[^>]+src=["']?(https?:)?\/\//i);
    expect(res.text).not.toMatch(/<link[^>]+href=["']?(https?:)?\/\//i);
    expect(res.text).not.toMatch(/https?:\/\//);
  });

  it('serves the bundle as JavaScript, gzipped on request', async () => {
    const plain = await h.app.request('/docs/scalar.js');
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toMatch(/^(text|application)\/javascript/);
    expect(plain.headers.get('content-encoding')).toBeNull();
    const raw = Buffer.from(await plain.arrayBuffer());
    expect(raw.length).toBeGreaterThan(100_000);
    expect(raw.toString('utf8')).toMatch(/createApiReference/);

    const gz = await h.app.request('/docs/scalar.js', { headers: { 'Accept-Encoding': 'gzip, deflate, br' } });
    expect(gz.status).toBe(200);
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(gz.headers.get('vary')).toMatch(/accept-encoding/i);
    const zipped = Buffer.from(await gz.arrayBuffer());
    expect(zipped.length).toBeLessThan(raw.length);
    expect(gunzipSync(zipped).equals(raw)).toBe(true);
  });
});

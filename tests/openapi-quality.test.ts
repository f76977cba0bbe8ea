import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { committedPath, generateOpenApiJson } from '../scripts/openapi.ts';
import { errorRegistry, type ErrorCode } from '../src/errors/registry.ts';
import { fixtureFor, fixtureInvoices, fixtureNames } from '../src/pipeline/fixtures.ts';

/**
 * The document is something integrators read and generate clients from: every operation is named,
 * tagged, described and exemplified, every error is problem+json with an example from the
 * registry, and the committed copy passes `redocly lint` (recommended rules, see redocly.yaml).
 * No database: the document is built from the route definitions alone.
 */

const doc = JSON.parse(generateOpenApiJson());
const root = fileURLToPath(new URL('..', import.meta.url));
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

type MediaType = { schema?: unknown; example?: unknown; examples?: Record<string, { $ref?: string; value?: unknown }> };
const operations = Object.entries<Record<string, any>>(doc.paths).flatMap(([path, item]) =>
  Object.entries<any>(item)
    .filter(([method]) => METHODS.includes(method))
    .map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, path, op })),
);

function resolveExample(example: { $ref?: string; value?: unknown }): { summary?: string; value?: unknown } {
  if (!example.$ref) return example;
  const name = example.$ref.replace('#/components/examples/', '');
  const component = doc.components.examples?.[name];
  expect(component, `${example.$ref} is defined`).toBeDefined();
  return component;
}

const exemplified = (media: MediaType) => media.example !== undefined || Object.keys(media.examples ?? {}).length > 0;

describe('every operation of the OpenAPI document', () => {
  it('is there at all', () => {
    expect(operations.length).toBeGreaterThan(40);
  });

  it.each(operations)('$name: operationId, summary, description and a declared tag', ({ op }) => {
    expect(op.operationId).toMatch(/^[A-Za-z][A-Za-z0-9]*$/);
    expect(op.summary).toEqual(expect.any(String));
    expect(op.description?.length).toBeGreaterThan(0);
    expect(op.tags?.length).toBeGreaterThan(0);
    for (const tag of op.tags) {
      const declared = doc.tags.find((t: { name: string }) => t.name === tag);
      expect(declared?.description, `tag ${tag}`).toEqual(expect.any(String));
    }
  });

  it.each(operations)('$name: a success response with an example', ({ op }) => {
    const successes = Object.entries<any>(op.responses).filter(([status]) => /^2\d\d$/.test(status));
    expect(successes.length).toBeGreaterThan(0);
    for (const [status, response] of successes) {
      const media = Object.values<MediaType>(response.content ?? {});
      expect(media.length, status).toBeGreaterThan(0);
      expect(media.some(exemplified), `${status} has an example`).toBe(true);
    }
  });

  it.each(operations.filter(({ op }) => op.requestBody))('$name: a request body example for every media type', ({ op }) => {
    for (const [type, media] of Object.entries<MediaType>(op.requestBody.content)) expect(exemplified(media), type).toBe(true);
  });

  it.each(operations.filter(({ op }) => op.parameters?.some((p: { in: string }) => p.in === 'path')))('$name: path parameters with examples', ({ op }) => {
    for (const param of op.parameters.filter((p: { in: string }) => p.in === 'path')) expect(param.schema.example ?? param.example, param.name).toEqual(expect.any(String));
  });

  it.each(operations)('$name: problem+json errors, each exemplified with a registry code of its status', ({ op }) => {
    const errors = Object.entries<any>(op.responses).filter(([status]) => Number(status) >= 400);
    expect(errors.some(([status]) => status.startsWith('4')), 'at least one 4xx').toBe(true);
    for (const [status, response] of errors) {
      expect(Object.keys(response.content), status).toEqual(['application/problem+json']);
      const media: MediaType = response.content['application/problem+json'];
      expect(media.schema).toEqual({ $ref: '#/components/schemas/Problem' });
      expect(exemplified(media), `${status} has examples`).toBe(true);
      for (const example of Object.values(media.examples ?? {})) {
        const value = resolveExample(example).value as { code: ErrorCode; status: number; title: string; type: string };
        expect(errorRegistry[value.code], value.code).toBeDefined();
        expect([value.status, value.title], value.code).toEqual([Number(status), errorRegistry[value.code].title]);
        expect(value.type).toMatch(new RegExp(`/errors#${value.code.replaceAll('.', '\\.')}$`));
        expect(response.description, status).toContain(`\`${value.code}\``);
      }
    }
  });

  it('lists every partner POST’s Idempotency-Key and the answers it can bring', () => {
    const posts = operations.filter(({ name }) => name.startsWith('POST /external/v1/'));
    expect(posts.length).toBeGreaterThan(0);
    for (const { name, op } of posts) {
      expect(op.parameters?.map((p: { name: string }) => p.name), name).toContain('Idempotency-Key');
      expect(Object.keys(op.responses['409'].content['application/problem+json'].examples), name).toContain('idempotency.in_progress');
      expect(Object.keys(op.responses['422'].content['application/problem+json'].examples), name).toContain('idempotency.key_reused');
    }
  });
});

describe('the canned test invoices', () => {
  const examples = doc.paths['/external/v1/invoices/{id}'].get.responses['200'].content['application/json'].examples;

  it('are the examples of GET /invoices/{id}, by fixture name', () => {
    expect(Object.keys(examples).sort()).toEqual([...fixtureNames].sort());
  });

  it.each(fixtureNames)('%s carries the fixture’s values, as a test upload would', (name) => {
    const { value } = examples[name];
    const fixture = fixtureInvoices[name];
    expect(value).toMatchObject({ object: 'invoice', mode: 'test', ...JSON.parse(JSON.stringify(fixture)) });
    expect(value.id).toMatch(/^inv_test_[0-9A-Za-z]{24}$/);
    // The example file's digest is one that really selects this fixture.
    expect(fixtureFor(value.file.sha256)).toBe(name);
  });
});

describe('redocly lint', () => {
  it('passes on the committed openapi/openapi.json with no error or warning', async () => {
    const run = promisify(execFile);
    const { stdout } = await run(`${root}node_modules/.bin/redocly`, ['lint', committedPath, '--format=json'], {
      cwd: root,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    });
    // A non-zero exit rejects above; warnings would still exit 0, so they are counted here.
    const report = JSON.parse(stdout);
    expect(report.problems.map((p: { ruleId: string; message: string }) => `${p.ruleId}: ${p.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });
});

import fc from 'fast-check';

/**
 * Hostile requests for the fuzz suite (tests/fuzz.test.ts), built from the OpenAPI document: each
 * operation's own path, parameters and body schema give a request close enough to valid to pass
 * routing, and one or more dimensions of it are then made hostile.
 */

// ---------------------------------------------------------------------------------------------
// The OpenAPI document, read as the fuzzer needs it.

export type Schema = Record<string, any>;
export type Param = { name: string; in: 'path' | 'query' | 'header'; required: boolean; schema: Schema };
export type Surface = 'partner' | 'admin' | 'system';
export type Operation = {
  method: string;
  path: string;
  surface: Surface;
  params: Param[];
  body?: { contentType: string; schema: Schema };
};

const surfaceOf = (path: string): Surface => (path.startsWith('/external/v1/') ? 'partner' : path.startsWith('/admin/v1/') ? 'admin' : 'system');

/** Every operation of the document, with `$ref`s in parameters and bodies resolved. */
export function operationsOf(doc: any): Operation[] {
  const resolve = (s: Schema): Schema => resolveRefs(doc, s);
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries((doc?.paths ?? {}) as Record<string, Record<string, any>>)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const params: Param[] = (op.parameters ?? []).map((p: any) => ({ name: p.name, in: p.in, required: Boolean(p.required), schema: resolve(p.schema ?? {}) }));
      const content = op.requestBody?.content as Record<string, { schema?: Schema }> | undefined;
      const [contentType, media] = Object.entries(content ?? {})[0] ?? [];
      ops.push({
        method: method.toUpperCase(),
        path,
        surface: surfaceOf(path),
        params,
        ...(contentType && { body: { contentType, schema: resolve(media?.schema ?? {}) } }),
      });
    }
  }
  return ops;
}

function resolveRefs(doc: any, schema: Schema, depth = 0): Schema {
  if (depth > 20 || schema === null || typeof schema !== 'object') return schema;
  if (Array.isArray(schema)) return schema.map((s) => resolveRefs(doc, s, depth + 1)) as unknown as Schema;
  if (typeof schema.$ref === 'string') {
    const target = schema.$ref.replace(/^#\//, '').split('/').reduce((node: any, key: string) => node?.[key], doc);
    return resolveRefs(doc, { ...target, ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$ref')) }, depth + 1);
  }
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, typeof v === 'object' && v !== null ? resolveRefs(doc, v, depth + 1) : v]));
}

// ---------------------------------------------------------------------------------------------
// The world the fuzzer aims at: real IDs (so some cases get past "not found"), keys, list names.

export type World = {
  /** A real ID of the tenant's test mode, by the prefix it carries (`cl`, `inv`, `we`, `del`, …; `team` and `key` for the admin victim). */
  ids: Record<string, string>;
  /** Real IDs of the tenant's live mode, or of other teams: well formed, never this key's. */
  foreignIds: string[];
  keys: { test: string; live: string; admin: string; revoked: string; otherTeam: string };
  /** Every list a cursor may be minted for. */
  lists: string[];
};

/** Which kind of ID a path parameter names, from the segment before it. */
export function idKindOf(path: string, param: string): string {
  if (param === 'deliveryId') return 'del';
  const before = path.split('/').slice(0, path.split('/').indexOf(`{${param}}`)).pop() ?? '';
  const kinds: Record<string, string> = { clients: 'cl', contacts: 'ct', invoices: 'inv', jobs: 'job', webhooks: 'we', events: 'evt', teams: 'team', 'api-keys': 'key' };
  return kinds[before] ?? 'cl';
}

// ---------------------------------------------------------------------------------------------
// Hostile strings.

/** `arb` one time in `n`, null otherwise (fc.option's `freq` is the other way round). */
const rarely = <T>(arb: fc.Arbitrary<T>, n: number): fc.Arbitrary<T | null> =>
  fc.oneof({ weight: n - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });

const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const base62 = (n: number) => fc.string({ unit: fc.constantFrom(...B62), minLength: n, maxLength: n });

const TRAVERSAL = [
  '../', '../../../../etc/passwd', '..%2f..%2f..%2fetc%2fpasswd', '%2e%2e%2f', '%2e%2e/', '..%252f', '%252e%252e%252f', '....//', '..\\..\\windows\\win.ini',
  '/etc/passwd', 'file:///etc/passwd', '%00', 'x%00', '%00.json', '..;/', '%c0%ae%c0%ae/', '%c0%af', '%ff%fe', '%', '%zz', '%u002e', '.', '..', './', '//', '~', '?', '#', '&',
];
const INJECTION = [
  "' OR '1'='1", "'; DROP TABLE clients; --", '" OR 1=1 --', '1; select pg_sleep(5)--', "' UNION SELECT digest FROM api_keys --", '$1', '\\', "%'", '_%', "E'\\x00'",
  '.*', '(a+)+$', '([a-zA-Z]+)*$', '[', '(?<x>', '\\d+', '^', '${7*7}', '{{7*7}}', '#{7*7}', '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', '{"$gt":""}',
  'NaN', 'Infinity', '-1', '0', '1e309', 'null', 'undefined', 'true', '[]', '{}', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '%s%s%s%n',
  'ｃｌ＿ｔｅｓｔ', 'cl_test_*', 'cl_%_%', 'cl_test_\u0000', '*',
];
const UNICODE = [
  '\u0000', 'a\u0000b', '\u202Eevil', 'é', 'e\u0301', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', '💥🔥', '\uFEFF', '\u200B', '\uD800', '\uDFFF', 'a\uD83D', 'ＡＢＣ', 'İı', 'ß', '\r\n', '\n', '\t', '\u2028', '\x7f', '\x1b[31m', '\u0085', '\uFFFF', '\uFFFD',
];

/** An ID of the wrong type, the wrong mode, the wrong shape or the wrong length. */
const wrongId = fc.oneof(
  fc.tuple(fc.constantFrom('cl', 'ct', 'inv', 'job', 'we', 'evt', 'del', 'al', 'key', 'team', 'xx', 'CL', ''), fc.constantFrom('test', 'live', 'prod', 'TEST', ''), fc.integer({ min: 0, max: 40 })).chain(
    ([prefix, mode, n]) => base62(n).map((r) => [prefix, mode, r].filter(Boolean).join('_')),
  ),
  base62(24).map((r) => `team_${r}`),
  base62(24).map((r) => `cl_test_${r}\u0000`),
  base62(24).map((r) => `cl_test_${r.slice(0, 20)}ü€💥`),
);

const hugeString = (min: number, max: number) =>
  fc.tuple(fc.constantFrom('a', 'é', '💥', '\u0000', '\'', '%', '0', ' '), fc.integer({ min, max })).map(([c, n]) => c.repeat(Math.max(1, Math.floor(n / c.length))));

/** Strings nobody should send: traversal, injection, odd unicode, wrong IDs, long runs, random code points. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...TRAVERSAL, ...INJECTION, ...UNICODE) },
  { weight: 2, arbitrary: wrongId },
  { weight: 1, arbitrary: hugeString(65, 5_000) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.tuple(wrongId, fc.constantFrom(...TRAVERSAL, ...INJECTION, ...UNICODE)).map(([a, b]) => a + b) },
);

/** A JSON value of any type, often not the one expected. */
const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, -0, 1.5, 1e308, -1e308, 5e-324, 2 ** 53 + 1, '', ' ', [], {}, [null], { '': '' }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  hostileString,
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
  fc.dictionary(fc.oneof(hostileString, fc.string()), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 4 }),
);

/** Unknown field names, including the ones that poison prototypes. */
const hostileKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', '', ' ', 'name ', 'NAME', 'id', 'teamId', 'team_id', 'mode', 'object', 'createdAt', 'credits', 'scopes', 'digest', 'toString', 'a.b', '$where'),
  hostileString.map((s) => s.slice(0, 200)),
);

/** Invalid UTF-8: stray continuation bytes, overlong forms, encoded surrogates, bytes never valid. */
const INVALID_UTF8: number[][] = [
  [0xff], [0xfe], [0x80], [0xc3, 0x28], [0xa0, 0xa1], [0xe2, 0x28, 0xa1], [0xe2, 0x82], [0xf0, 0x28, 0x8c, 0xbc], [0xc0, 0xaf], [0xc0, 0x80], [0xed, 0xa0, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x00],
];

// ---------------------------------------------------------------------------------------------
// Valid-looking values from a schema: the starting point that mutations then break.

const LOOPBACK_URL = 'http://127.0.0.1:9/fuzz';

export function validValue(schema: Schema, world: World, name = '', depth = 0): fc.Arbitrary<unknown> {
  if (depth > 6 || !schema || typeof schema !== 'object') return fc.constant('x');
  if (schema.allOf) return validValue(Object.assign({}, ...schema.allOf.filter((s: Schema) => s.properties || s.additionalProperties || s.enum)), world, name, depth + 1);
  if (schema.anyOf || schema.oneOf) return fc.oneof(...(schema.anyOf ?? schema.oneOf).map((s: Schema) => validValue(s, world, name, depth + 1)));
  // The slow test scenario would hold a job for seconds: the fuzzer asks for quick ones only.
  if (schema.enum) return fc.constantFrom(...(schema.enum as unknown[]).filter((v) => v !== 'slow'));
  const types: string[] = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : schema.properties ? ['object'] : ['string'];
  return fc.oneof(...types.map((type) => validOfType(type, schema, world, name, depth)));
}

function validOfType(type: string, schema: Schema, world: World, name: string, depth: number): fc.Arbitrary<unknown> {
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({ min: schema.minimum ?? 0, max: Math.min(schema.maximum ?? 1000, 1_000_000_000) });
    case 'number':
      return fc.double({ min: schema.minimum ?? 0, max: schema.maximum ?? 1000, noNaN: true });
    case 'array':
      return fc.array(validValue(schema.items ?? {}, world, name, depth + 1), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 3, 3) });
    case 'object': {
      const required = new Set<string>(schema.required ?? []);
      const props = Object.entries((schema.properties ?? {}) as Record<string, Schema>);
      if (props.length === 0 && schema.additionalProperties) {
        return fc.dictionary(fc.stringMatching(/^[a-z]{1,10}$/), validValue(schema.additionalProperties, world, name, depth + 1), { maxKeys: 3 });
      }
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, sub] of props) record[key] = validValue(sub, world, key, depth + 1);
      return fc.record(record, { requiredKeys: [...required].filter((k) => k in record) });
    }
    default:
      return validString(schema, world, name);
  }
}

function validString(schema: Schema, world: World, name: string): fc.Arbitrary<string> {
  if (name === 'url') return fc.constant(LOOPBACK_URL);
  if (name === 'clientId') return fc.constant(world.ids.cl ?? 'cl_test_x');
  if (/contactId$/.test(name)) return fc.constant(world.ids.ct ?? 'ct_test_x');
  if (name === 'resourceId') return fc.constant(world.ids.cl ?? 'x');
  if (name === 'jobId') return fc.constant(world.ids.job ?? 'x');
  if (schema.format === 'email') return fc.constant('billing@example.com');
  if (schema.example !== undefined && typeof schema.example === 'string') return fc.constant(schema.example);
  if (schema.pattern) return fc.constant('DE123456789');
  const min = schema.minLength ?? 1;
  const max = Math.max(min, Math.min(schema.maxLength ?? 24, 24));
  return fc.stringMatching(/^[A-Za-z0-9 ]+$/).map((s) => s.padEnd(min, 'x').slice(0, max));
}

// ---------------------------------------------------------------------------------------------
// Mutations of a JSON body.

type Json = unknown;

const deepNesting = fc.tuple(fc.integer({ min: 50, max: 40_000 }), fc.boolean()).map(([depth, arrays]) => ({ depth, arrays }));

/** The paths (as key lists) of every property of a value, to pick one to break. */
function propertyPaths(value: Json, prefix: string[] = [], out: string[][] = []): string[][] {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) {
      out.push([...prefix, k]);
      if (prefix.length < 3) propertyPaths(v, [...prefix, k], out);
    }
  }
  return out;
}

function setAt(value: Json, path: string[], replacement: Json): Json {
  if (path.length === 0) return replacement;
  const copy: Record<string, Json> = { ...(value as Record<string, Json>) };
  const [head, ...rest] = path as [string, ...string[]];
  copy[head] = setAt(copy[head], rest, replacement);
  return copy;
}

function deleteAt(value: Json, path: string[]): Json {
  if (path.length === 1) {
    const copy: Record<string, Json> = { ...(value as Record<string, Json>) };
    delete copy[path[0]!];
    return copy;
  }
  const [head, ...rest] = path as [string, ...string[]];
  return { ...(value as Record<string, Json>), [head]: deleteAt((value as Record<string, Json>)[head], rest) };
}

/** One way to break a JSON value; `pick` chooses among its properties. */
type Mutation =
  | { kind: 'root'; value: Json }
  | { kind: 'wrongType'; pick: number; value: Json }
  | { kind: 'dropRequired'; pick: number }
  | { kind: 'unknownFields'; fields: [string, Json][] }
  | { kind: 'hugeString'; pick: number; value: string }
  | { kind: 'deep'; pick: number; depth: number; arrays: boolean }
  | { kind: 'hostileString'; pick: number; value: string }
  | { kind: 'metadata'; value: Json };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 2, arbitrary: hostileJson.map((value) => ({ kind: 'root' as const, value })) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('wrongType' as const), pick: fc.nat(), value: hostileJson }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('dropRequired' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('unknownFields' as const), fields: fc.array(fc.tuple(hostileKey, hostileJson), { minLength: 1, maxLength: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('hugeString' as const), pick: fc.nat(), value: hugeString(1_000, 900_000) }) },
  { weight: 1, arbitrary: deepNesting.chain(({ depth, arrays }) => fc.record({ kind: fc.constant('deep' as const), pick: fc.nat(), depth: fc.constant(depth), arrays: fc.constant(arrays) })) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('hostileString' as const), pick: fc.nat(), value: hostileString }) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.integer({ min: 51, max: 80 }).map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']))),
      fc.constant({ ['k'.repeat(41)]: 'v' }),
      fc.constant({ k: 'v'.repeat(501) }),
      fc.constant({ '': 'v' }),
      fc.constant({ k: { nested: 'v' } }),
      fc.constant({ k: 1 }),
      fc.constant({ k: null }),
      fc.constant(['v']),
      fc.constant('k=v'),
    ).map((value) => ({ kind: 'metadata' as const, value })),
  },
);

const DEEP_MARKER = '\uE000deep\uE000';

function applyMutation(base: Json, m: Mutation, schema: Schema): { value: Json; deep?: { depth: number; arrays: boolean } } {
  const paths = propertyPaths(base);
  const at = (pick: number) => (paths.length ? paths[pick % paths.length]! : [`x${pick % 7}`]);
  switch (m.kind) {
    case 'root':
      return { value: m.value };
    case 'wrongType':
      return { value: setAt(base, at(m.pick), m.value) };
    case 'dropRequired': {
      const required: string[] = schema.required ?? [];
      const key = required.length ? required[m.pick % required.length]! : paths.length ? paths[m.pick % paths.length]![0]! : undefined;
      return { value: key !== undefined && base && typeof base === 'object' ? deleteAt(base, [key]) : base };
    }
    case 'unknownFields': {
      const obj = base && typeof base === 'object' && !Array.isArray(base) ? { ...(base as Record<string, Json>) } : {};
      // defineProperty, so `__proto__` becomes a real own key that JSON.stringify writes out.
      for (const [k, v] of m.fields) Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
      return { value: obj };
    }
    case 'hugeString':
      return { value: setAt(base, at(m.pick), m.value) };
    case 'deep':
      return { value: setAt(base, at(m.pick), DEEP_MARKER), deep: { depth: m.depth, arrays: m.arrays } };
    case 'hostileString':
      return { value: setAt(base, at(m.pick), m.value) };
    case 'metadata':
      return { value: setAt(base, ['metadata'], m.value) };
  }
}

/** How the (mutated) value goes on the wire. */
type Encoding =
  | { kind: 'json' }
  | { kind: 'invalidUtf8'; bytes: number[] }
  | { kind: 'malformed'; how: number; cut: number }
  | { kind: 'utf16' }
  | { kind: 'oversized'; extra: number };

const encoding: fc.Arbitrary<Encoding> = fc.oneof(
  { weight: 12, arbitrary: fc.constant({ kind: 'json' as const }) },
  { weight: 3, arbitrary: fc.constantFrom(...INVALID_UTF8).map((bytes) => ({ kind: 'invalidUtf8' as const, bytes })) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('malformed' as const), how: fc.nat({ max: 15 }), cut: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'utf16' as const }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 200_000 }).map((extra) => ({ kind: 'oversized' as const, extra })) },
);

const UTF8_MARKER = '\uE001bad\uE001';

function malformedJson(text: string, how: number, cut: number): string {
  switch (how) {
    case 0:
      return text.slice(0, cut % Math.max(1, text.length));
    case 1:
      return text.replace(/}$/, ',}');
    case 2:
      return text.replaceAll('"', "'");
    case 3:
      return `/* c */${text}`;
    case 4:
      return `{"name": NaN, "x": Infinity}`;
    case 5:
      return `\uFEFF${text}`;
    case 6:
      return '';
    case 7:
      return '   \n\t ';
    case 8:
      return `${text}${text}`;
    case 9:
      return '{"name":"a","name":1,"name":{"a":[]}}';
    case 10:
      return '{"n": 1e400, "m": -1e-400, "o": 123456789012345678901234567890}';
    case 11:
      return '{"name":"\\ud800\\udc00\\ud800", "x":"\\u0000"}';
    case 12:
      return text.replace(/:/, '::');
    case 13:
      return 'undefined';
    case 14:
      return `${'['.repeat(cut % 5000)}`;
    default:
      return '{"a":1}garbage';
  }
}

type WireBody = { body: string | Uint8Array; note: string };

const JSON_BODY_MAX = 1024 * 1024;

function encodeJson(value: Json, deep: { depth: number; arrays: boolean } | undefined, enc: Encoding): WireBody {
  let text = JSON.stringify(value) ?? 'null';
  if (deep) {
    const [open, close] = deep.arrays ? ['[', ']'] : ['{"a":', '}'];
    text = text.replace(JSON.stringify(DEEP_MARKER), `${open.repeat(deep.depth)}1${close.repeat(deep.depth)}`);
  }
  switch (enc.kind) {
    case 'json':
      return { body: text, note: `json(${text.length} chars)` };
    case 'invalidUtf8': {
      // Inside a string value when there is one, else in place of the whole body.
      const withMarker = /"[^"]*"/.test(text) ? text.replace(/"([^"]*)"(?=\s*[,}\]])/, `"$1${UTF8_MARKER}"`) : `"${UTF8_MARKER}"`;
      const [a, b] = withMarker.split(UTF8_MARKER) as [string, string?];
      const bytes = Buffer.concat([Buffer.from(a), Buffer.from(enc.bytes), Buffer.from(b ?? '')]);
      return { body: new Uint8Array(bytes), note: `invalid utf-8 [${enc.bytes.map((x) => x.toString(16)).join(' ')}]` };
    }
    case 'malformed':
      return { body: malformedJson(text, enc.how, enc.cut), note: `malformed json #${enc.how}` };
    case 'utf16':
      return { body: new Uint8Array(Buffer.from(text, 'utf16le')), note: 'utf-16le' };
    case 'oversized': {
      const pad = ' '.repeat(Math.max(0, JSON_BODY_MAX + enc.extra - Buffer.byteLength(text)));
      return { body: `${text}${pad}`, note: `oversized by ${enc.extra}` };
    }
  }
}

const JSON_CONTENT_TYPES = [
  'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', 'application/json; charset=utf-16',
  'APPLICATION/JSON', 'application/problem+json', 'application/vnd.api+json', 'application/json, text/plain', 'application/jsonx', 'json', '*/*', '',
  'application/json; boundary=\u00ff', `application/${'x'.repeat(5000)}`, 'application/xml', 'text/json',
];

export const bodyMutationsArb = fc.array(mutation, { minLength: 1, maxLength: 2 });
export const hostileEncodingArb = encoding.filter((e) => e.kind !== 'json');
export const hostileJsonContentType = fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 3, arbitrary: fc.constantFrom(...JSON_CONTENT_TYPES) });

/** The JSON body on the wire: `base` with the mutations applied, then encoded (plain JSON unless told otherwise). */
export function jsonWire(base: Json, schema: Schema, mutations: Mutation[], enc: Encoding = { kind: 'json' }): WireBody {
  let value: Json = base;
  let deep: { depth: number; arrays: boolean } | undefined;
  for (const m of mutations) {
    const out = applyMutation(value, m, schema);
    value = out.value;
    deep = out.deep ?? deep;
  }
  const wire = encodeJson(value, deep, enc);
  return { ...wire, note: [...mutations.map((m) => m.kind), wire.note].join(', ') };
}

// ---------------------------------------------------------------------------------------------
// Multipart bodies for the upload.

const SMALL_XML = '<?xml version="1.0"?><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>FUZZ</ID></Invoice>';

type Part = { headers: string[]; data: Uint8Array };

const partData = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 20 }).map((tag) => Buffer.from(`${SMALL_XML}<!-- ${tag.replace(/-/g, '')} -->`)) },
  { weight: 1, arbitrary: fc.constant(Buffer.from('%PDF-1.4\n%fuzz\n')) },
  { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)) },
  { weight: 1, arbitrary: fc.constantFrom(...INVALID_UTF8).map((b) => Buffer.from(b)) },
);

const fieldPart = fc.tuple(
  fc.oneof(fc.constantFrom('hints', 'metadata', 'clientId', 'hints.testScenario', 'metadata.erpId', 'hints.other', 'file', 'File', 'file[]', 'files', '', 'metadata.', 'hints.'), hostileKey),
  fc.oneof(
    fc.constantFrom('{"testScenario":"failed"}', '{"testScenario":"nope"}', '[]', '{', 'null', '{"a":{"b":1}}', '{"erpId":"1"}', '{"k":1}', 'completed', 'credit_note', ''),
    hostileString,
    hugeString(60_000, 70_000),
  ),
);

type MultipartShape = {
  boundary: string;
  headerBoundary: string;
  file: { name: string; filename: string | null; data: Uint8Array } | null;
  secondFile: Uint8Array | null;
  fields: [string, string][];
  manyFields: number | null;
  partHeaderJunk: string | null;
  lineEnding: string;
  closing: string;
  truncateAt: number | null;
  wholeBody: string | null;
};

const benignFile = fc.string({ maxLength: 20 }).map((tag) => ({ name: 'file', filename: 'invoice.xml' as string | null, data: new Uint8Array(Buffer.from(`${SMALL_XML}<!-- ${tag.replace(/-/g, '')} -->`)) }));
const benignFields = fc.subarray<[string, string]>([['hints.testScenario', 'completed'], ['metadata.erpId', '4711'], ['hints', '{"testScenario":"failed"}']], { maxLength: 1 });

/** Every aspect of a multipart body, each either as a client would send it or broken. */
const multipartAspects: { [K in keyof MultipartShape]: [fc.Arbitrary<MultipartShape[K]>, fc.Arbitrary<MultipartShape[K]>] } = {
  boundary: [fc.constant('----fuzzBoundary7MA4YWxkTrZu0gW'), fc.stringMatching(/^[A-Za-z0-9'()+_,./:=?-]{1,70}$/)],
  headerBoundary: [fc.constant('same'), fc.constantFrom('none', 'other', 'quoted', 'empty', 'long', 'unterminated', 'mixed', 'json', 'missing', 'bare', 'twice')],
  file: [
    benignFile,
    fc.oneof(
      fc.record({ name: fc.constant('file'), filename: fc.constantFrom<string | null>('../../etc/passwd', 'a"\r\nContent-Type: text/html', '', 'ü€.xml', '%00.xml', 'x'.repeat(5000), null), data: partData }),
      fc.record({ name: fc.constant('file'), filename: fc.constant<string | null>('invoice.xml'), data: partData }),
      fc.constant(null),
      fc.record({ name: fc.constantFrom('File', 'files', 'file[]', 'upload', '', 'file\u0000'), filename: fc.constant<string | null>('invoice.xml'), data: partData }),
    ),
  ],
  secondFile: [fc.constant(null), partData],
  fields: [benignFields, fc.array(fieldPart, { minLength: 1, maxLength: 3 })],
  manyFields: [fc.constant(null), fc.integer({ min: 101, max: 130 })],
  partHeaderJunk: [
    fc.constant(null),
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom('no colon here', ': no name', `${'X'.repeat(20_000)}: y`, '\tfolded: x', 'Bad\u0001Name: x', 'Content-Disposition') },
      { weight: 2, arbitrary: fc.constantFrom('Content-Disposition: attachment', 'Content-Disposition: form-data; name=', 'Content-Type: \u00ff', 'X: y', `Content-Disposition: form-data; name="${'n'.repeat(10_000)}"`) },
    ),
  ],
  lineEnding: [fc.constant('\r\n'), fc.constant('\n')],
  closing: [fc.constant('normal'), fc.constantFrom('missing', 'noDashes', 'garbageAfter', 'preamble')],
  truncateAt: [fc.constant(null), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true })],
  wholeBody: [fc.constant(null), fc.constantFrom('json', 'empty', 'random', 'urlencoded')],
};
const ASPECTS = Object.keys(multipartAspects) as (keyof MultipartShape)[];

/** A multipart upload: as a client sends it, or (`broken`) with one or two of its aspects broken. */
export function multipartArb(broken: boolean): fc.Arbitrary<{ body: Uint8Array; contentType: string | null; note: string }> {
  const pick = broken ? fc.shuffledSubarray(ASPECTS, { minLength: 1, maxLength: 2 }) : fc.constant([] as (keyof MultipartShape)[]);
  return pick.chain((hostile) => {
    const record = Object.fromEntries(ASPECTS.map((a) => [a, multipartAspects[a][hostile.includes(a) ? 1 : 0]])) as { [K in keyof MultipartShape]: fc.Arbitrary<MultipartShape[K]> };
    return fc.record(record).map((m) => ({ ...buildMultipart(m), note: broken ? `multipart: ${hostile.join('+')}` : 'multipart' }));
  });
}

function buildMultipart(m: MultipartShape): { body: Uint8Array; contentType: string | null } {
  const le = m.lineEnding;
  const parts: Part[] = [];
  const disp = (name: string, filename?: string | null) => `Content-Disposition: form-data; name="${name}"${filename === null || filename === undefined ? '' : `; filename="${filename}"`}`;
  // A broken part header goes on a part of its own, before the file: the parser must stop at it, not after the file.
  if (m.partHeaderJunk) parts.push({ headers: [disp('hints'), m.partHeaderJunk], data: Buffer.from('{}') });
  if (m.file) parts.push({ headers: [disp(m.file.name, m.file.filename), 'Content-Type: application/octet-stream'], data: m.file.data });
  if (m.secondFile) parts.push({ headers: [disp('file', 'second.xml')], data: m.secondFile });
  for (const [name, value] of m.fields) parts.push({ headers: [disp(name)], data: Buffer.from(value) });
  if (m.manyFields) for (let i = 0; i < m.manyFields; i++) parts.push({ headers: [disp(`metadata.k${i}`)], data: Buffer.from('v') });
  const chunks: Buffer[] = [];
  if (m.closing === 'preamble') chunks.push(Buffer.from(`preamble junk${le}`));
  for (const part of parts) {
    chunks.push(Buffer.from(`--${m.boundary}${le}${part.headers.join(le)}${le}${le}`, 'latin1'), Buffer.from(part.data), Buffer.from(le));
  }
  if (m.closing === 'normal' || m.closing === 'preamble') chunks.push(Buffer.from(`--${m.boundary}--${le}`));
  if (m.closing === 'noDashes') chunks.push(Buffer.from(`--${m.boundary}${le}`));
  if (m.closing === 'garbageAfter') chunks.push(Buffer.from(`--${m.boundary}--${le}`), Buffer.from([0xff, 0x00, 0x2d, 0x2d]));
  let body = Buffer.concat(chunks);
  if (m.truncateAt !== null) body = body.subarray(0, Math.floor(body.length * m.truncateAt));
  if (m.wholeBody === 'json') body = Buffer.from(JSON.stringify({ file: SMALL_XML }));
  if (m.wholeBody === 'empty') body = Buffer.alloc(0);
  if (m.wholeBody === 'random') body = Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 37) % 256));
  if (m.wholeBody === 'urlencoded') body = Buffer.from('file=%3CInvoice%2F%3E&clientId=x');
  const contentType: string | null = {
    same: `multipart/form-data; boundary=${m.boundary}`,
    none: 'multipart/form-data',
    other: 'multipart/form-data; boundary=somethingElse',
    quoted: `multipart/form-data; boundary="${m.boundary}"`,
    empty: 'multipart/form-data; boundary=',
    long: `multipart/form-data; boundary=${'b'.repeat(200)}`,
    unterminated: `multipart/form-data; boundary="${m.boundary}`,
    mixed: `multipart/mixed; boundary=${m.boundary}`,
    json: 'application/json',
    missing: null,
    bare: `multipart/form-data;`,
    twice: `multipart/form-data; boundary=${m.boundary}; boundary=x`,
  }[m.headerBoundary]!;
  return { body: new Uint8Array(body), contentType };
}

// ---------------------------------------------------------------------------------------------
// Query strings, paths and headers.

const NUMBERISH = ['0', '-1', '101', '1.5', '1e2', '0x10', ' 5', '5 ', '+5', 'NaN', 'Infinity', '-0', '9007199254740993', '1'.repeat(400), '', '٣', '５', '1,2', 'true', '[1]'];

/** A cursor this API never issued, shaped like one it did: for this list and mode mostly, with odd positions. */
function forgedCursor(world: World, list: string | null, mode: string | null): fc.Arbitrary<string> {
  return fc
    .record({
      l: fc.oneof({ weight: 4, arbitrary: fc.constant(list ?? 'clients') }, { weight: 1, arbitrary: fc.constantFrom(...world.lists) }, { weight: 1, arbitrary: hostileString }),
      m: fc.oneof({ weight: 4, arbitrary: fc.constant<unknown>(mode) }, { weight: 1, arbitrary: fc.constantFrom<unknown>('test', 'live', null, 'prod', 1) }),
      t: fc.oneof(
        fc.constantFrom(0, -1, 8.64e15, -8.64e15, 8.64e15 - 1, -8.64e15 + 1, 253402300800000, 253402300799999, -62135596800000, -62135596800001, -210866803200000, 1e15, Date.now()),
        fc.integer(),
        fc.integer({ min: -8.64e15, max: 8.64e15 }),
      ),
      i: fc.oneof(fc.constantFrom(...Object.values(world.ids)), hostileString.map((s) => s.slice(0, 64))),
    })
    .map((p) => Buffer.from(JSON.stringify(p)).toString('base64url'));
}

/** The list a collection operation mints cursors for (null: not a list). */
export function listOf(path: string, world: World): string | null {
  const rest = path.replace(/^\/(external|admin)\/v1\//, '');
  if (rest === 'webhooks/{id}/deliveries') return `deliveries:${world.ids.we}`;
  if (rest === 'teams/{id}/api-keys') return `api-keys:${world.ids.team}`;
  return /^[a-z-]+$/.test(rest) ? rest : null;
}

type Pairs = [string, string][];

/** The documented query parameters an ordinary client would send: some of them, with valid values. */
export function validQueryArb(params: Param[], world: World): fc.Arbitrary<Pairs> {
  const documented = params.filter((p) => p.in === 'query' && p.name !== 'cursor' && p.name !== 'waitSeconds');
  return fc
    .tuple(...documented.map((p) => fc.option(validValue(p.schema, world, p.name).map((v) => [p.name, typeof v === 'string' ? v : JSON.stringify(v)] as [string, string]), { nil: null })))
    .map((pairs) => pairs.filter((p): p is [string, string] => p !== null));
}

/** One way to spoil a query string: a hostile value for a documented parameter, an unknown one, a repeated one. */
export function hostileQueryArb(params: Param[], world: World, list: string | null, mode: string | null): fc.Arbitrary<(pairs: Pairs) => Pairs> {
  const documented = params.filter((p) => p.in === 'query').map((p) => p.name);
  const value = (name: string) =>
    name === 'cursor'
      ? fc.oneof({ weight: 3, arbitrary: forgedCursor(world, list, mode) }, { weight: 1, arbitrary: hostileString })
      : fc.oneof(hostileString, fc.constantFrom(...NUMBERISH), hugeString(1_000, 60_000));
  const options: fc.Arbitrary<(pairs: Pairs) => Pairs>[] = [
    fc
      .tuple(fc.oneof(hostileKey, fc.constantFrom('limit[]', 'limit[gt]', 'a[b]', 'LIMIT', 'limit ', '%00', 'cursor\u0000', 'x')), value('x'))
      .map(([k, v]) => (pairs: Pairs) => [...pairs, [k, v]]),
  ];
  if (documented.length) {
    options.push(
      fc.constantFrom(...documented).chain((name) => value(name).map((v) => (pairs: Pairs) => [...pairs.filter(([k]) => k !== name), [name, v]] as Pairs)),
      fc.constantFrom(...documented).chain((name) => value(name).map((v) => (pairs: Pairs) => [...pairs, [name, v], [name, v.slice(0, 3)]] as Pairs)),
    );
    // The dimension the deepest bugs hide in: a forged cursor alone, everything else valid.
    if (documented.includes('cursor')) options.push(forgedCursor(world, list, mode).map((c) => (pairs: Pairs) => [...pairs, ['cursor', c]] as Pairs));
  }
  return fc.oneof(...options);
}

/** Percent-encodes every byte outside the unreserved set (lone surrogates become U+FFFD, never a throw). */
export const encodeAll = (s: string) =>
  Array.from(new TextEncoder().encode(s), (b) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');

export const buildQuery = (pairs: [string, string][], raw: boolean) =>
  pairs.length ? `?${pairs.map(([k, v]) => (raw ? `${k}=${v}` : `${encodeAll(k)}=${encodeAll(v)}`)).join('&')}` : '';

/** A header value as `Headers` accepts it: Latin-1 bytes (so UTF-8 arrives as its raw bytes), no NUL, CR or LF. */
const headerValue = (s: string) => Buffer.from(s, 'utf8').toString('latin1').replace(/[\0\r\n]/g, '');

export type Auth = { headers: [string, string][]; query: [string, string][]; note: string };

/** The right credential for the surface: the tenant's test key, or the admin token. */
export function rightAuth(surface: Surface, world: World): Auth {
  if (surface === 'system') return { headers: [], query: [], note: 'no auth' };
  return { headers: [['Authorization', `Bearer ${surface === 'admin' ? world.keys.admin : world.keys.test}`]], query: [], note: 'right key' };
}

/** Every way of getting the Authorization header wrong, or sending the key where it must not go. */
export function wrongAuthArb(surface: Surface, world: World): fc.Arbitrary<Auth> {
  const k = world.keys;
  const right = surface === 'admin' ? k.admin : k.test;
  const header = fc.constantFrom<[string, string | null]>(
    ['none', null],
    ['live', `Bearer ${k.live}`],
    ['revoked', `Bearer ${k.revoked}`],
    ['otherTeam', `Bearer ${k.otherTeam}`],
    ['other surface', `Bearer ${surface === 'admin' ? k.test : k.admin}`],
    ['short', 'Bearer parseo_test_short'],
    ['unknown', `Bearer parseo_test_${'x'.repeat(48)}`],
    ['basic', `Basic ${Buffer.from('user:pass').toString('base64')}`],
    ['colon', `Bearer: ${right}`],
    ['no-scheme', right],
    ['lowercase', `bearer ${right}`],
    ['double-space', `Bearer  ${right}`],
    ['trailing', `Bearer ${right} extra`],
    ['tab', `Bearer\t${right}`],
    ['empty-bearer', 'Bearer '],
    ['only-bearer', 'Bearer'],
    ['two-keys', `Bearer ${right}, Bearer ${k.live}`],
    ['huge', `Bearer ${'A'.repeat(60_000)}`],
    ['latin1', `Bearer parseo_test_${'\u00e9'.repeat(48)}`],
    ['sql', `Bearer parseo_test_' OR '1'='1`],
    ['nul-ish', `Bearer ${right.slice(0, -1)}%00`],
    ['digest', 'Digest username="a", realm="b"'],
  );
  return fc.oneof(
    { weight: 4, arbitrary: header.map(([note, value]) => ({ headers: value === null ? [] : [['Authorization', headerValue(value)]], query: [], note }) as Auth) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('api_key', 'access_token', 'key', 'TOKEN').map((name) => ({ ...rightAuth(surface, world), query: [[name, right]], note: `key in ?${name}` }) as Auth),
    },
  );
}

/** Headers nobody should send: huge Idempotency-Keys, X-Client-Id injections, oversized and repeated fields. */
export function headersArb(world: World): fc.Arbitrary<[string, string][]> {
  const idem = fc.oneof(
    fc.uuid(),
    fc.constant('fuzz-fixed-key'),
    fc.constantFrom('', ' ', 'a b', '\u00e9\u00e8', '\t', 'x'.repeat(256), 'x'.repeat(255), 'k'.repeat(100_000)),
    hostileString,
  );
  const clientId = fc.oneof(fc.constantFrom(world.ids.cl ?? '', ...world.foreignIds), hostileString);
  const extra = fc.oneof(
    fc.tuple(fc.constant('Idempotency-Key'), idem),
    fc.tuple(fc.constant('X-Client-Id'), clientId),
    fc.tuple(fc.constantFrom('X-Forwarded-For', 'X-Real-IP', 'Forwarded', 'Host', 'Origin', 'Referer', 'User-Agent', 'Accept', 'Accept-Encoding', 'Cookie', 'Parseo-Mode', 'Request-Id', 'X-Request-Id', 'X-HTTP-Method-Override', 'Transfer-Encoding', 'Expect'), hostileString),
    fc.tuple(fc.stringMatching(/^X-[A-Za-z0-9-]{1,30}$/), hugeString(10_000, 80_000)),
  );
  return fc
    .tuple(fc.array(extra, { minLength: 1, maxLength: 3 }), rarely(fc.integer({ min: 100, max: 400 }), 8))
    .map(([pairs, many]) => [
      ...pairs.map(([n, v]) => [n, headerValue(v)] as [string, string]),
      ...(many ? Array.from({ length: many }, (_, i) => [`X-Many-${i}`, 'y'.repeat(64)] as [string, string]) : []),
    ]);
}

/** A path parameter that is not this key's: another mode's or team's, another type's, or hostile; raw or percent-encoded. */
export function hostilePathValueArb(world: World): fc.Arbitrary<{ value: string; raw: boolean }> {
  return fc.record({
    value: fc.oneof(
      { weight: 1, arbitrary: fc.constantFrom(...world.foreignIds) },
      { weight: 6, arbitrary: hostileString },
      { weight: 1, arbitrary: fc.constantFrom(...Object.values(world.ids)) },
    ),
    raw: fc.boolean(),
  });
}

/** Another method on the operation's path. */
export const otherMethodArb = (method: string) => fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'FOO', 'PROPFIND').filter((m) => m !== method);

export const pathShapeArb = fc.constantFrom('trailing-slash', 'double-slash', 'upper-prefix', 'extra-segment', 'dot-segment', 'semicolon');

export function reshapePath(path: string, shape: string): string {
  switch (shape) {
    case 'trailing-slash':
      return `${path}/`;
    case 'double-slash':
      return path.replace(/\/(?=[^/]*$)/, '//');
    case 'upper-prefix':
      return path.replace(/^\/(\w)/, (_, c: string) => `/${c.toUpperCase()}`);
    case 'extra-segment':
      return `${path}/..%2f..%2fadmin`;
    case 'dot-segment':
      return path.replace(/\/(?=[^/]*$)/, '/./');
    case 'semicolon':
      return `${path};jsessionid=1`;
    default:
      return path;
  }
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP/1.1 requests, for a real socket: what Node's parser judges before any route runs.

export type RawRequest = { bytes: Buffer; method: string; note: string };

const HEADER_LIMIT = 16 * 1024;

/** Requests as bytes: oversized or invalid headers, bytes that are not HTTP, bodies that are not UTF-8 or not multipart. */
export function rawRequestArb(world: World): fc.Arbitrary<RawRequest> {
  const k = world.keys;
  const target = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('/external/v1/me', '/external/v1/clients', `/external/v1/clients/${world.ids.cl}`, '/external/v1/invoices', '/admin/v1/teams', '/healthz', '/errors', '/openapi.json', '/external/v1/webhooks') },
    { weight: 2, arbitrary: fc.constantFrom('/external/v1/clients/\xff\xfe', '/%00', '/external/v1/../../etc/passwd', '*', 'http://evil.example/external/v1/me', '/external/v1/clients?limit=\xff', '/external/v1/me#frag', '', '/external/v1/me?x=\x7f', `/${'a'.repeat(20_000)}`, '//', '/external/v1/clients/%') },
    { weight: 1, arbitrary: hostileString.map((s) => `/external/v1/clients/${Buffer.from(s, 'utf8').toString('latin1').replace(/[ \r\n]/g, '')}`) },
  );
  const method = fc.oneof({ weight: 6, arbitrary: fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE') }, { weight: 1, arbitrary: fc.constantFrom('TRACE', 'get', 'G\x00T', '\xc4\xd6', 'GET GET', 'OPTIONS', 'PRI', 'M-SEARCH', 'X'.repeat(100)) });
  const version = fc.oneof({ weight: 10, arbitrary: fc.constant('HTTP/1.1') }, { weight: 1, arbitrary: fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', 'http/1.1', '', 'HTTP/1.1 x', 'HTTP/1.') });
  const hostile = fc.constantFrom<[string, () => string]>(
    ['oversized header', () => `X-Big: ${'a'.repeat(HEADER_LIMIT + 100)}`],
    ['just under the limit', () => `X-Big: ${'a'.repeat(HEADER_LIMIT - 600)}`],
    ['many headers', () => Array.from({ length: 400 }, (_, i) => `X-H${i}: ${'v'.repeat(40)}`).join('\r\n')],
    ['huge Idempotency-Key', () => `Idempotency-Key: ${'k'.repeat(20_000)}`],
    ['huge Authorization', () => `Authorization: Bearer ${'A'.repeat(40_000)}`],
    ['NUL in value', () => 'X-A: a\x00b'],
    ['DEL in value', () => 'X-A: a\x7fb'],
    ['bare CR', () => 'X-A: a\rb'],
    ['bare LF', () => 'X-A: a\nX-B: b'],
    ['latin-1 value', () => 'X-A: \xe9\xff\xfe'],
    ['invalid UTF-8 Authorization', () => `Authorization: Bearer parseo_test_${'\xff'.repeat(48)}`],
    ['invalid UTF-8 X-Client-Id', () => 'X-Client-Id: cl_test_\xc3\x28\xed\xa0\x80'],
    ['space in name', () => 'Bad Name: x'],
    ['non-token name', () => '\xffName: x'],
    ['empty name', () => ': novalue'],
    ['no colon', () => 'NoColon'],
    ['obs-fold', () => 'X-A: a\r\n  continued'],
    ['conflicting Content-Length', () => 'Content-Length: 5\r\nContent-Length: 6'],
    ['negative Content-Length', () => 'Content-Length: -1'],
    ['non-numeric Content-Length', () => 'Content-Length: abc'],
    ['Content-Length and chunked', () => 'Content-Length: 3\r\nTransfer-Encoding: chunked'],
    ['unknown Transfer-Encoding', () => 'Transfer-Encoding: gzip'],
    ['Expect', () => 'Expect: the-unexpected'],
    ['Upgrade', () => 'Connection: Upgrade\r\nUpgrade: websocket'],
    ['no Host', () => ''],
    ['two Hosts', () => 'Host: a.example'],
    ['X-Client-Id injection', () => "X-Client-Id: ' OR 1=1 --"],
  );
  const body = fc.oneof(
    { weight: 3, arbitrary: fc.constant({ type: null as string | null, bytes: Buffer.alloc(0), note: 'no body' }) },
    { weight: 2, arbitrary: fc.constantFrom(...INVALID_UTF8).map((b) => ({ type: 'application/json' as string | null, bytes: Buffer.concat([Buffer.from('{"name":"'), Buffer.from(b), Buffer.from('"}')]), note: 'json, invalid utf-8' })) },
    { weight: 2, arbitrary: fc.boolean().chain(multipartArb).map((m) => ({ type: m.contentType, bytes: Buffer.from(m.body), note: m.note })) },
    { weight: 1, arbitrary: fc.constant({ type: 'application/json', bytes: Buffer.from('{"name":'), note: 'truncated json' }) },
    { weight: 1, arbitrary: fc.constant({ type: 'application/json', bytes: Buffer.from('5\r\n{"na"\r\nzz\r\n'), note: 'broken chunks' }) },
  );
  return fc
    .record({ target, method, version, auth: fc.oneof({ weight: 4, arbitrary: fc.constant(`Bearer ${k.test}`) }, { weight: 1, arbitrary: fc.constantFrom(`Bearer ${k.admin}`, '', 'Bearer \xff') }), hostile: fc.array(hostile, { minLength: 0, maxLength: 2 }), body, chunked: fc.boolean() })
    .map(({ target, method, version, auth, hostile, body, chunked }) => {
      const notes = hostile.map(([n]) => n);
      const head = [`${method} ${target} ${version}`.replace(/ $/, '')];
      if (!notes.includes('no Host')) head.push('Host: 127.0.0.1');
      if (auth) head.push(`Authorization: ${auth}`);
      for (const [, make] of hostile) if (make()) head.push(make());
      if (body.type) head.push(`Content-Type: ${body.type}`);
      const sendsLength = !notes.some((n) => /Content-Length|chunked|Transfer-Encoding/.test(n));
      let payload = body.bytes;
      if (sendsLength && body.bytes.length > 0) {
        if (chunked) {
          head.push('Transfer-Encoding: chunked');
          payload = Buffer.concat([Buffer.from(`${body.bytes.length.toString(16)}\r\n`), body.bytes, Buffer.from('\r\n0\r\n\r\n')]);
        } else {
          head.push(`Content-Length: ${body.bytes.length}`);
        }
      }
      head.push('Connection: close');
      const bytes = Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), payload]);
      const note = [...notes, body.note, chunked ? 'chunked' : ''].filter(Boolean).join(', ');
      const text = bytes.toString('latin1');
      const shown = text.length > 800 ? `${text.slice(0, 800)}…(${text.length} bytes)` : text;
      return Object.assign({ bytes, method, note }, { [fc.toStringMethod]: () => `${JSON.stringify(shown)} [${note}]` });
    });
}

import { existsSync, readdirSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { sql, type SQL } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorRegistry } from '../src/errors/registry.ts';
import type { createServer } from 'node:http';
import { apiServerOptions, createApiServer } from '../src/http/node-server.ts';
import { createLogger } from '../src/logger.ts';
import {
  bodyMutationsArb,
  buildQuery,
  encodeAll,
  headersArb,
  hostileEncodingArb,
  hostileJsonContentType,
  hostilePathValueArb,
  hostileQueryArb,
  idKindOf,
  jsonWire,
  listOf,
  multipartArb,
  operationsOf,
  otherMethodArb,
  pathShapeArb,
  rawRequestArb,
  reshapePath,
  rightAuth,
  validQueryArb,
  validValue,
  wrongAuthArb,
  type Auth,
  type Operation,
  type World,
} from './support/fuzz.ts';
import { admin, ADMIN_TOKEN, call, createKey, createTeam, createTenant, harness, partner } from './support/harness.ts';
import { rawRows } from './support/sql.ts';
import { uploadAndWait } from './support/uploads.ts';

/**
 * Hostile input, for every operation of the OpenAPI document: no 5xx, every error problem+json
 * from the registry with nothing leaking, and nothing written by a request that was refused.
 *
 * FUZZ_SEED replays a run (a failure prints the line to use), FUZZ_RUNS sets the cases per
 * operation, FUZZ_RAW_RUNS the raw-HTTP cases, FUZZ_OP keeps the operations whose "METHOD /path"
 * contains it, FUZZ_PATH replays one counterexample. FUZZ_SURVEY=1 runs every case and lists every
 * distinct failure (unshrunk); FUZZ_STATS=1 prints how often each operation answered each status
 * and code, to see how deep the cases reach.
 */

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
if (!Number.isSafeInteger(SEED)) throw new Error(`FUZZ_SEED must be an integer, not ${process.env.FUZZ_SEED}`);
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
const RAW_RUNS = Number(process.env.FUZZ_RAW_RUNS ?? Math.max(200, RUNS * 4));
const ONLY = process.env.FUZZ_OP;
const SURVEY = Boolean(process.env.FUZZ_SURVEY);
const STATS = Boolean(process.env.FUZZ_STATS);

/** With FUZZ_STATS set: how often each operation answered each status and code, to see what the cases reach. */
const stats = new Map<string, Map<string, number>>();
function tally(name: string, status: number, text: string) {
  let code = '';
  try {
    code = status >= 400 ? ` ${(JSON.parse(text) as { code?: string }).code}` : '';
  } catch {
    // HEAD answers have no body.
  }
  const byOp = stats.get(name) ?? new Map<string, number>();
  byOp.set(`${status}${code}`, (byOp.get(`${status}${code}`) ?? 0) + 1);
  stats.set(name, byOp);
}
afterAll(() => {
  if (!STATS) return;
  for (const [name, byOp] of stats) {
    process.stdout.write(`${name}\n${[...byOp].sort((a, b) => b[1] - a[1]).map(([k, n]) => `    ${n}\t${k}`).join('\n')}\n`);
  }
});

const h = await harness();
const doc = (await call(h.app, 'GET', '/openapi.json')).body;
const documented = operationsOf(doc);
// The document does not describe itself nor the page that renders it; both are fuzzed too.
const operations: Operation[] = [
  ...documented,
  { method: 'GET', path: '/openapi.json', surface: 'system', params: [] },
  { method: 'GET', path: '/docs', surface: 'system', params: [] },
];
const opName = (op: Operation) => `${op.method} ${op.path}`;
const selected = operations.filter((op) => !ONLY || opName(op).includes(ONLY));

let world: World;
let tenant: Awaited<ReturnType<typeof createTenant>>;
let victimTeamId: string;
const tmpDir = join(h.config.dataDir, 'files', 'tmp');

// -------------------------------------------------------------------------------------------
// What was written: one query over the tenant's rows (and the admin victim's), cheap enough per case.

type Snapshot = Record<string, unknown>;

const count = (table: string, where: SQL) => sql`(select count(*)::int from ${sql.identifier(table)} x where ${where})`;
const rowsHash = (table: string, columns: string, where: SQL, order = 'x.id') =>
  sql`(select md5(coalesce(string_agg(${sql.raw(columns)}, '|' order by ${sql.raw(order)}), '')) from ${sql.identifier(table)} x where ${where})`;

function snapshotSql(teamId: string, victimId: string, probeName: string): SQL {
  const mine = sql`x.team_id = ${teamId}`;
  const both = sql`x.team_id in (${teamId}, ${victimId})`;
  const columns: Record<string, SQL> = {
    clients: count('clients', mine),
    clients_rows: rowsHash('clients', 'x::text', mine),
    contacts: count('contacts', mine),
    contacts_rows: rowsHash('contacts', 'x::text', mine),
    jobs: count('jobs', mine),
    invoices: count('invoices', mine),
    invoices_rows: rowsHash('invoices', 'x::text', mine),
    webhook_endpoints: count('webhook_endpoints', mine),
    // Not the health columns the delivery worker keeps (failing_since, updated_at).
    webhook_endpoints_rows: rowsHash('webhook_endpoints', "concat_ws('/', x.id, x.mode, x.url, x.description, x.events::text, x.status, x.secret_ciphertext, x.metadata::text)", mine),
    webhook_deliveries: count('webhook_deliveries', mine),
    events: count('events', mine),
    audit_logs: count('audit_logs', mine),
    idempotency_keys: count('idempotency_keys', mine),
    idempotency_rows: rowsHash('idempotency_keys', "concat_ws('/', x.mode, x.key, x.fingerprint, x.response_status)", mine, 'x.mode, x.key'),
    teams_rows: rowsHash('teams', 'x::text', sql`x.id in (${teamId}, ${victimId})`),
    api_keys: count('api_keys', both),
    // Not the usage columns the key-usage tracker flushes.
    api_keys_rows: rowsHash('api_keys', "concat_ws('/', x.id, x.name, x.mode, x.scopes::text, x.revoked_at)", both),
    // A team that POST /admin/v1/teams was asked to create, by the name it was given.
    teams_named: count('teams', sql`x.name = ${probeName}`),
  };
  return sql`select ${sql.join(Object.entries(columns).map(([name, expr]) => sql`${expr} as ${sql.identifier(name)}`), sql`, `)}`;
}

async function snapshot(probeName = ''): Promise<Snapshot> {
  const [row] = await rawRows<Snapshot>(h.database.db, snapshotSql(tenant.team.id, victimTeamId, probeName));
  return row!;
}

/**
 * Waits until no job of the tenant is processing: the job worker is done writing. (The delivery
 * worker only updates rows the snapshot leaves out: delivery status and endpoint health.)
 */
async function settle(timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await rawRows<{ busy: number }>(h.database.db, sql`select count(*)::int as busy from jobs where team_id = ${tenant.team.id} and status = 'processing'`);
    if (row!.busy === 0) return;
    if (Date.now() > deadline) throw new Error(`the tenant's jobs did not finish within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const diffOf = (before: Snapshot, after: Snapshot) => Object.keys(before).filter((k) => before[k] !== after[k]);

// -------------------------------------------------------------------------------------------
// The contract every answer keeps.

const PROBLEM_KEYS = new Set(['type', 'title', 'status', 'code', 'detail', 'requestId', 'param', 'errors']);
const LEAKS: [string, RegExp][] = [
  ['stack frame', /\bat (?:async )?[\w$.<>[\] ]*\(?(?:file:\/\/|\/|node:)[^)\s]*:\d+/],
  ['node_modules', /node_modules/],
  ['source path', /(?:^|[\s'"(`])\/(?:work|home|root|usr|tmp|var|app|srv)\/[\w./-]+/],
  ['source file', /\b(?:src|drizzle|tests)\/[\w/-]+\.[cm]?[tj]s\b/],
  [
    'SQL error',
    /syntax error at or near|invalid input syntax|violates (?:not-null|unique|foreign key|check) constraint|duplicate key value|relation "[^"]+" does not exist|invalid byte sequence for encoding|unterminated quoted|SQLSTATE|Failed query:|PostgresError|DrizzleQueryError|out of range for type|time zone displacement|date\/time field value out of range/i,
  ],
  ['JS error name', /\b(?:TypeError|RangeError|ReferenceError|SyntaxError|URIError)\b|Maximum call stack|Cannot read propert/],
];

type Answer = { status: number; header: (name: string) => string | null; text: string };

/** Every way an answer breaks the contract; `sent` is the request as text, so echoes of it are not called leaks. */
function violations(method: string, answer: Answer, sent: string): string[] {
  const out: string[] = [];
  const { status, header, text } = answer;
  if (status >= 500) out.push(`status ${status}`);
  const requestId = header('request-id');
  if (!requestId || !/^req_[0-9A-Za-z]{24}$/.test(requestId)) out.push(`Request-Id header is ${JSON.stringify(requestId)}`);
  if (status < 400) return out;
  const contentType = header('content-type') ?? '';
  if (!/^application\/problem\+json\s*(?:;|$)/i.test(contentType)) out.push(`content-type is ${JSON.stringify(contentType)}, not application/problem+json`);
  if (status === 405 && !header('allow')) out.push('405 without an Allow header');
  if (method === 'HEAD') return out;
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    out.push(`the error body is not JSON: ${JSON.stringify(text.slice(0, 200))}`);
    return out;
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return [...out, 'the error body is not an object'];
  const entry = (errorRegistry as Record<string, { status: number; title: string }>)[body.code];
  if (!entry) out.push(`code ${JSON.stringify(body.code)} is not in the registry`);
  if (body.status !== status) out.push(`body status ${body.status} ≠ HTTP status ${status}`);
  if (entry && entry.status !== status) out.push(`registry status of ${body.code} is ${entry.status}, answered ${status}`);
  if (entry && body.title !== entry.title) out.push(`title ${JSON.stringify(body.title)} ≠ registry title`);
  if (body.type !== `${h.config.publicBaseUrl}/errors#${body.code}`) out.push(`type is ${JSON.stringify(body.type)}`);
  if (typeof body.detail !== 'string' || body.detail === '') out.push('detail is missing');
  if (body.requestId !== requestId) out.push(`requestId ${JSON.stringify(body.requestId)} ≠ Request-Id header ${JSON.stringify(requestId)}`);
  const extra = Object.keys(body).filter((k) => !PROBLEM_KEYS.has(k));
  if (extra.length) out.push(`unexpected problem members: ${extra.join(', ')}`);
  if (body.errors !== undefined && !(Array.isArray(body.errors) && body.errors.every((e: any) => ['param', 'code', 'message'].every((k) => typeof e?.[k] === 'string')))) {
    out.push('errors[] is not a list of { param, code, message }');
  }
  for (const [what, pattern] of LEAKS) {
    const match = pattern.exec(text);
    if (match && !sent.includes(match[0])) out.push(`leaks a ${what}: ${JSON.stringify(match[0])}`);
  }
  return out;
}

/** The logged errors since `mark`: on a 5xx, the server's own account of what went wrong. */
function serverErrorsSince(mark: number): string[] {
  return h.logs
    .slice(mark)
    .map((line) => JSON.parse(line) as { level: number; msg: string; err?: { type?: string; message?: string; stack?: string } })
    .filter((l) => l.level >= 50 && l.msg !== 'request')
    .map((l) => {
      const lines = (l.err?.message ?? '').split('\n');
      const gist = `${lines[0]!.slice(0, 60)}${lines.length > 1 ? ` … ${lines.at(-1)!.slice(-60)}` : ''}`;
      return `${l.msg}: ${l.err?.type ?? ''} ${gist}\n${l.err?.message ?? ''}\n${(l.err?.stack ?? '').split('\n').slice(1, 6).join('\n')}`;
    });
}

// -------------------------------------------------------------------------------------------
// One hostile request per case, built from the operation's own description.

type FuzzCase = { method: string; url: string; headers: [string, string][]; body: string | Uint8Array | undefined; notes: string[]; probeName: string };

const summarise = (c: FuzzCase) => {
  const body = c.body === undefined ? '' : typeof c.body === 'string' ? c.body : Buffer.from(c.body).toString('latin1');
  const short = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s);
  return [
    `${c.method} ${short(c.url.replace('http://localhost', ''), 300)}`,
    ...c.headers.map(([k, v]) => `${k}: ${short(v, 120)}`),
    body ? `\n${short(JSON.stringify(body), 600)}` : '',
    `  [${c.notes.join('; ')}]`,
  ].join('\n');
};

/** The ways a request can be hostile; a case breaks one of them mostly, sometimes two or three. */
type Dimension = 'path' | 'query' | 'auth' | 'headers' | 'body' | 'encoding' | 'contentType' | 'method' | 'shape';

function dimensionsOf(op: Operation): Dimension[] {
  const dims: Dimension[] = ['query', 'query', 'auth', 'headers', 'method', 'shape'];
  if (op.params.some((p) => p.in === 'path')) dims.push('path', 'path', 'path');
  if (op.body?.contentType === 'application/json') dims.push('body', 'body', 'body', 'body', 'encoding', 'encoding', 'contentType');
  else if (op.body) dims.push('body', 'body', 'body', 'body', 'body');
  else dims.push('body');
  return dims;
}

function caseArb(op: Operation): fc.Arbitrary<FuzzCase> {
  const dims = dimensionsOf(op);
  const chosen = fc.oneof({ weight: 7, arbitrary: fc.constantFrom(...dims).map((d) => [d]) }, { weight: 3, arbitrary: fc.shuffledSubarray(dims, { minLength: 2, maxLength: 3 }) });
  return chosen.chain((list) => {
    const hostile = new Set(list);
    return fc
      .record({
        hostile: fc.constant(hostile),
        method: hostile.has('method') ? otherMethodArb(op.method) : fc.constant(op.method),
        shape: hostile.has('shape') ? pathShapeArb : fc.constant('as-is'),
        path: pathArb(op, hostile.has('path')),
        query: fc.tuple(validQueryArb(op.params, world), hostile.has('query') ? hostileQueryArb(op.params, world, listOf(op.path, world), modeOf(op)) : fc.constant((p: [string, string][]) => p), fc.boolean()),
        auth: hostile.has('auth') ? wrongAuthArb(op.surface, world) : fc.constant(rightAuth(op.surface, world)),
        headers: hostile.has('headers') ? headersArb(world) : fc.constant([] as [string, string][]),
        body: bodyArb(op, hostile),
      })
      .map(buildCase(op));
  });
}

const modeOf = (op: Operation) => (op.surface === 'partner' ? 'test' : null);

function pathArb(op: Operation, hostile: boolean): fc.Arbitrary<string> {
  const names = op.params.filter((p) => p.in === 'path').map((p) => p.name);
  const real = (name: string) => world.ids[idKindOf(op.path, name)] ?? 'x';
  const fill = (values: Record<string, string>) => names.reduce((path, name) => path.replace(`{${name}}`, values[name] ?? encodeAll(real(name))), op.path);
  if (!hostile || names.length === 0) return fc.constant(fill({}));
  return fc
    .tuple(fc.constantFrom(...names), hostilePathValueArb(world))
    .map(([name, { value, raw }]) => fill({ [name]: raw ? value : encodeAll(value) }));
}

type WireCase = { body: string | Uint8Array; contentType: string | null; note: string } | null;

function bodyArb(op: Operation, hostile: Set<Dimension>): fc.Arbitrary<WireCase> {
  if (op.body?.contentType === 'multipart/form-data') return multipartArb(hostile.has('body'));
  if (!op.body) {
    // An operation that takes no body, sent one anyway.
    if (!hostile.has('body')) return fc.constant(null);
    return fc
      .tuple(validValue({ type: 'object', properties: { x: { type: 'string' } } }, world), bodyMutationsArb, fc.oneof(fc.constant({ kind: 'json' as const }), hostileEncodingArb), fc.oneof(fc.constant('application/json'), hostileJsonContentType))
      .map(([base, mutations, enc, contentType]) => ({ ...jsonWire(base, {}, mutations, enc), contentType, note: `stray body` }));
  }
  const schema = op.body.schema;
  return fc
    .tuple(
      validValue(schema, world),
      hostile.has('body') ? bodyMutationsArb : fc.constant([]),
      hostile.has('encoding') ? hostileEncodingArb : fc.constant({ kind: 'json' as const }),
      hostile.has('contentType') ? hostileJsonContentType : fc.constant('application/json'),
    )
    .map(([base, mutations, enc, contentType]) => {
      const wire = jsonWire(base, schema, [...mutations], enc);
      return { body: wire.body, contentType, note: wire.note };
    });
}

type CaseParts = {
  hostile: Set<Dimension>;
  method: string;
  shape: string;
  path: string;
  query: [[string, string][], (pairs: [string, string][]) => [string, string][], boolean];
  auth: Auth;
  headers: [string, string][];
  body: WireCase;
};

const buildCase =
  (op: Operation) =>
  ({ hostile, method, shape, path, query, auth, headers, body }: CaseParts): FuzzCase => {
    const [validPairs, spoil, raw] = query;
    const pairs = [...spoil(validPairs), ...auth.query];
    const withBody = body !== null && method !== 'GET' && method !== 'HEAD';
    const allHeaders: [string, string][] = [...auth.headers, ...headers];
    if (withBody && body.contentType !== null) allHeaders.push(['Content-Type', body.contentType]);
    let probeName = '';
    if (withBody && typeof body.body === 'string' && op.method === 'POST' && op.path === '/admin/v1/teams') {
      try {
        const name = (JSON.parse(body.body) as { name?: unknown })?.name;
        // A name holding NUL cannot be stored at all, so there is nothing to look for.
        if (typeof name === 'string' && !name.includes('\0')) probeName = name.trim();
      } catch {
        // Not JSON: no team name to look for.
      }
    }
    const c: FuzzCase = {
      method,
      url: `http://localhost${reshapePath(path, shape)}${buildQuery(pairs, raw && hostile.has('query'))}`,
      headers: allHeaders,
      body: withBody ? body.body : undefined,
      notes: [`hostile: ${[...hostile].join('+')}`, auth.note, shape, withBody ? body.note : ''].filter((n) => n && n !== 'as-is'),
      probeName,
    };
    return Object.assign(c, { [fc.toStringMethod]: () => summarise(c) });
  };

/** The last snapshot, still true when the case after it starts (a refused request changes nothing). */
let cached: { probe: string; snapshot: Snapshot } | undefined;

let previous: FuzzCase | undefined;
async function runCase(op: Operation, c: FuzzCase): Promise<void> {
  const prior = previous;
  previous = c;
  // A team name probe changes the query, so that operation takes a fresh snapshot each time.
  const before = cached?.probe === c.probeName ? cached.snapshot : await snapshot(c.probeName);
  const isUpload = op.path === '/external/v1/invoices' && op.method === 'POST';
  const tmpBefore = isUpload ? new Set(readdirSync(tmpDir)) : undefined;
  const mark = h.logs.length;
  const headers = new Headers();
  for (const [name, value] of c.headers) headers.append(name, value);
  const res = await h.app.request(c.url, { method: c.method, headers, body: c.body });
  const text = await res.text();
  const sent = [c.url, lenientDecode(c.url), ...c.headers.flat(), typeof c.body === 'string' ? c.body : c.body ? Buffer.from(c.body).toString('utf8') : ''].join('\n');
  const problems = violations(c.method, { status: res.status, header: (n) => res.headers.get(n), text }, sent);
  const fail = (what: string[]) => {
    const logged = serverErrorsSince(mark);
    // The cause, on the first line: what a survey tells failures apart by.
    const cause = logged[0]?.split('\n')[0]?.slice(-90) ?? '';
    throw new Error(
      [`${opName(op)} answered ${res.status}: ${what.join('; ')}${cause ? ` (${cause})` : ''}`, `request:\n${summarise(c)}`, `answer: ${res.status} ${res.headers.get('content-type')} ${text.slice(0, 500)}`, ...(logged.length ? ['server log:', ...logged] : [])].join('\n'),
    );
  };
  if (problems.length) fail(problems);
  if (STATS) tally(opName(op), res.status, text);

  if (res.status >= 400) {
    const after = await snapshot(c.probeName);
    let changed = diffOf(before, after);
    // SPEC §6: the first answer to an Idempotency-Key is stored, a 4xx included (not 401/403/429).
    // As the app reads it: repeated fields joined, the whole value trimmed.
    const idem = headers.get('idempotency-key')?.trim() ?? null;
    const keyHonoured = c.method === 'POST' && idem !== null && /^[\x21-\x7e]{1,255}$/.test(idem) && ![401, 403, 429].includes(res.status);
    if (keyHonoured && (after.idempotency_keys as number) - (before.idempotency_keys as number) <= 1) {
      changed = changed.filter((k) => k !== 'idempotency_keys' && k !== 'idempotency_rows');
    }
    if (changed.length) fail([`a ${res.status} wrote: ${changed.map((k) => `${k} ${String(before[k])} → ${String(after[k])}`).join(', ')}`]);
    if (tmpBefore) {
      // A file the parser goes on staging after the answer lands within moments: wait for it here,
      // so it is blamed on this case rather than the next.
      await new Promise((r) => setTimeout(r, 25));
      const stranded = readdirSync(tmpDir).filter((f) => !tmpBefore.has(f));
      if (stranded.length) {
        // Another test worker may be mid-upload in the same directory: its file goes within moments.
        await new Promise((r) => setTimeout(r, 300));
        const left = stranded.filter((f) => existsSync(join(tmpDir, f)));
        if (left.length) {
          // A stray file can land just after its request was answered: it is this case's or the one before.
          fail([`${left.length} staged file(s) left in DATA_DIR/files/tmp by a refused upload (this case or the previous one); previous case:\n${prior ? summarise(prior) : '(none)'}`]);
        }
      }
    }
    cached = { probe: c.probeName, snapshot: after };
  } else if (c.method !== 'GET' && c.method !== 'HEAD') {
    // A request that was accepted may write, now and through the workers: wait for them.
    await settle();
    cached = undefined;
  }
}

/** Percent-decodes whatever decodes, leaving the rest: the URL as the server may echo it. */
const lenientDecode = (s: string) =>
  s.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return Buffer.from(run.replaceAll('%', ''), 'hex').toString('latin1');
    }
  });

/**
 * fc.assert, with the line that replays a failure. With FUZZ_SURVEY set, every case runs and
 * every distinct failure is reported at the end, unshrunk: a map of what is broken.
 */
async function fuzz<T>(name: string, arb: fc.Arbitrary<T>, numRuns: number, check: (value: T) => Promise<void>) {
  const seed = (SEED + [...name].reduce((a, ch) => (a * 31 + ch.charCodeAt(0)) | 0, 7)) | 0;
  if (SURVEY) {
    const found = new Map<string, string>();
    await fc.assert(
      fc.asyncProperty(arb, async (value) => {
        await check(value).catch((err: Error) => {
          const kind = err.message.split('\n')[0]!.replace(/"[^"]*"|\d{4,}|req_\w+/g, '…');
          if (!found.has(kind)) found.set(kind, err.message);
          cached = undefined;
        });
      }),
      { seed, numRuns },
    );
    if (found.size) throw new Error(`${found.size} distinct failure(s) (FUZZ_SEED=${SEED}):\n\n${[...found.values()].join('\n\n')}`);
    return;
  }
  // A failed case may have written: the next one (a shrink step) takes a fresh snapshot.
  const checked = (value: T) => check(value).catch((err: unknown) => {
    cached = undefined;
    throw err;
  });
  const details = await fc.check(fc.asyncProperty(arb, checked), { seed, numRuns, path: process.env.FUZZ_PATH });
  if (details.failed) {
    const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(`Replay with FUZZ_SEED=${SEED} FUZZ_OP='${name}' FUZZ_PATH='${details.counterexamplePath}'\n${error}\n\n${fc.defaultReportMessage(details)}`);
  }
}

// -------------------------------------------------------------------------------------------

beforeAll(async () => {
  // Ceilings out of reach: a rate limit would answer every case before validation does.
  tenant = await createTenant(h.app, { limits: { requestsPerMinute: 1_000_000_000, requestsPerHour: 1_000_000_000 } });
  const victim = await createTeam(h.app, { name: `Fuzz victim ${Date.now()}` });
  victimTeamId = victim.id;
  const victimKey = await createKey(h.app, victim.id, 'test');
  const revoked = await createKey(h.app, tenant.team.id, 'test');
  await admin(h.app, 'POST', `/api-keys/${revoked.id}/revoke`);
  const other = await createTenant(h.app);
  const liveClient = await partner(h.app, 'POST', '/clients', tenant.live, { body: { name: 'Fuzz live client' } });
  const otherClient = await partner(h.app, 'POST', '/clients', other.test, { body: { name: 'Other team client' } });
  world = {
    ids: { team: victim.id, key: victimKey.id },
    foreignIds: [liveClient.body.id, otherClient.body.id, `inv_live_${'A'.repeat(24)}`, `we_live_${'B'.repeat(24)}`, other.team.id, other.testKey.id],
    keys: { test: tenant.test, live: tenant.live, admin: ADMIN_TOKEN, revoked: revoked.secret, otherTeam: other.test },
    lists: [],
  };
  await ensureSeeds();
  // The snapshot must see the tenant's rows (row-level security hides them from a scope-less
  // statement): with counts stuck at zero, "nothing was written" would hold vacuously.
  const seen = await snapshot();
  for (const table of ['clients', 'contacts', 'jobs', 'invoices', 'webhook_endpoints', 'webhook_deliveries', 'events', 'audit_logs', 'api_keys']) {
    expect(seen[table], `${table} rows seen by the snapshot`).toBeGreaterThan(0);
  }
});

/**
 * One resource of every kind in the tenant's test mode, for path parameters that get past "not
 * found". A valid DELETE or a test-mode reset among the cases removes them: they are put back
 * before each operation.
 */
async function ensureSeeds(): Promise<void> {
  const ids = world.ids;
  const key = tenant.test;
  const exists = async (table: string, id: string | undefined) =>
    id !== undefined && (await rawRows(h.database.db, sql`select 1 from ${sql.identifier(table)} where id = ${id}`)).length > 0;
  const created = async (res: Promise<{ status: number; text: string; body: any }>) => {
    const r = await res;
    expect(r.status, r.text).toBeLessThan(300);
    return r.body;
  };
  if (!(await exists('clients', ids.cl))) ids.cl = (await created(partner(h.app, 'POST', '/clients', key, { body: { name: 'Fuzz client' } }))).id;
  if (!(await exists('contacts', ids.ct))) ids.ct = (await created(partner(h.app, 'POST', '/contacts', key, { body: { name: 'Fuzz contact', clientId: ids.cl } }))).id;
  if (!(await exists('webhook_endpoints', ids.we))) {
    // Pings only: the events of the fuzzed writes do not fan out to it.
    ids.we = (await created(partner(h.app, 'POST', '/webhooks', key, { body: { url: 'http://127.0.0.1:9/fuzz', events: ['webhook.ping'] } }))).id;
  }
  if (!(await exists('webhook_deliveries', ids.del))) {
    await created(partner(h.app, 'POST', `/webhooks/${ids.we}/ping`, key));
    ids.del = (await created(partner(h.app, 'GET', `/webhooks/${ids.we}/deliveries`, key))).data[0].id;
  }
  if (!(await exists('jobs', ids.job)) || !(await exists('invoices', ids.inv))) {
    const job = await uploadAndWait(h.app, key, Buffer.from('<Invoice><ID>fuzz</ID></Invoice>'), { filename: 'fuzz.xml' });
    expect(job.status).toBe('completed');
    ids.job = job.id;
    ids.inv = job.invoiceId!;
  }
  if (!(await exists('events', ids.evt))) ids.evt = (await created(partner(h.app, 'GET', '/events', key))).data[0].id;
  if (!(await exists('audit_logs', ids.al))) ids.al = (await created(partner(h.app, 'GET', '/audit-logs', key))).data[0].id;
  world.lists = ['clients', 'contacts', 'invoices', 'jobs', 'events', 'audit-logs', 'webhooks', 'teams', `deliveries:${ids.we}`, `api-keys:${ids.team}`];
  await settle();
}

describe('the operations under fuzz', () => {
  it('are every operation of the OpenAPI document, on every surface', () => {
    const surfaces = new Set(documented.map((op) => op.surface));
    expect(documented.length).toBeGreaterThanOrEqual(40);
    expect([...surfaces].sort()).toEqual(['admin', 'partner', 'system']);
    for (const needed of ['POST /external/v1/invoices', 'PATCH /admin/v1/teams/{id}', 'GET /healthz', 'GET /readyz', 'GET /errors']) {
      expect(documented.map(opName)).toContain(needed);
    }
    // Every body the document describes is one the fuzzer knows how to break.
    for (const op of documented) if (op.body) expect(['application/json', 'multipart/form-data']).toContain(op.body.contentType);
  });
});

describe.each(selected.map((op) => ({ op, name: opName(op) })))('$name', ({ op, name }) => {
  // The upload's multipart body has the most ways to be broken: it gets twice the cases.
  const runs = op.body?.contentType === 'multipart/form-data' ? RUNS * 2 : RUNS;
  it(`survives ${runs} hostile requests`, { timeout: 30_000 + runs * 500 }, async () => {
    await ensureSeeds();
    cached = undefined;
    await fuzz(name, caseArb(op), runs, (c) => runCase(op, c));
  });
});

// -------------------------------------------------------------------------------------------
// Over a real socket: what Node's HTTP parser sees before any route does.

describe.skipIf(ONLY !== undefined && !'raw HTTP'.includes(ONLY))('raw HTTP on loopback', () => {
  let server: ServerType;
  let port: number;

  beforeAll(async () => {
    port = await new Promise<number>((resolve) => {
      // The production server as src/server.ts builds it: its limits, its parser-error answers.
      server = serve(
        {
          fetch: h.app.fetch,
          port: 0,
          hostname: '127.0.0.1',
          serverOptions: apiServerOptions(h.config.http),
          createServer: createApiServer(h.config.publicBaseUrl, createLogger('silent')) as unknown as typeof createServer,
        },
        (info: AddressInfo) => resolve(info.port),
      );
    });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it(`answers ${RAW_RUNS} malformed requests with problem+json, never a 5xx`, { timeout: 30_000 + RAW_RUNS * 100 }, async () => {
    await fuzz('raw HTTP', rawRequestArb(world), RAW_RUNS, async (raw) => {
      const bytes = await exchange(port, raw.bytes);
      const answers = parseResponses(bytes);
      const sent = raw.bytes.toString('latin1');
      const describeIt = () => `request: ${JSON.stringify(sent.slice(0, 600))} [${raw.note}]\nanswer: ${JSON.stringify(bytes.toString('latin1').slice(0, 600))}`;
      if (answers.length === 0) throw new Error(`no HTTP answer at all\n${describeIt()}`);
      for (const answer of answers) {
        if (STATS) tally('raw HTTP', answer.status, answer.text);
        const problems = violations(raw.method, answer, sent);
        if (problems.length) throw new Error(`answer ${answer.status}: ${problems.join('; ')}\n${describeIt()}`);
      }
    });
  });
});

/** Sends raw bytes and reads until the server closes the connection. */
function exchange(port: number, bytes: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1');
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within 5 s; got ${JSON.stringify(Buffer.concat(chunks).toString('latin1').slice(0, 300))} for ${JSON.stringify(bytes.toString('latin1').slice(0, 300))}`));
    }, 5_000);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => {
      // A reset after the answer is fine: what was read is judged below.
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    socket.end(bytes);
  });
}

/** Every response in a byte stream (1xx interim answers skipped). */
function parseResponses(bytes: Buffer): Answer[] {
  const answers: Answer[] = [];
  let rest = bytes;
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) break;
    const [statusLine, ...lines] = rest.subarray(0, end).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1] ?? 0);
    const headers = new Map(lines.map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    rest = rest.subarray(end + 4);
    let body: Buffer;
    if (headers.get('transfer-encoding')?.toLowerCase() === 'chunked') {
      const parts: Buffer[] = [];
      for (;;) {
        const lineEnd = rest.indexOf('\r\n');
        const size = parseInt(rest.subarray(0, lineEnd).toString('latin1'), 16);
        if (lineEnd < 0 || !Number.isFinite(size)) break;
        parts.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
        rest = rest.subarray(lineEnd + 2 + size + 2);
        if (size === 0) break;
      }
      body = Buffer.concat(parts);
    } else {
      const length = headers.has('content-length') ? Number(headers.get('content-length')) : rest.length;
      body = rest.subarray(0, length);
      rest = rest.subarray(length);
    }
    if (status >= 100 && status < 200) continue;
    answers.push({ status, header: (n) => headers.get(n.toLowerCase()) ?? null, text: body.toString('utf8') });
  }
  return answers;
}

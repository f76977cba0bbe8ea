import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomBase62, type Mode } from '../src/ids.ts';
import { createTenant, harness, partner, type ApiResponse, type Harness, type RequestOptions } from './support/harness.ts';

/**
 * SPEC §4 as a property: two teams × two modes are four worlds. Random sequences of client,
 * contact and audit-log operations, each made with one world's key and aimed at IDs drawn from
 * every world, must never let an ID or object cross a world, must answer every cross reference
 * with its specified error, and must write nothing when they refuse.
 *
 * A model tracks which world owns each ID and what each world holds; after every refused write the
 * worlds involved are listed in full and compared with it.
 */

type Kind = 'client' | 'contact';
/** A world: 0 = team 0 live, 1 = team 0 test, 2 = team 1 live, 3 = team 1 test. */
type World = number;
/**
 * An ID taken from everything created so far in every world, or (`own`) from what the caller's
 * world created, so that successful writes, deletes and 409s happen often enough; or an ID that
 * never existed.
 */
type Ref = { pick: number; own?: true } | { fabricated: Mode };

type Op =
  | { op: 'createClient'; w: World }
  | { op: 'createContact'; w: World; client: Ref | null }
  | { op: 'get' | 'delete'; w: World; kind: Kind; target: Ref }
  // `client`: undefined sends no clientId, null clears it, a Ref sets it (contacts only).
  | { op: 'patch'; w: World; kind: Kind; target: Ref; client?: Ref | null }
  | { op: 'list'; w: World; list: 'clients' | 'contacts' | 'audit-logs'; limit: number }
  | { op: 'listByClient'; w: World; client: Ref; limit: number };

const modeOf = (w: World): Mode => (w % 2 === 0 ? 'live' : 'test');
const prefixOf = { client: 'cl', contact: 'ct' } as const;
const pathOf = { client: '/clients', contact: '/contacts' } as const;
const ID_PATTERN = /\b(?:cl|ct|al)_(?:live|test)_[0-9A-Za-z]{24}\b/g;

// ——— Generators ————————————————————————————————————————————————————————————————————————

const worldArb = fc.integer({ min: 0, max: 3 });
const kindArb = fc.constantFrom<Kind>('client', 'contact');
const refArb: fc.Arbitrary<Ref> = fc.oneof(
  { weight: 4, arbitrary: fc.nat({ max: 1000 }).map((pick) => ({ pick })) },
  { weight: 5, arbitrary: fc.nat({ max: 1000 }).map((pick) => ({ pick, own: true as const })) },
  { weight: 1, arbitrary: fc.constantFrom<Mode>('live', 'test').map((fabricated) => ({ fabricated })) },
);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('createClient' as const), w: worldArb }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('createContact' as const), w: worldArb, client: fc.option(refArb, { freq: 3 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constantFrom('get' as const, 'delete' as const), w: worldArb, kind: kindArb, target: refArb }) },
  {
    weight: 3,
    arbitrary: fc.record(
      { op: fc.constant('patch' as const), w: worldArb, kind: kindArb, target: refArb, client: fc.option(refArb, { nil: null, freq: 4 }) },
      { requiredKeys: ['op', 'w', 'kind', 'target'] },
    ),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('list' as const), w: worldArb, list: fc.constantFrom('clients' as const, 'contacts' as const, 'audit-logs' as const), limit: fc.integer({ min: 1, max: 4 }) }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('listByClient' as const), w: worldArb, client: refArb, limit: fc.integer({ min: 1, max: 3 }) }) },
);

/** A hand-written sequence that reaches every outcome at least once; fast-check runs it first. */
const coveringExample: Op[] = [
  { op: 'createClient', w: 0 }, // client 0: team 0 live
  { op: 'createClient', w: 1 }, // client 1: team 0 test
  { op: 'createClient', w: 2 }, // client 2: team 1 live
  { op: 'createContact', w: 0, client: { pick: 0 } }, // contact 0 → client 0
  { op: 'createContact', w: 1, client: { pick: 0 } }, // other mode → client_mode_mismatch
  { op: 'createContact', w: 2, client: { pick: 0 } }, // other team → reference_not_found
  { op: 'createContact', w: 3, client: { fabricated: 'test' } }, // never existed → reference_not_found
  { op: 'delete', w: 0, kind: 'client', target: { pick: 0 } }, // in use
  { op: 'get', w: 1, kind: 'client', target: { pick: 0 } }, // other mode → 404 naming it
  { op: 'get', w: 2, kind: 'client', target: { pick: 0 } }, // other team → plain 404
  { op: 'patch', w: 3, kind: 'contact', target: { pick: 0 } }, // other team
  { op: 'patch', w: 0, kind: 'contact', target: { pick: 0 }, client: { pick: 1 } }, // ref of the other mode
  { op: 'patch', w: 0, kind: 'contact', target: { pick: 0 }, client: { pick: 2 } }, // ref of another team
  { op: 'patch', w: 0, kind: 'contact', target: { pick: 0 }, client: null }, // clears the reference
  { op: 'delete', w: 1, kind: 'contact', target: { pick: 0 } }, // other mode
  { op: 'delete', w: 0, kind: 'client', target: { pick: 0 } }, // no longer in use → deleted
  { op: 'get', w: 0, kind: 'client', target: { pick: 0 } }, // deleted → plain 404
  { op: 'createContact', w: 0, client: { pick: 0 } }, // deleted client → reference_not_found
  { op: 'patch', w: 1, kind: 'client', target: { pick: 1 } },
  { op: 'get', w: 1, kind: 'client', target: { fabricated: 'live' } },
  { op: 'createClient', w: 0 },
  { op: 'createClient', w: 0 },
  { op: 'createClient', w: 0 },
  { op: 'list', w: 0, list: 'clients', limit: 1 },
  { op: 'list', w: 0, list: 'audit-logs', limit: 2 },
  { op: 'listByClient', w: 1, client: { pick: 0 }, limit: 2 }, // filter of the other mode
  { op: 'listByClient', w: 3, client: { pick: 1 }, limit: 2 }, // filter of another team: empty
  { op: 'delete', w: 0, kind: 'contact', target: { pick: 0 } },
];

// ——— The model ——————————————————————————————————————————————————————————————————————————

type Entity = { kind: Kind; world: World; name: string; clientId: string | null; deleted: boolean };

class Model {
  readonly entities = new Map<string, Entity>();
  readonly created: Record<Kind, string[]> = { client: [], contact: [] };
  readonly auditOwner = new Map<string, World>();
  readonly auditCount = [0, 0, 0, 0];

  owner(id: string): World | undefined {
    return this.entities.get(id)?.world ?? this.auditOwner.get(id);
  }

  alive(world: World, kind: Kind): [string, Entity][] {
    return [...this.entities].filter(([, e]) => e.world === world && e.kind === kind && !e.deleted);
  }

  inUse(clientId: string): boolean {
    return [...this.entities.values()].some((e) => e.kind === 'contact' && !e.deleted && e.clientId === clientId);
  }

  /** Resolves a generated reference to an ID: of any world, or fabricated (owned by nobody). */
  resolve(kind: Kind, ref: Ref, caller: World): string {
    const all = this.created[kind];
    const own = all.filter((id) => this.entities.get(id)!.world === caller);
    const ids = 'pick' in ref && ref.own && own.length > 0 ? own : all;
    if ('pick' in ref && ids.length > 0) return ids[ref.pick % ids.length]!;
    const mode = 'fabricated' in ref ? ref.fabricated : ref.pick % 2 === 0 ? 'live' : 'test';
    return `${prefixOf[kind]}_${mode}_${randomBase62(24)}`;
  }
}

/** How an ID relates to the caller's world. */
type Relation = 'own' | 'ownDeleted' | 'otherMode' | 'otherTeam' | 'fabricated';

function relation(model: Model, w: World, id: string): Relation {
  const idMode = id.split('_')[1] as Mode;
  if (idMode !== modeOf(w)) return 'otherMode';
  const entity = model.entities.get(id);
  if (!entity) return 'fabricated';
  if (entity.world !== w) return 'otherTeam';
  return entity.deleted ? 'ownDeleted' : 'own';
}

// ——— The property ———————————————————————————————————————————————————————————————————————

let h: Harness;
/** The answer for an ID that does not exist in the caller's world, with the ID taken out. */
const notFoundDetail: Partial<Record<Kind, string>> = {};
/** Which outcomes the runs reached: the test fails if one was never exercised. */
const reached = new Map<string, number>();
const reach = (outcome: string) => reached.set(outcome, (reached.get(outcome) ?? 0) + 1);

beforeAll(async () => {
  h = await harness();
  const tenant = await createTenant(h.app);
  for (const kind of ['client', 'contact'] as const) {
    const id = `${prefixOf[kind]}_test_${randomBase62(24)}`;
    const res = await partner(h.app, 'GET', `${pathOf[kind]}/${id}`, tenant.test);
    expect(res.status).toBe(404);
    notFoundDetail[kind] = (res.body.detail as string).replaceAll(id, '<id>');
  }
});

async function runSequence(ops: Op[]): Promise<void> {
  const teams = [await createTenant(h.app), await createTenant(h.app)];
  const keys = teams.flatMap((t) => [t.live, t.test]);
  const model = new Model();
  let counter = 0;

  /** Every response: the caller's mode header; no ID of another world (beyond what the caller sent, echoed in an error); every object in the caller's mode. */
  function inspect(w: World, res: ApiResponse, sent: string[]): void {
    expect(res.headers.get('parseo-mode')).toBe(modeOf(w));
    for (const [id] of res.text.matchAll(ID_PATTERN)) {
      if (res.status >= 400 && sent.includes(id)) continue;
      const owner = model.owner(id);
      expect(owner, `${id} in a response to world ${w}, owned by world ${owner}: ${res.text}`).toBe(w);
    }
    if (res.status < 300) {
      const walk = (value: unknown): void => {
        if (Array.isArray(value)) return value.forEach(walk);
        if (value && typeof value === 'object') {
          if ('mode' in value) expect((value as { mode: unknown }).mode).toBe(modeOf(w));
          Object.values(value).forEach(walk);
        }
      };
      walk(res.body);
    }
  }

  const send = async (w: World, method: string, path: string, options: RequestOptions = {}) => {
    const res = await partner(h.app, method, path, keys[w]!, options);
    if (res.status >= 500) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
    return res;
  };

  /** Follows nextCursor to the end; checks each page and the newest-first order. */
  async function listAll(w: World, path: string, limit: number, query: Record<string, string> = {}): Promise<any[]> {
    const items: any[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await send(w, 'GET', path, { query: { limit: String(limit), ...query, ...(cursor ? { cursor } : {}) } });
      expect(res.status, res.text).toBe(200);
      if (path === '/audit-logs') {
        // Entries are new to the model: each must be in the caller's mode and never seen in another world.
        for (const entry of res.body.data as { id: string }[]) {
          expect(entry.id).toMatch(new RegExp(`^al_${modeOf(w)}_`));
          expect(model.auditOwner.get(entry.id) ?? w).toBe(w);
          model.auditOwner.set(entry.id, w);
        }
      }
      inspect(w, res, []);
      expect(res.body.object).toBe('list');
      expect(res.body.data.length).toBeLessThanOrEqual(limit);
      expect(res.body.hasMore).toBe(res.body.nextCursor !== null);
      items.push(...res.body.data);
      cursor = res.body.nextCursor;
      expect(++pages).toBeLessThanOrEqual(500);
    } while (cursor);
    if (pages > 1) reach('list.paged');
    const ids = items.map((item) => item.id as string);
    expect(new Set(ids).size, 'a page repeated an item').toBe(ids.length);
    for (let i = 1; i < items.length; i++) expect(items[i].createdAt <= items[i - 1].createdAt, `${path} is not newest first`).toBe(true);
    return items;
  }

  /** The world as the API lists it equals the model: same objects, same fields, same audit count. */
  async function expectWorldMatchesModel(w: World): Promise<void> {
    const clients = await listAll(w, '/clients', 100);
    expect(Object.fromEntries(clients.map((c) => [c.id, c.name]))).toEqual(Object.fromEntries(model.alive(w, 'client').map(([id, e]) => [id, e.name])));
    const contacts = await listAll(w, '/contacts', 100);
    expect(Object.fromEntries(contacts.map((c) => [c.id, [c.name, c.clientId]]))).toEqual(
      Object.fromEntries(model.alive(w, 'contact').map(([id, e]) => [id, [e.name, e.clientId]])),
    );
    expect(await listAll(w, '/audit-logs', 100)).toHaveLength(model.auditCount[w]!);
  }

  /** A refused write: nothing changed, neither in the caller's world nor in the one it aimed at. */
  async function expectNothingWritten(...worlds: (World | undefined)[]): Promise<void> {
    for (const w of new Set(worlds.filter((x): x is World => x !== undefined))) await expectWorldMatchesModel(w);
  }

  function expectProblem(res: ApiResponse, status: number, code: string, param?: string): void {
    expect(res.status, res.text).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.body.code).toBe(code);
    if (param) expect(res.body.param).toBe(param);
  }

  /** The 404 for a path ID. Of the other mode it says so (beyond the ID itself); otherwise it is the answer for an ID that never existed. */
  function expectPathNotFound(res: ApiResponse, kind: Kind, id: string, rel: Relation): void {
    expectProblem(res, 404, 'resource.not_found');
    const detail = (res.body.detail as string).replaceAll(id, '<id>');
    if (rel === 'otherMode') {
      // e.g. "<id> is a live-mode ID, … use a parseo_live_… key": the mode is named, not just echoed in the ID.
      expect(detail).toMatch(new RegExp(`\\b${id.split('_')[1]}\\b`));
      expect(detail).not.toBe(notFoundDetail[kind]);
    } else {
      expect(detail).toBe(notFoundDetail[kind]);
    }
    reach(`path.${rel}`);
  }

  /** The 400 for a clientId reference that is not a client of the caller's world. */
  function expectReferenceRefused(res: ApiResponse, rel: Relation): void {
    if (rel === 'otherMode') expectProblem(res, 400, 'validation.client_mode_mismatch', 'clientId');
    else expectProblem(res, 400, 'validation.reference_not_found', 'clientId');
    reach(`ref.${rel}`);
  }

  const recordWrite = (w: World) => model.auditCount[w]!++;

  for (const op of ops) {
    const w = op.w;
    switch (op.op) {
      case 'createClient': {
        const name = `Client ${++counter}`;
        const res = await send(w, 'POST', '/clients', { body: { name } });
        expect(res.status, res.text).toBe(201);
        model.entities.set(res.body.id, { kind: 'client', world: w, name, clientId: null, deleted: false });
        model.created.client.push(res.body.id);
        inspect(w, res, []);
        expect(res.body).toMatchObject({ object: 'client', mode: modeOf(w), name });
        expect(res.body.id).toMatch(new RegExp(`^cl_${modeOf(w)}_`));
        recordWrite(w);
        reach('create.client');
        break;
      }
      case 'createContact': {
        const name = `Contact ${++counter}`;
        const clientId = op.client ? model.resolve('client', op.client, w) : null;
        const rel = clientId ? relation(model, w, clientId) : 'own';
        const res = await send(w, 'POST', '/contacts', { body: { name, ...(clientId && { clientId }) } });
        if (rel === 'own') {
          expect(res.status, res.text).toBe(201);
          model.entities.set(res.body.id, { kind: 'contact', world: w, name, clientId, deleted: false });
          model.created.contact.push(res.body.id);
          inspect(w, res, []);
          expect(res.body).toMatchObject({ object: 'contact', mode: modeOf(w), name, clientId });
          recordWrite(w);
          reach(clientId ? 'create.contactWithClient' : 'create.contact');
        } else {
          inspect(w, res, [clientId!]);
          expectReferenceRefused(res, rel);
          await expectNothingWritten(w, model.owner(clientId!));
        }
        break;
      }
      case 'get':
      case 'patch':
      case 'delete': {
        const id = model.resolve(op.kind, op.target, w);
        const rel = relation(model, w, id);
        const entity = model.entities.get(id);
        let body: Record<string, unknown> | undefined;
        let clientId: string | null | undefined;
        const name = `Renamed ${++counter}`;
        if (op.op === 'patch') {
          body = { name };
          if (op.kind === 'contact' && op.client !== undefined) {
            clientId = op.client === null ? null : model.resolve('client', op.client, w);
            body.clientId = clientId;
          }
        }
        const sent = [id, ...(clientId ? [clientId] : [])];
        const method = op.op === 'get' ? 'GET' : op.op === 'patch' ? 'PATCH' : 'DELETE';
        const res = await send(w, method, `${pathOf[op.kind]}/${id}`, body ? { body } : {});
        inspect(w, res, sent);

        if (rel !== 'own') {
          // The path ID is checked first: whatever the body says, the answer is the path's 404.
          expectPathNotFound(res, op.kind, id, rel);
          if (op.op !== 'get') await expectNothingWritten(w, model.owner(id));
          break;
        }
        if (op.op === 'get') {
          expect(res.status, res.text).toBe(200);
          expect(res.body).toMatchObject({ id, object: op.kind, mode: modeOf(w), name: entity!.name });
          if (op.kind === 'contact') expect(res.body.clientId).toBe(entity!.clientId);
          reach('get.own');
        } else if (op.op === 'patch') {
          const refRel = clientId ? relation(model, w, clientId) : 'own';
          if (refRel !== 'own') {
            expectReferenceRefused(res, refRel);
            await expectNothingWritten(w, model.owner(clientId!));
            break;
          }
          expect(res.status, res.text).toBe(200);
          entity!.name = name;
          if (clientId !== undefined) entity!.clientId = clientId;
          expect(res.body).toMatchObject({ id, object: op.kind, mode: modeOf(w), name });
          if (op.kind === 'contact') expect(res.body.clientId).toBe(entity!.clientId);
          recordWrite(w);
          reach(`patch.${op.kind}`);
        } else if (op.kind === 'client' && model.inUse(id)) {
          expectProblem(res, 409, 'resource.in_use');
          reach('delete.inUse');
          await expectNothingWritten(w);
        } else {
          expect(res.status, res.text).toBe(200);
          expect(res.body).toEqual({ id, object: op.kind, mode: modeOf(w), deleted: true });
          entity!.deleted = true;
          recordWrite(w);
          reach(`delete.${op.kind}`);
        }
        break;
      }
      case 'list': {
        const items = await listAll(w, `/${op.list}`, op.limit);
        if (op.list === 'audit-logs') {
          expect(items).toHaveLength(model.auditCount[w]!);
          for (const entry of items) expect(model.owner(entry.resourceId)).toBe(w);
        } else {
          const kind: Kind = op.list === 'clients' ? 'client' : 'contact';
          expect(items.map((i) => i.id).sort()).toEqual(model.alive(w, kind).map(([id]) => id).sort());
        }
        reach(`list.${op.list}`);
        break;
      }
      case 'listByClient': {
        const clientId = model.resolve('client', op.client, w);
        const rel = relation(model, w, clientId);
        if (rel === 'otherMode') {
          const res = await send(w, 'GET', '/contacts', { query: { clientId, limit: String(op.limit) } });
          inspect(w, res, [clientId]);
          expectProblem(res, 400, 'validation.client_mode_mismatch', 'clientId');
          reach('filter.otherMode');
        } else {
          const items = await listAll(w, '/contacts', op.limit, { clientId });
          const expected = model.alive(w, 'contact').filter(([, e]) => e.clientId === clientId).map(([id]) => id);
          expect(items.map((i) => i.id).sort()).toEqual(expected.sort());
          reach(`filter.${rel}`);
        }
        break;
      }
    }
  }
  // Finally, all four worlds are exactly what the model says.
  for (let w = 0; w < 4; w++) await expectWorldMatchesModel(w);
}

describe('mode and team isolation, as a property of random operation sequences', () => {
  it('holds for two teams × two modes', { timeout: 600_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 15, maxLength: 30 }), async (ops) => {
        await runSequence(ops);
      }),
      { numRuns: 40, examples: [[coveringExample]] },
    );
  });

  it('reached every kind of outcome (the covering example guarantees it), so the property is not vacuous', () => {
    expect(Object.fromEntries(reached)).toMatchObject(
      Object.fromEntries(
        [
          'create.client',
          'create.contact',
          'create.contactWithClient',
          'get.own',
          'patch.client',
          'patch.contact',
          'delete.client',
          'delete.contact',
          'delete.inUse',
          'path.otherMode',
          'path.otherTeam',
          'path.ownDeleted',
          'path.fabricated',
          'ref.otherMode',
          'ref.otherTeam',
          'ref.ownDeleted',
          'ref.fabricated',
          'list.clients',
          'list.audit-logs',
          'list.paged',
          'filter.otherMode',
          'filter.otherTeam',
        ].map((outcome) => [outcome, expect.any(Number)]),
      ),
    );
  });
});

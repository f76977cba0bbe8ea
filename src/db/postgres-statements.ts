import postgres from 'postgres';
import { scopeSettings } from './db-scope.ts';

/** Distinct statements each connection keeps prepared, at most: query texts are few, but not provably so. */
const MAX_PREPARED_TEXTS = 1000;

/**
 * The roles of row-level security (migrations 0011 and 0012): the application's, to which every
 * policy applies, and the workers', which bypasses them.
 */
export const APP_ROLES = ['parseo_app', 'parseo_system'] as const;
const SCOPE_SQL = (local: boolean) => `select set_config('parseo.team_id', $1, ${local}), set_config('parseo.mode', $2, ${local})`;
/** A lane already in the statement's scope is preferred until it holds this many more statements than the least busy one. */
const SWITCH_PENALTY = 2;

type Unsafe = postgres.Sql['unsafe'];
type Args = postgres.ParameterOrJSON<never>[];
type Options = postgres.Options<Record<string, postgres.PostgresType>>;

/**
 * What drizzle calls on the client: `unsafe(query, params, options)`, awaited, or with `.values()`
 * for rows as arrays. A scoped statement resolves to exactly what postgres.js would have.
 */
class ScopedStatement implements PromiseLike<unknown> {
  #arrayMode = false;
  #result: Promise<unknown> | undefined;
  readonly #run: (arrayMode: boolean) => Promise<unknown>;

  constructor(run: (arrayMode: boolean) => Promise<unknown>) {
    this.#run = run;
  }

  values(): this {
    this.#arrayMode = true;
    return this;
  }

  then<A = unknown, B = never>(onFulfilled?: ((value: unknown) => A | PromiseLike<A>) | null, onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    this.#result ??= this.#run(this.#arrayMode);
    return this.#result.then(onFulfilled, onRejected);
  }
}

/**
 * A scope as stated on one lane: the statement that stated it, and on which of the lane's sessions.
 */
type Epoch = { stated: Promise<unknown>; session: number };
/**
 * One connection that keeps a tenant's scope between statements. `session` counts its closes:
 * postgres.js runs what was still queued at a close on a fresh session, which states nothing.
 */
type Lane = { sql: postgres.Sql; scope: string | null; epoch: Epoch | null; session: number; pending: number };

/** A statement that may have run without its scope: its answer is dropped, as if the connection had closed under it. */
class ScopeLostError extends Error {
  readonly code = 'CONNECTION_CLOSED';
  constructor() {
    super('the connection closed before the statement ran in its scope');
  }
}

/**
 * The connections row-level security runs on. Each pool logs in acting as its role from the first
 * byte (a startup parameter), so a fresh or reconnected connection is `parseo_app` stating no
 * scope, which PostgreSQL answers with no tenant row at all: a slip fails closed, never open.
 * - `lanes`: single connections for the tenant statements outside transactions. A lane remembers
 *   the (team, mode) it last stated, at session level, and states a new one only when the next
 *   statement's differs; statements are pipelined on it in order, so the scope a statement runs
 *   under is the one queued before it. This spares a reserved connection and a second round trip
 *   per statement. A statement whose scope may have been lost fails (as a closed connection),
 *   rather than answer with what a scope-less session sees.
 * - `app`: transactions, which state their scope locally (it ends with them), and statements with
 *   no scope. No session-level scope is ever stated on it.
 * - `system`: the workers, which serve every team, as `parseo_system` (it bypasses the policies).
 */
export class ScopedPools {
  readonly app: postgres.Sql;
  readonly system: postgres.Sql;
  readonly #lanes: Lane[];

  /** `like` is the pool drizzle was given: its type parsers and serializers (drizzle sets some) apply to these too. */
  constructor(url: string, options: Options, sizes: { app: number; system: number; lanes: number }, like: postgres.Sql) {
    const pool = (role: string, max: number, onclose?: () => void) => {
      const sql = postgres(url, { ...options, max, connection: { ...options.connection, role } as Options['connection'], onclose });
      Object.assign(sql.options.parsers, like.options.parsers);
      Object.assign(sql.options.serializers, like.options.serializers);
      return sql;
    };
    this.app = pool('parseo_app', sizes.app);
    this.system = pool('parseo_system', sizes.system);
    this.#lanes = Array.from({ length: sizes.lanes }, () => {
      const lane: Lane = { sql: undefined as unknown as postgres.Sql, scope: null, epoch: null, session: 0, pending: 0 };
      lane.sql = pool('parseo_app', 1, () => {
        lane.session++;
        [lane.epoch, lane.scope] = [null, null];
      });
      return lane;
    });
  }

  /** The lane for a statement in `scope`: one already there unless it is much busier, else the least busy. */
  #pick(scope: string): Lane {
    let best = this.#lanes[0]!;
    let bestScore = Infinity;
    for (const lane of this.#lanes) {
      const score = lane.pending + (lane.scope === scope ? 0 : SWITCH_PENALTY);
      if (score < bestScore) [best, bestScore] = [lane, score];
    }
    return best;
  }

  /** Runs one statement on a lane in the tenant's scope, stating that scope first if the lane is elsewhere. */
  async tenantStatement(teamId: string, mode: string, run: (sql: postgres.Sql) => { execute(): Promise<unknown> }): Promise<unknown> {
    const scope = `${teamId}\u0000${mode}`;
    const lane = this.#pick(scope);
    lane.pending++;
    try {
      if (lane.scope !== scope || !lane.epoch) {
        const epoch: Epoch = { stated: lane.sql.unsafe(SCOPE_SQL(false), [teamId, mode], { prepare: true }).execute(), session: lane.session };
        // Had it failed, what is queued behind it ran under the scope before: each of those fails
        // with it (below), and the next statement states its scope again.
        epoch.stated.catch(() => {
          if (lane.epoch === epoch) [lane.epoch, lane.scope] = [null, null];
        });
        [lane.scope, lane.epoch] = [scope, epoch];
      }
      const epoch = lane.epoch;
      // Queued right behind the scope, on the same connection: it runs under that scope.
      const [stated, rows] = await Promise.allSettled([epoch.stated, run(lane.sql).execute()]);
      if (stated.status === 'rejected') throw stated.reason;
      // Settled after its connection closed: it may have run on a fresh session, with no scope.
      // (An answer that came before the close settles before postgres.js hears of the close.)
      if (epoch.session !== lane.session) throw rows.status === 'rejected' ? rows.reason : new ScopeLostError();
      if (rows.status === 'rejected') throw rows.reason;
      return rows.value;
    } finally {
      lane.pending--;
    }
  }

  async end(options: { timeout: number }) {
    await Promise.all([this.app.end(options), this.system.end(options), ...this.#lanes.map((lane) => lane.sql.end(options))]);
  }
}

/**
 * Wraps the pool drizzle uses, for two things:
 * - every statement is prepared: postgres.js prepares its tagged templates, but drizzle goes
 *   through `unsafe`, which does not, so each statement would be parsed, described (an extra round
 *   trip) and planned anew — 2.5× the throughput on the hot path. Safe because drizzle always
 *   passes values as parameters; the set of texts is capped all the same;
 * - with row-level security on (`scoped()` answers the pools), every statement goes to the pool of
 *   the scope it runs in (db-scope.ts): a tenant's to a lane in that tenant's scope, a transaction
 *   to `app` stating its scope locally, the workers' to `system`, anything else to `app`, where it
 *   sees no tenant row.
 */
export function wrapPool(pool: postgres.Sql, scoped: () => ScopedPools | undefined): postgres.Sql {
  const prepared = new Set<string>();
  const prepare = (query: string) => prepared.has(query) || (prepared.size < MAX_PREPARED_TEXTS && prepared.add(query) !== undefined);

  const plain = pool.unsafe.bind(pool) as Unsafe;
  pool.unsafe = ((query: string, args: Args = [], options: { onexecute?: unknown } = {}) => {
    // postgres.js itself sends a transaction's BEGIN through `unsafe` (with `onexecute`): as is.
    if (options.onexecute) return plain(query, args, options as object);
    const pools = scoped();
    const statementOptions = { ...options, prepare: prepare(query) };
    if (!pools) return plain(query, args, statementOptions);
    const [kind, teamId, mode] = scopeSettings();
    if (kind === 'system') return pools.system.unsafe(query, args, statementOptions);
    if (kind === 'none') return pools.app.unsafe(query, args, statementOptions);
    return new ScopedStatement((arrayMode) =>
      pools.tenantStatement(teamId, mode, (sql) => {
        const statement = sql.unsafe(query, args, statementOptions);
        return arrayMode ? statement.values() : statement;
      }),
    );
  }) as Unsafe;

  const begin = pool.begin.bind(pool);
  pool.begin = ((...args: unknown[]) => {
    const fn = args.pop() as (tx: postgres.TransactionSql) => unknown;
    const pools = scoped();
    const [kind, teamId, mode] = scopeSettings();
    const target = pools && (kind === 'system' ? pools.system : pools.app);
    const open = (target ? target.begin.bind(target) : begin) as (...a: unknown[]) => unknown;
    return open(...args, async (tx: postgres.TransactionSql) => {
      if (pools && kind === 'tenant') await tx.unsafe(SCOPE_SQL(true), [teamId, mode], { prepare: true });
      const unsafe = tx.unsafe.bind(tx) as Unsafe;
      tx.unsafe = ((query: string, params: Args = [], options: object = {}) => unsafe(query, params, { ...options, prepare: prepare(query) })) as Unsafe;
      return fn(tx);
    });
  }) as typeof pool.begin;
  return pool;
}

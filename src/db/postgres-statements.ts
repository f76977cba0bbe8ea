import type postgres from 'postgres';
import { scopeSettings } from './db-scope.ts';

/** Distinct statements each connection keeps prepared, at most: query texts are few, but not provably so. */
const MAX_PREPARED_TEXTS = 1000;

/**
 * The roles of row-level security (migrations 0011 and 0012): the application's, to which every
 * policy applies, and the workers', which bypasses them.
 */
export const APP_ROLES = ['parseo_app', 'parseo_system'] as const;
const SCOPE_SQL = (local: boolean) =>
  `select set_config('role', $1, ${local}), set_config('parseo.team_id', $2, ${local}), set_config('parseo.mode', $3, ${local})`;

type Unsafe = postgres.Sql['unsafe'];
type Args = postgres.ParameterOrJSON<never>[];

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
 * Wraps the pool drizzle uses, for two things:
 * - every statement is prepared: postgres.js prepares its tagged templates, but drizzle goes
 *   through `unsafe`, which does not, so each statement would be parsed, described (an extra round
 *   trip) and planned anew — 2.5× the throughput on the hot path. Safe because drizzle always
 *   passes values as parameters; the set of texts is capped all the same;
 * - with row-level security on, every statement first states, on its own connection and in the
 *   same round trip, the role and the scope (db-scope.ts) it runs under: a connection never
 *   carries one request's scope into another's statement. A transaction states it once, locally.
 */
export function wrapPool(pool: postgres.Sql, rowLevelSecurity: () => boolean): postgres.Sql {
  const prepared = new Set<string>();
  const prepare = (query: string) => prepared.has(query) || (prepared.size < MAX_PREPARED_TEXTS && prepared.add(query) !== undefined);
  const scopeArgs = (): Args => scopeSettings();

  const plain = pool.unsafe.bind(pool) as Unsafe;
  pool.unsafe = ((query: string, args: Args = [], options: { onexecute?: unknown } = {}) => {
    // postgres.js itself sends a transaction's BEGIN through `unsafe` (with `onexecute`): as is.
    if (options.onexecute) return plain(query, args, options as object);
    if (!rowLevelSecurity()) return plain(query, args, { ...options, prepare: prepare(query) });
    const settings = scopeArgs();
    return new ScopedStatement(async (arrayMode) => {
      const connection = await pool.reserve();
      try {
        // Both go out back to back on this one connection, the scope first.
        const scoped = connection.unsafe(SCOPE_SQL(false), settings, { prepare: true }).execute();
        const statement = connection.unsafe(query, args, { ...options, prepare: prepare(query) });
        const rows = (arrayMode ? statement.values() : statement).execute();
        const [scope, result] = await Promise.allSettled([scoped, rows]);
        // Had the scope failed, the statement ran under the connection's previous one: drop it.
        if (scope.status === 'rejected') throw scope.reason;
        if (result.status === 'rejected') throw result.reason;
        return result.value;
      } finally {
        connection.release();
      }
    });
  }) as Unsafe;

  const begin = pool.begin.bind(pool);
  pool.begin = ((...args: unknown[]) => {
    const fn = args.pop() as (tx: postgres.TransactionSql) => unknown;
    const settings = scopeArgs();
    return (begin as (...a: unknown[]) => unknown)(...args, async (tx: postgres.TransactionSql) => {
      if (rowLevelSecurity()) await tx.unsafe(SCOPE_SQL(true), settings, { prepare: true });
      const unsafe = tx.unsafe.bind(tx) as Unsafe;
      tx.unsafe = ((query: string, params: Args = [], options: object = {}) => unsafe(query, params, { ...options, prepare: prepare(query) })) as Unsafe;
      return fn(tx);
    });
  }) as typeof pool.begin;
  return pool;
}

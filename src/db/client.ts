import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as schema from '../../drizzle/schema.ts';

export type Schema = typeof schema;
/** One type for both drivers and for transactions: repositories never know which engine runs. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

export type DatabaseHandle = {
  db: Database;
  kind: 'pglite' | 'postgres';
  ping(): Promise<void>;
  migrate(): Promise<void>;
  /** LISTEN on a channel; resolves to an unsubscribe function. */
  listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
};

const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));
// Any fixed number: instances starting together take turns applying migrations.
const MIGRATION_LOCK = 724_001;

export type DatabaseOptions =
  | { kind: 'postgres'; url: string; poolSize?: number }
  | { kind: 'pglite'; dataDir?: string };

export function openDatabase(options: DatabaseOptions): DatabaseHandle {
  return options.kind === 'postgres' ? openPostgres(options.url, options.poolSize ?? 10) : openPglite(options.dataDir);
}

/** Distinct statements each connection keeps prepared, at most: query texts are few, but not provably so. */
const MAX_PREPARED_TEXTS = 1000;

/**
 * postgres.js prepares its tagged-template queries, but drizzle sends everything through `unsafe`,
 * which does not: each statement would be parsed, described (an extra round trip) and planned
 * anew. Measured on the hot path, that cost 2.5× the throughput. Preparing them is safe because
 * drizzle always passes values as parameters; the set of texts is capped all the same.
 */
function preparingStatements(client: postgres.Sql): postgres.Sql {
  const prepared = new Set<string>();
  const wrap = (sql: postgres.Sql) => {
    const unsafe = sql.unsafe.bind(sql);
    sql.unsafe = ((query: string, args?: unknown[], options?: object) => {
      const known = prepared.has(query) || (prepared.size < MAX_PREPARED_TEXTS && prepared.add(query));
      return unsafe(query, args as postgres.ParameterOrJSON<never>[], { ...options, prepare: Boolean(known) });
    }) as typeof sql.unsafe;
    return sql;
  };
  const begin = client.begin.bind(client);
  // Transactions get a connection-bound `sql` of their own: prepare there too.
  client.begin = ((...args: unknown[]) => {
    const fn = args.pop() as (tx: postgres.TransactionSql) => unknown;
    return (begin as (...a: unknown[]) => unknown)(...args, (tx: postgres.TransactionSql) => fn(wrap(tx as unknown as postgres.Sql) as unknown as postgres.TransactionSql));
  }) as typeof client.begin;
  return wrap(client);
}

function openPostgres(url: string, poolSize: number): DatabaseHandle {
  const client = preparingStatements(
    postgres(url, {
      max: poolSize,
      onnotice: () => {},
      connect_timeout: 5,
      idle_timeout: 60,
      // postgres.js waits longer before each reconnect while the database stays away (up to 20 s):
      // a request would then hang instead of answering 503. A flat 50 ms keeps answers fast, and
      // attempts are still bounded by the pool size.
      backoff: () => 0.05,
    }),
  );
  const db = drizzlePostgres({ client, schema });
  return {
    db,
    kind: 'postgres',
    async ping() {
      await client`select 1`;
    },
    async migrate() {
      // A session-level advisory lock needs one connection for lock, migrate and unlock.
      const single = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5 });
      try {
        await single`select pg_advisory_lock(${MIGRATION_LOCK})`;
        await migratePostgres(drizzlePostgres({ client: single }), { migrationsFolder });
        await single`select pg_advisory_unlock(${MIGRATION_LOCK})`;
      } finally {
        await single.end({ timeout: 5 });
      }
    },
    async listen(channel, onMessage) {
      const { unlisten } = await client.listen(channel, onMessage);
      return unlisten;
    },
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}

function openPglite(dataDir: string | undefined): DatabaseHandle {
  let client: PGlite;
  if (dataDir) {
    const path = join(dataDir, 'pglite');
    mkdirSync(path, { recursive: true });
    client = new PGlite(path);
  } else {
    client = new PGlite();
  }
  const db = drizzlePglite({ client, schema });
  return {
    db,
    kind: 'pglite',
    async ping() {
      await db.execute(sql`select 1`);
    },
    async migrate() {
      await migratePglite(db, { migrationsFolder });
    },
    async listen(channel, onMessage) {
      return client.listen(channel, onMessage);
    },
    async close() {
      await client.close();
    },
  };
}

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
import { APP_ROLES, ScopedPools, wrapPool } from './postgres-statements.ts';

export type Schema = typeof schema;
/** One type for both drivers and for transactions: repositories never know which engine runs. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

export type DatabaseHandle = {
  db: Database;
  kind: 'pglite' | 'postgres';
  ping(): Promise<void>;
  migrate(): Promise<void>;
  /** Acts as the role row-level security applies to, where possible; answers whether it does. */
  enforceRowLevelSecurity(): Promise<boolean>;
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

function openPostgres(url: string, poolSize: number): DatabaseHandle {
  const options = {
    onnotice: () => {},
    connect_timeout: 5,
    idle_timeout: 60,
    // postgres.js waits longer before each reconnect while the database stays away (up to 20 s):
    // a request would then hang instead of answering 503. A flat 50 ms keeps answers fast, and
    // attempts are still bounded by the pool size.
    backoff: () => 0.05,
  };
  // Made once row-level security is known to be possible (the roles exist after the migrations).
  let scoped: ScopedPools | undefined;
  const client = wrapPool(postgres(url, { ...options, max: poolSize }), () => scoped);
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
    async enforceRowLevelSecurity() {
      // The migration creates the roles when it may; a login role that cannot act as them (a
      // managed database without CREATEROLE, say) runs without, and says so.
      const [row] = await client`select count(*) = 2 as possible from pg_roles where rolname in ${client([...APP_ROLES])} and pg_has_role(current_user, rolname, 'member')`;
      if (row?.possible && !scoped) {
        // The tenants' statements go to the lanes and transactions to `app`; the workers' to `system`.
        // Few lanes: statements queued in the same tick share one write to a lane's socket, and a
        // write on loopback costs about as much as a small statement (3 lanes served about a sixth
        // more GET-by-id requests per second than 5 on the benchmark machine).
        const lanes = Math.max(2, Math.ceil(poolSize / 4));
        scoped = new ScopedPools(url, options, { app: poolSize, system: poolSize, lanes }, client);
      }
      return scoped !== undefined;
    },
    async close() {
      await Promise.all([client.end({ timeout: 5 }), scoped?.end({ timeout: 5 })]);
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
    // The embedded database runs as its superuser, which PostgreSQL exempts from row-level security.
    async enforceRowLevelSecurity() {
      return false;
    },
    async close() {
      await client.close();
    },
  };
}

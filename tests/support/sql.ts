import type { SQL } from 'drizzle-orm';
import type { Database } from '../../src/db/client.ts';
import { inject } from 'vitest';
import { openDatabase } from '../../src/db/client.ts';
import { runAsSystem } from '../../src/db/db-scope.ts';
import { sqlState } from '../../src/db/errors.ts';
import { harness } from './harness.ts';

/**
 * Runs one raw statement straight against the database, bypassing the app, and returns its rows
 * on either driver (PGlite answers `{ rows }`, postgres.js an array). It runs in the system scope
 * of row-level security, as a test's look behind the scenes should.
 */
export async function rawRows<T = Record<string, unknown>>(db: Database, query: SQL): Promise<T[]> {
  // drizzle's queries are lazy: awaited inside, so they run in the scope.
  const result: unknown = await runAsSystem(async () => await db.execute(query));
  if (Array.isArray(result)) return [...result] as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/** Runs a raw statement that must be refused; answers the SQLSTATE it failed with. */
export async function refusedWith(db: Database, query: SQL): Promise<string> {
  let error: unknown;
  try {
    await runAsSystem(async () => await db.execute(query));
  } catch (err) {
    error = err;
  }
  if (error === undefined) throw new Error('the database accepted a statement it must refuse');
  const state = sqlState(error);
  if (state === undefined) throw new Error(`the statement failed without a SQLSTATE: ${String(error)}`);
  return state;
}

let owner: Promise<Database> | undefined;

/**
 * The database as its owner reaches it, behind the application's back: the login role (a superuser
 * on these machines), with no role switch and so no row-level security. What it is refused, the
 * database refuses to everyone. On PGlite that is the shared database itself.
 */
export function ownerDatabase(): Promise<Database> {
  owner ??= (async () => {
    const url = inject('databaseUrl');
    if (!url) return (await harness()).database.db;
    return openDatabase({ kind: 'postgres', url, poolSize: 2 }).db;
  })();
  return owner;
}

import type { SQL } from 'drizzle-orm';
import type { Database } from '../../src/db/client.ts';
import { sqlState } from '../../src/db/errors.ts';

/**
 * Runs one raw statement straight against the database, bypassing the app, and returns its rows
 * on either driver (PGlite answers `{ rows }`, postgres.js an array).
 */
export async function rawRows<T = Record<string, unknown>>(db: Database, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  if (Array.isArray(result)) return [...result] as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/** Runs a raw statement that must be refused; answers the SQLSTATE it failed with. */
export async function refusedWith(db: Database, query: SQL): Promise<string> {
  let error: unknown;
  try {
    await db.execute(query);
  } catch (err) {
    error = err;
  }
  if (error === undefined) throw new Error('the database accepted a statement it must refuse');
  const state = sqlState(error);
  if (state === undefined) throw new Error(`the statement failed without a SQLSTATE: ${String(error)}`);
  return state;
}

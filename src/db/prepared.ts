import { and, eq, sql } from 'drizzle-orm';
import { PgTransaction, type PgColumn } from 'drizzle-orm/pg-core';
import type { Database } from './client.ts';

const built = new WeakMap<Database, Map<string, unknown>>();

/**
 * A hot-path statement built once per database and executed with placeholders: drizzle's query
 * building costs more CPU than the query itself, and the statement stays prepared on the server.
 * Inside a transaction there is nothing to reuse, so the caller's plain query runs instead (null).
 */
export function preparedFor<Q>(db: Database, name: string, build: (db: Database) => Q): Q | null {
  if (db instanceof PgTransaction) return null;
  let statements = built.get(db);
  if (!statements) built.set(db, (statements = new Map()));
  let statement = statements.get(name) as Q | undefined;
  if (statement === undefined) statements.set(name, (statement = build(db)));
  return statement;
}

/** `team_id = :teamId and mode = :mode and id = :id` — the scope, as placeholders of a prepared statement. */
export function scopedIdPlaceholders(table: { teamId: PgColumn; mode: PgColumn; id: PgColumn }) {
  return and(eq(table.teamId, sql.placeholder('teamId')), eq(table.mode, sql.placeholder('mode')), eq(table.id, sql.placeholder('id')));
}

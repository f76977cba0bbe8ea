import { sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { CursorPosition } from '../http/pagination.ts';

/** Keyset condition for newest-first order: rows strictly after the cursor position. */
export function afterCursor(createdAt: AnyPgColumn, id: AnyPgColumn, position: CursorPosition | undefined): SQL | undefined {
  return position ? sql`(${createdAt}, ${id}) < (${position.createdAt.toISOString()}::timestamptz, ${position.id})` : undefined;
}

/**
 * Newest first, spelled exactly as the `*_created_idx` indexes are built (`DESC NULLS LAST`): a plain
 * `DESC` means NULLS FIRST, which the index cannot produce, and the planner would then sort every
 * row of the scope instead of reading the first page off the index.
 */
export function newestFirst(createdAt: AnyPgColumn, id: AnyPgColumn): SQL[] {
  return [sql`${createdAt} desc nulls last`, sql`${id} desc nulls last`];
}

/**
 * A page's LIMIT written into the statement rather than sent as a parameter. With `LIMIT $n` the
 * planner costs a prepared statement's generic plan as if a tenth of the scope were read, keeps
 * re-planning every execution instead, and planning grows with the table's statistics; with a
 * literal, the generic index-order plan is as cheap as it really is and stays cached. Page sizes
 * are validated integers, and this refuses anything else. (drizzle takes an SQL chunk here at
 * runtime; its type only admits numbers.)
 */
export function pageLimit(rows: number): number {
  if (!Number.isInteger(rows) || rows < 1 || rows > 1000) throw new Error(`not a page size: ${rows}`);
  return sql.raw(String(rows)) as unknown as number;
}

import { sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { CursorPosition } from '../http/pagination.ts';

/** Keyset condition for newest-first order: rows strictly after the cursor position. */
export function afterCursor(createdAt: AnyPgColumn, id: AnyPgColumn, position: CursorPosition | undefined): SQL | undefined {
  return position ? sql`(${createdAt}, ${id}) < (${position.createdAt.toISOString()}::timestamptz, ${position.id})` : undefined;
}

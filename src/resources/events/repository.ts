import { eq } from 'drizzle-orm';
import { afterCursor, newestFirst, pageLimit } from '../../db/keyset.ts';
import { inScope } from '../../db/scope.ts';
import type { CursorPosition } from '../../http/pagination.ts';
import { events } from '../../../drizzle/schema.ts';
import type { Database } from '../../db/client.ts';
import { newId } from '../../ids.ts';
import type { TenantScope } from '../../tenancy/scope.ts';

export type EventRow = typeof events.$inferSelect;

/** Appends to the mode's event outbox; called inside the transaction of the change it describes. */
export async function insertEvent(db: Database, scope: TenantScope, type: string, object: Record<string, unknown>): Promise<EventRow> {
  const [row] = await db
    .insert(events)
    .values({ id: newId('evt', scope.mode), teamId: scope.teamId, mode: scope.mode, type, data: { object } })
    .returning();
  return row!;
}

export async function findEvent(db: Database, scope: TenantScope, id: string): Promise<EventRow | null> {
  const [row] = await db.select().from(events).where(inScope(events, scope, eq(events.id, id)));
  return row ?? null;
}

export async function listEvents(db: Database, scope: TenantScope, filter: { type?: string }, page: { limit: number; after?: CursorPosition }): Promise<EventRow[]> {
  return db
    .select()
    .from(events)
    .where(inScope(events, scope, filter.type === undefined ? undefined : eq(events.type, filter.type), afterCursor(events.createdAt, events.id, page.after)))
    .orderBy(...newestFirst(events.createdAt, events.id))
    .limit(pageLimit(page.limit + 1));
}

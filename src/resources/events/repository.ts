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

import { and, arrayOverlaps, eq, sql } from 'drizzle-orm';
import { webhookDeliveries, webhookEndpoints } from '../../../drizzle/schema.ts';
import type { Database } from '../../db/client.ts';
import { afterCursor, newestFirst, pageLimit } from '../../db/keyset.ts';
import { inScope } from '../../db/scope.ts';
import type { CursorPosition } from '../../http/pagination.ts';
import { newId } from '../../ids.ts';
import type { TenantScope } from '../../tenancy/scope.ts';
import { DELIVERIES_CHANNEL } from '../../webhooks/event-types.ts';

export type EndpointRow = typeof webhookEndpoints.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;
export type EndpointFields = Pick<EndpointRow, 'url' | 'description' | 'events' | 'secretCiphertext' | 'metadata'>;
type Page = { limit: number; after?: CursorPosition };

/** `id` is chosen by the caller, because the sealed secret is bound to it. */
export async function insertEndpoint(db: Database, scope: TenantScope, id: string, fields: EndpointFields): Promise<EndpointRow> {
  const [row] = await db
    .insert(webhookEndpoints)
    .values({ id, teamId: scope.teamId, mode: scope.mode, ...fields })
    .returning();
  return row!;
}

export async function findEndpoint(db: Database, scope: TenantScope, id: string, options: { forUpdate?: boolean } = {}): Promise<EndpointRow | null> {
  const query = db.select().from(webhookEndpoints).where(inScope(webhookEndpoints, scope, eq(webhookEndpoints.id, id)));
  const [row] = options.forUpdate ? await query.for('update') : await query;
  return row ?? null;
}

export async function listEndpoints(db: Database, scope: TenantScope, page: Page): Promise<EndpointRow[]> {
  return db
    .select()
    .from(webhookEndpoints)
    .where(inScope(webhookEndpoints, scope, afterCursor(webhookEndpoints.createdAt, webhookEndpoints.id, page.after)))
    .orderBy(...newestFirst(webhookEndpoints.createdAt, webhookEndpoints.id))
    .limit(pageLimit(page.limit + 1));
}

export async function updateEndpoint(
  db: Database,
  scope: TenantScope,
  id: string,
  fields: Partial<EndpointFields & Pick<EndpointRow, 'status' | 'disabledReason' | 'failingSince'>>,
): Promise<EndpointRow | null> {
  const [row] = await db
    .update(webhookEndpoints)
    .set({ ...fields, updatedAt: sql`now()` })
    .where(inScope(webhookEndpoints, scope, eq(webhookEndpoints.id, id)))
    .returning();
  return row ?? null;
}

/** Its deliveries go with it (cascade): nothing is left to send to a deleted endpoint. */
/**
 * Deletes the endpoint and its deliveries. The deliveries go first, explicitly: the delivery worker
 * locks a delivery and then its endpoint, and a cascade from the endpoint would take the two in the
 * opposite order and deadlock with it.
 */
export async function deleteEndpoint(db: Database, scope: TenantScope, id: string): Promise<EndpointRow | null> {
  await db.delete(webhookDeliveries).where(inScope(webhookDeliveries, scope, eq(webhookDeliveries.endpointId, id)));
  const [row] = await db.delete(webhookEndpoints).where(inScope(webhookEndpoints, scope, eq(webhookEndpoints.id, id))).returning();
  return row ?? null;
}

/**
 * Queues the event for every enabled endpoint of its (team, mode) that subscribes to its type,
 * or for `onlyEndpointId` (a ping). Runs in the event's transaction; the NOTIFY is delivered on
 * commit, so delivery workers wake only for committed work.
 */
export async function queueDeliveries(db: Database, scope: TenantScope, eventId: string, type: string, onlyEndpointId?: string): Promise<number> {
  const endpoints = await db
    .select({ id: webhookEndpoints.id })
    .from(webhookEndpoints)
    .where(
      inScope(
        webhookEndpoints,
        scope,
        onlyEndpointId
          ? eq(webhookEndpoints.id, onlyEndpointId)
          : and(eq(webhookEndpoints.status, 'enabled'), arrayOverlaps(webhookEndpoints.events, ['*', type])),
      ),
    );
  if (endpoints.length === 0) return 0;
  await db.insert(webhookDeliveries).values(
    endpoints.map((e) => ({ id: newId('del', scope.mode), teamId: scope.teamId, mode: scope.mode, endpointId: e.id, eventId })),
  );
  await db.execute(sql`select pg_notify(${DELIVERIES_CHANNEL}, '')`);
  return endpoints.length;
}

export async function listDeliveries(db: Database, scope: TenantScope, endpointId: string, page: Page): Promise<DeliveryRow[]> {
  return db
    .select()
    .from(webhookDeliveries)
    .where(inScope(webhookDeliveries, scope, eq(webhookDeliveries.endpointId, endpointId), afterCursor(webhookDeliveries.createdAt, webhookDeliveries.id, page.after)))
    .orderBy(...newestFirst(webhookDeliveries.createdAt, webhookDeliveries.id))
    .limit(pageLimit(page.limit + 1));
}

export async function findDelivery(db: Database, scope: TenantScope, endpointId: string, id: string): Promise<DeliveryRow | null> {
  const [row] = await db
    .select()
    .from(webhookDeliveries)
    .where(inScope(webhookDeliveries, scope, eq(webhookDeliveries.endpointId, endpointId), eq(webhookDeliveries.id, id)));
  return row ?? null;
}

/**
 * Starts a new round of attempts for the same event and message id. An attempt in flight keeps its
 * lease and is still recorded when it ends; the reset round decides what follows it.
 */
export async function requeueDelivery(db: Database, scope: TenantScope, endpointId: string, id: string): Promise<DeliveryRow | null> {
  const [row] = await db
    .update(webhookDeliveries)
    .set({ status: 'pending', roundAttempts: 0, nextAttemptAt: sql`now()`, updatedAt: sql`now()` })
    .where(inScope(webhookDeliveries, scope, eq(webhookDeliveries.endpointId, endpointId), eq(webhookDeliveries.id, id)))
    .returning();
  if (row) await db.execute(sql`select pg_notify(${DELIVERIES_CHANNEL}, '')`);
  return row ?? null;
}

import type { Database } from '../db/client.ts';
import { insertAuditLog } from '../resources/audit-logs/repository.ts';
import { insertEvent, type EventRow } from '../resources/events/repository.ts';
import { queueDeliveries } from '../resources/webhooks/repository.ts';
import type { EventType } from '../webhooks/event-types.ts';
import type { TenantContext } from './context.ts';
import type { TenantScope } from './scope.ts';

export type ChangeAction = 'created' | 'updated' | 'deleted';
type ResourceObject = { id: string } & Record<string, unknown>;

/**
 * Appends `type` to the mode's event log and queues a delivery for each subscribed endpoint of the
 * same mode (or only `onlyEndpointId`). Call it inside the transaction of the change.
 */
export async function recordEvent(db: Database, scope: TenantScope, type: EventType, object: ResourceObject, onlyEndpointId?: string): Promise<EventRow> {
  const event = await insertEvent(db, scope, type, object);
  await queueDeliveries(db, scope, event.id, type, onlyEndpointId);
  return event;
}

/** Writes the audit entry of a partner-initiated write. Call it inside the write's transaction. */
export async function recordAudit(ctx: TenantContext, action: string, resourceType: string, resourceId: string): Promise<void> {
  await insertAuditLog(ctx.db, ctx.scope, ctx.actor, { action, resourceType, resourceId });
}

/** A partner write to a resource: its audit entry and its `<type>.<action>` event. */
export async function recordChange(ctx: TenantContext, resourceType: 'client' | 'contact' | 'invoice', action: ChangeAction, object: ResourceObject): Promise<void> {
  const type = `${resourceType}.${action}` as const;
  await recordAudit(ctx, type, resourceType, object.id);
  await recordEvent(ctx.db, ctx.scope, type, object);
}

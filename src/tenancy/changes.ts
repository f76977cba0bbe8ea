import { insertAuditLog } from '../resources/audit-logs/repository.ts';
import { insertEvent } from '../resources/events/repository.ts';
import type { TenantContext } from './context.ts';

export type ChangeAction = 'created' | 'updated' | 'deleted';

/**
 * Records a partner write in the caller's mode: an audit entry and an event (`<type>.<action>`)
 * carrying the object. Call it inside the write's transaction.
 */
export async function recordChange(
  ctx: TenantContext,
  resourceType: string,
  action: ChangeAction,
  object: { id: string } & Record<string, unknown>,
): Promise<void> {
  const type = `${resourceType}.${action}`;
  await insertAuditLog(ctx.db, ctx.scope, ctx.actor, { action: type, resourceType, resourceId: object.id });
  await insertEvent(ctx.db, ctx.scope, type, object);
}

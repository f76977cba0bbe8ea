import { eq } from 'drizzle-orm';
import { auditLogs } from '../../../drizzle/schema.ts';
import type { Database } from '../../db/client.ts';
import { afterCursor, newestFirst, pageLimit } from '../../db/keyset.ts';
import type { CursorPosition } from '../../http/pagination.ts';
import { newId } from '../../ids.ts';
import { inScope } from '../../db/scope.ts';
import type { Actor, TenantScope } from '../../tenancy/scope.ts';

export type AuditLogRow = typeof auditLogs.$inferSelect;

export async function insertAuditLog(
  db: Database,
  scope: TenantScope,
  actor: Actor,
  entry: { action: string; resourceType: string; resourceId: string },
): Promise<void> {
  await db.insert(auditLogs).values({
    id: newId('al', scope.mode),
    teamId: scope.teamId,
    mode: scope.mode,
    ...entry,
    actorKeyId: actor.keyId,
    actorKeyPrefix: actor.keyPrefix,
    actorKeyName: actor.keyName,
    requestId: actor.requestId,
    ipAddress: actor.ip,
  });
}

export async function listAuditLogs(
  db: Database,
  scope: TenantScope,
  filter: { action?: string; resourceId?: string },
  page: { limit: number; after?: CursorPosition },
): Promise<AuditLogRow[]> {
  return db
    .select()
    .from(auditLogs)
    .where(
      inScope(
        auditLogs,
        scope,
        filter.action === undefined ? undefined : eq(auditLogs.action, filter.action),
        filter.resourceId === undefined ? undefined : eq(auditLogs.resourceId, filter.resourceId),
        afterCursor(auditLogs.createdAt, auditLogs.id, page.after),
      ),
    )
    .orderBy(...newestFirst(auditLogs.createdAt, auditLogs.id))
    .limit(pageLimit(page.limit + 1));
}

import { createRoute, z } from '@hono/zod-openapi';
import type { Database } from '../../db/client.ts';
import { requireScope } from '../../http/auth.ts';
import { errorResponses, jsonContent } from '../../http/openapi.ts';
import { decodeCursor, listQueryFields, listSchema, toPage } from '../../http/pagination.ts';
import type { createRouter } from '../../http/router.ts';
import { tenantContext } from '../../tenancy/context.ts';
import { ModeSchema } from '../../tenancy/schemas.ts';
import { listAuditLogs, type AuditLogRow } from './repository.ts';

export const AuditLogSchema = z
  .object({
    id: z.string().openapi({ example: 'al_test_8Hj2Kl4Mn6Pq8Rs0Tu2Vw4Xy' }),
    object: z.literal('audit_log'),
    mode: ModeSchema,
    action: z.string().openapi({ example: 'contact.created' }),
    resourceType: z.string().openapi({ example: 'contact' }),
    resourceId: z.string(),
    actor: z.object({ keyId: z.string(), keyPrefix: z.string(), keyName: z.string() }),
    requestId: z.string(),
    ipAddress: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .openapi('AuditLog');

const AuditLogListQuery = z.strictObject({
  ...listQueryFields,
  action: z.string().max(100).optional().openapi({ description: 'Only entries of this action, e.g. `client.deleted`.' }),
  resourceId: z.string().max(64).optional().openapi({ description: 'Only entries about this resource.' }),
});

export const listAuditLogsRoute = createRoute({
  operationId: 'listAuditLogs',
  method: 'get',
  path: '/audit-logs',
  tags: ['Audit log'],
  security: [{ bearerAuth: [] }],
  middleware: [requireScope('audit:read')],
  summary: 'List audit-log entries',
  description: 'Every partner write in the caller’s mode, newest first. Test and live keep separate streams. Needs `audit:read`.',
  request: { query: AuditLogListQuery },
  responses: { 200: jsonContent(listSchema(AuditLogSchema, 'AuditLogList'), 'A page of entries.'), ...errorResponses(400, 401, 403) },
});

function presentAuditLog(row: AuditLogRow): z.infer<typeof AuditLogSchema> {
  return {
    id: row.id,
    object: 'audit_log',
    mode: row.mode,
    action: row.action,
    resourceType: row.resourceType,
    resourceId: row.resourceId,
    actor: { keyId: row.actorKeyId, keyPrefix: row.actorKeyPrefix, keyName: row.actorKeyName },
    requestId: row.requestId,
    ipAddress: row.ipAddress,
    createdAt: row.createdAt.toISOString(),
  };
}

export function registerAuditLogRoutes(app: ReturnType<typeof createRouter>, db: Database) {
  app.openapi(listAuditLogsRoute, async (c) => {
    const ctx = tenantContext(c, db);
    const { limit, cursor, ...filter } = c.req.valid('query');
    const rows = await listAuditLogs(ctx.db, ctx.scope, filter, { limit, after: cursor ? decodeCursor(cursor, 'audit-logs', ctx.scope.mode) : undefined });
    return c.json(toPage(rows, limit, 'audit-logs', ctx.scope.mode, presentAuditLog), 200);
  });
}

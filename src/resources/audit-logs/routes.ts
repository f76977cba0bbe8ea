import { createRoute, z } from '@hono/zod-openapi';
import type { Database } from '../../db/client.ts';
import { requireScope } from '../../http/auth.ts';
import { errorResponses, exampleId, exampleKeyPrefix, exampleRequestId, exampleTime, jsonContent } from '../../http/openapi.ts';
import { decodeCursor, examplePage, listQueryFields, listSchema, toPage } from '../../http/pagination.ts';
import type { createRouter } from '../../http/router.ts';
import { tenantContext } from '../../tenancy/context.ts';
import { ModeSchema } from '../../tenancy/schemas.ts';
import { listAuditLogs, type AuditLogRow } from './repository.ts';

export const AuditLogSchema = z
  .object({
    id: z.string().openapi({ example: exampleId('al') }),
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
  action: z.string().max(100).optional().openapi({ description: 'Only entries of this action, e.g. `client.deleted`.', example: 'client.deleted' }),
  resourceId: z.string().max(64).optional().openapi({ description: 'Only entries about this resource.', example: exampleId('cl') }),
});

type AuditLog = z.infer<typeof AuditLogSchema>;
const actor = { keyId: exampleId('key', null), keyPrefix: exampleKeyPrefix, keyName: 'CI' };
const auditLogListExample = examplePage<AuditLog>('audit-logs', 'test', [
  {
    id: exampleId('al', 'test', 'updated'),
    object: 'audit_log',
    mode: 'test',
    action: 'client.updated',
    resourceType: 'client',
    resourceId: exampleId('cl'),
    actor,
    requestId: 'req_7Qw2Er4Ty6Ui8Op0As2Df4Gh',
    ipAddress: '203.0.113.7',
    createdAt: exampleTime(30),
  },
  {
    id: exampleId('al'),
    object: 'audit_log',
    mode: 'test',
    action: 'client.created',
    resourceType: 'client',
    resourceId: exampleId('cl'),
    actor,
    requestId: exampleRequestId,
    ipAddress: '203.0.113.7',
    createdAt: exampleTime(),
  },
]);

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
  responses: {
    200: jsonContent(listSchema(AuditLogSchema, 'AuditLogList'), 'A page of entries.', { example: auditLogListExample }),
    ...errorResponses(400, 401, 403),
  },
});

function presentAuditLog(row: AuditLogRow): AuditLog {
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

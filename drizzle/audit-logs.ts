import { index, pgTable, text } from 'drizzle-orm/pg-core';
import { tenantColumns, tenantConstraints } from './tenancy.ts';

/** Every partner write, in its mode's stream. Written in the same transaction as the write. */
export const auditLogs = pgTable(
  'audit_logs',
  {
    ...tenantColumns(),
    action: text('action').notNull(),
    resourceType: text('resource_type').notNull(),
    resourceId: text('resource_id').notNull(),
    actorKeyId: text('actor_key_id').notNull(),
    actorKeyPrefix: text('actor_key_prefix').notNull(),
    actorKeyName: text('actor_key_name').notNull(),
    requestId: text('request_id').notNull(),
    ipAddress: text('ip_address'),
  },
  (t) => [...tenantConstraints('audit_logs', 'al', t), index('audit_logs_scope_resource_idx').on(t.teamId, t.mode, t.resourceId)],
);

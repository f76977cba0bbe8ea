import { sql } from 'drizzle-orm';
import { bigint, check, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { timestampMs } from './columns.ts';

/**
 * Every API instance that caches authenticated keys, with the last time it proved it can reach the
 * database and the auth revision it has caught up with. A revocation waits until every live
 * instance has caught up, so a revoked key fails on the very next request everywhere.
 */
export const apiInstances = pgTable('api_instances', {
  id: text('id').primaryKey(),
  heartbeatAt: timestampMs('heartbeat_at').notNull(),
  seenRevision: bigint('seen_revision', { mode: 'number' }).notNull(),
});

/** One row: bumped by every change that makes a cached key stale (a revocation, a team's limits). */
export const authRevision = pgTable(
  'auth_revision',
  {
    id: integer('id').primaryKey(),
    revision: bigint('revision', { mode: 'number' }).notNull(),
  },
  (t) => [check('auth_revision_single_row', sql`${t.id} = 1`)],
);

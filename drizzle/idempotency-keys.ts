import { sql } from 'drizzle-orm';
import { check, integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { modeEnum, timestampMs } from './columns.ts';
import { teams } from './teams.ts';

/** One row per (team, mode, Idempotency-Key): the request's fingerprint and, once done, its answer. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    teamId: text('team_id')
      .notNull()
      .references(() => teams.id),
    mode: modeEnum('mode').notNull(),
    key: text('key').notNull(),
    fingerprint: text('fingerprint').notNull(),
    // Null while the first request is still running.
    responseStatus: integer('response_status'),
    responseBody: text('response_body'),
    responseHeaders: jsonb('response_headers').$type<Record<string, string>>(),
    lockedAt: timestampMs('locked_at').notNull().defaultNow(),
    createdAt: timestampMs('created_at').notNull().defaultNow(),
    expiresAt: timestampMs('expires_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.mode, t.key] }), check('idempotency_keys_key_length', sql`length(${t.key}) between 1 and 255`)],
);

import { sql } from 'drizzle-orm';
import { check, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { timestampMs } from './columns.ts';

export const teams = pgTable(
  'teams',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    slug: text('slug').notNull().unique(),
    plan: text('plan').notNull(),
    // Per-team overrides of the plan's ceilings; null means "as the plan says".
    requestsPerMinute: integer('requests_per_minute'),
    requestsPerHour: integer('requests_per_hour'),
    maxQueueDepth: integer('max_queue_depth'),
    // The live credit balance; test mode never touches it.
    credits: integer('credits').notNull().default(0),
    createdAt: timestampMs('created_at').notNull().defaultNow(),
    updatedAt: timestampMs('updated_at').notNull().defaultNow(),
  },
  (t) => [
    check('teams_id_prefix', sql`${t.id} ~ '^team_[0-9A-Za-z]{24}$'`),
    check('teams_credits_non_negative', sql`${t.credits} >= 0`),
  ],
);

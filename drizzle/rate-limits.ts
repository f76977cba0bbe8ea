import { sql } from 'drizzle-orm';
import { check, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { modeEnum, timestampMs } from './columns.ts';
import { teams } from './teams.ts';

/**
 * The request counters of one (team, mode), shared by every API instance: the current minute and
 * hour windows (fixed windows, started by the database clock) and how many requests each has
 * granted. One row per team and mode, so a single statement can grant from both windows at once.
 */
export const rateLimitCounters = pgTable(
  'rate_limit_counters',
  {
    teamId: text('team_id')
      .notNull()
      .references(() => teams.id),
    mode: modeEnum('mode').notNull(),
    minuteStart: timestampMs('minute_start').notNull(),
    minuteCount: integer('minute_count').notNull(),
    hourStart: timestampMs('hour_start').notNull(),
    hourCount: integer('hour_count').notNull(),
    // What the last statement granted, so it can be returned by that same statement.
    lastGrant: integer('last_grant').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.mode] }),
    check('rate_limit_counters_non_negative', sql`${t.minuteCount} >= 0 and ${t.hourCount} >= 0 and ${t.lastGrant} >= 0`),
  ],
);

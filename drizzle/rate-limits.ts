import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { modeEnum, timestampMs } from './columns.ts';
import { teams } from './teams.ts';

/**
 * Request counters per (team, mode) and fixed window, shared by every API instance. Live and test
 * each count on their own rows under the same ceilings. Old windows are swept away.
 */
export const rateLimitCounters = pgTable(
  'rate_limit_counters',
  {
    teamId: text('team_id')
      .notNull()
      .references(() => teams.id),
    mode: modeEnum('mode').notNull(),
    window: text('window').notNull(),
    windowStart: timestampMs('window_start').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.mode, t.window, t.windowStart] }),
    check('rate_limit_counters_window', sql`${t.window} in ('minute', 'hour')`),
    index('rate_limit_counters_sweep_idx').on(t.windowStart),
  ],
);

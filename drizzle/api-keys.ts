import { sql } from 'drizzle-orm';
import { bigint, check, index, pgTable, text } from 'drizzle-orm/pg-core';
import { modeEnum, timestampMs } from './columns.ts';
import { teams } from './teams.ts';

export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    teamId: text('team_id')
      .notNull()
      .references(() => teams.id),
    name: text('name').notNull(),
    mode: modeEnum('mode').notNull(),
    // First 16 characters of the key: safe to show and log.
    prefix: text('prefix').notNull(),
    // SHA-256 of the whole key, hex. The key itself is never stored.
    digest: text('digest').notNull().unique(),
    scopes: text('scopes').array().notNull(),
    createdAt: timestampMs('created_at').notNull().defaultNow(),
    revokedAt: timestampMs('revoked_at'),
    lastUsedAt: timestampMs('last_used_at'),
    lastUsedIp: text('last_used_ip'),
    requestCount: bigint('request_count', { mode: 'number' }).notNull().default(0),
  },
  (t) => [
    index('api_keys_team_created_idx').on(t.teamId, t.createdAt.desc(), t.id.desc()),
    check('api_keys_id_prefix', sql`${t.id} ~ '^key_[0-9A-Za-z]{24}$'`),
    // A key's prefix announces its mode; the row may never disagree with it.
    check('api_keys_prefix_matches_mode', sql`${t.prefix} = 'parseo_' || ${t.mode}::text || '_' || substr(${t.prefix}, 13)`),
  ],
);

import { sql } from 'drizzle-orm';
import { check, foreignKey, index, jsonb, text, unique, type AnyPgColumn, type ExtraConfigColumn, type PgColumn } from 'drizzle-orm/pg-core';
import { modeEnum, timestampMs } from './columns.ts';
import { teams } from './teams.ts';

/** The columns every tenant table starts with: its ID, its team and the mode it lives in. */
export const tenantColumns = () => ({
  id: text('id').primaryKey(),
  teamId: text('team_id')
    .notNull()
    .references(() => teams.id),
  mode: modeEnum('mode').notNull(),
  createdAt: timestampMs('created_at').notNull().defaultNow(),
});

export const metadataColumn = () => jsonb('metadata').$type<Record<string, string>>().notNull().default({});

type TenantRefs = { id: ExtraConfigColumn; teamId: ExtraConfigColumn; mode: ExtraConfigColumn; createdAt: ExtraConfigColumn };

/**
 * The constraints every tenant table carries:
 * - the ID's prefix names the type and the row's mode (`cl_test_…` can only be a test row);
 * - (team_id, mode, id) is unique, so other tables can reference it with a composite foreign key
 *   that makes a cross-team or cross-mode link impossible;
 * - the newest-first list index every collection endpoint walks.
 */
export function tenantConstraints(table: string, prefix: string, t: TenantRefs) {
  return [
    check(`${table}_id_matches_mode`, sql`${t.id} ~ ('^${sql.raw(prefix)}_' || ${t.mode}::text || '_[0-9A-Za-z]{24}$')`),
    unique(`${table}_scope_id`).on(t.teamId, t.mode, t.id),
    index(`${table}_scope_created_idx`).on(t.teamId, t.mode, t.createdAt.desc(), t.id.desc()),
  ];
}

/** A reference to another tenant row that must share this row's team and mode. */
export function scopedReference(
  name: string,
  t: { teamId: PgColumn; mode: PgColumn },
  column: AnyPgColumn,
  target: { teamId: AnyPgColumn; mode: AnyPgColumn; id: AnyPgColumn },
) {
  return foreignKey({ name, columns: [t.teamId, t.mode, column as PgColumn], foreignColumns: [target.teamId, target.mode, target.id] as [PgColumn, PgColumn, PgColumn] });
}


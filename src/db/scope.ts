import { and, eq, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { TenantScope } from '../tenancy/scope.ts';

type ScopedTable = { teamId: PgColumn; mode: PgColumn };

/** `team_id = … AND mode = …`: the condition every tenant statement carries in its own WHERE. */
export function inScope(table: ScopedTable, scope: TenantScope, ...more: (SQL | undefined)[]): SQL {
  return and(eq(table.teamId, scope.teamId), eq(table.mode, scope.mode), ...more)!;
}

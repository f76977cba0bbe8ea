import { eq, sql } from 'drizzle-orm';
import { clients, jobs } from '../../../drizzle/schema.ts';
import type { Database } from '../../db/client.ts';
import { afterCursor, newestFirst, pageLimit } from '../../db/keyset.ts';
import type { CursorPosition } from '../../http/pagination.ts';
import { newId } from '../../ids.ts';
import { inScope } from '../../db/scope.ts';
import type { TenantScope } from '../../tenancy/scope.ts';

export type ClientRow = typeof clients.$inferSelect;
export type ClientFields = Pick<ClientRow, 'name' | 'externalRef' | 'vatId' | 'country' | 'metadata'>;

export async function insertClient(db: Database, scope: TenantScope, fields: ClientFields): Promise<ClientRow> {
  const [row] = await db
    .insert(clients)
    .values({ id: newId('cl', scope.mode), teamId: scope.teamId, mode: scope.mode, ...fields })
    .returning();
  return row!;
}

export async function findClient(db: Database, scope: TenantScope, id: string, options: { forUpdate?: boolean } = {}): Promise<ClientRow | null> {
  const query = db.select().from(clients).where(inScope(clients, scope, eq(clients.id, id)));
  const [row] = options.forUpdate ? await query.for('update') : await query;
  return row ?? null;
}

export async function clientExists(db: Database, scope: TenantScope, id: string): Promise<boolean> {
  const [row] = await db.select({ id: clients.id }).from(clients).where(inScope(clients, scope, eq(clients.id, id)));
  return row !== undefined;
}

export async function listClients(
  db: Database,
  scope: TenantScope,
  filter: { externalRef?: string },
  page: { limit: number; after?: CursorPosition },
): Promise<ClientRow[]> {
  return db
    .select()
    .from(clients)
    .where(
      inScope(
        clients,
        scope,
        filter.externalRef === undefined ? undefined : eq(clients.externalRef, filter.externalRef),
        afterCursor(clients.createdAt, clients.id, page.after),
      ),
    )
    .orderBy(...newestFirst(clients.createdAt, clients.id))
    .limit(pageLimit(page.limit + 1));
}

export async function updateClient(db: Database, scope: TenantScope, id: string, fields: Partial<ClientFields>): Promise<ClientRow | null> {
  const [row] = await db
    .update(clients)
    .set({ ...fields, updatedAt: sql`now()` })
    .where(inScope(clients, scope, eq(clients.id, id)))
    .returning();
  return row ?? null;
}

/** Refused by the database (foreign key) while other rows still reference the client. */
/**
 * Deletes a client. Jobs are history, not references a partner can undo: the ones that named the
 * client forget it (in the same transaction, so a refused delete leaves them as they were), while
 * contacts and invoices that still name it make the delete fail on their foreign keys.
 */
export async function deleteClient(db: Database, scope: TenantScope, id: string): Promise<ClientRow | null> {
  await db.update(jobs).set({ clientId: null }).where(inScope(jobs, scope, eq(jobs.clientId, id)));
  const [row] = await db.delete(clients).where(inScope(clients, scope, eq(clients.id, id))).returning();
  return row ?? null;
}

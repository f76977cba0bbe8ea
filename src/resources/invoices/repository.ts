import { eq, sql } from 'drizzle-orm';
import { invoices } from '../../../drizzle/schema.ts';
import type { Database } from '../../db/client.ts';
import { afterCursor, newestFirst, pageLimit } from '../../db/keyset.ts';
import { inScope } from '../../db/scope.ts';
import type { CursorPosition } from '../../http/pagination.ts';
import { newId } from '../../ids.ts';
import type { TenantScope } from '../../tenancy/scope.ts';

export type InvoiceRow = typeof invoices.$inferSelect;
export type NewInvoice = Omit<typeof invoices.$inferInsert, 'id' | 'teamId' | 'mode' | 'createdAt' | 'updatedAt'>;
export type InvoiceLinks = Partial<Pick<InvoiceRow, 'clientId' | 'sellerContactId' | 'buyerContactId' | 'metadata'>>;

/** Inserts the job's invoice; a second one for the same job is refused by the unique constraint. */
export async function insertInvoice(db: Database, scope: TenantScope, fields: NewInvoice): Promise<InvoiceRow> {
  const [row] = await db
    .insert(invoices)
    .values({ id: newId('inv', scope.mode), teamId: scope.teamId, mode: scope.mode, ...fields })
    .returning();
  return row!;
}

export async function findInvoice(db: Database, scope: TenantScope, id: string, options: { forUpdate?: boolean } = {}): Promise<InvoiceRow | null> {
  const query = db.select().from(invoices).where(inScope(invoices, scope, eq(invoices.id, id)));
  const [row] = options.forUpdate ? await query.for('update') : await query;
  return row ?? null;
}

export async function listInvoices(
  db: Database,
  scope: TenantScope,
  filter: { clientId?: string; jobId?: string },
  page: { limit: number; after?: CursorPosition },
): Promise<InvoiceRow[]> {
  return db
    .select()
    .from(invoices)
    .where(
      inScope(
        invoices,
        scope,
        filter.clientId === undefined ? undefined : eq(invoices.clientId, filter.clientId),
        filter.jobId === undefined ? undefined : eq(invoices.jobId, filter.jobId),
        afterCursor(invoices.createdAt, invoices.id, page.after),
      ),
    )
    .orderBy(...newestFirst(invoices.createdAt, invoices.id))
    .limit(pageLimit(page.limit + 1));
}

export async function updateInvoice(db: Database, scope: TenantScope, id: string, fields: InvoiceLinks): Promise<InvoiceRow | null> {
  const [row] = await db
    .update(invoices)
    .set({ ...fields, updatedAt: sql`now()` })
    .where(inScope(invoices, scope, eq(invoices.id, id)))
    .returning();
  return row ?? null;
}

export async function deleteInvoice(db: Database, scope: TenantScope, id: string): Promise<InvoiceRow | null> {
  const [row] = await db.delete(invoices).where(inScope(invoices, scope, eq(invoices.id, id))).returning();
  return row ?? null;
}

import { eq, sql } from 'drizzle-orm';
import { contacts } from '../../../drizzle/schema.ts';
import type { Database } from '../../db/client.ts';
import { afterCursor, newestFirst, pageLimit } from '../../db/keyset.ts';
import type { CursorPosition } from '../../http/pagination.ts';
import { newId } from '../../ids.ts';
import { preparedFor, scopedIdPlaceholders } from '../../db/prepared.ts';
import { inScope } from '../../db/scope.ts';
import type { TenantScope } from '../../tenancy/scope.ts';

export type ContactRow = typeof contacts.$inferSelect;
export type ContactFields = Pick<ContactRow, 'name' | 'email' | 'vatId' | 'role' | 'clientId' | 'address' | 'metadata'>;
export type ContactFilter = { clientId?: string; email?: string; vatId?: string };

export async function insertContact(db: Database, scope: TenantScope, fields: ContactFields): Promise<ContactRow> {
  const [row] = await db
    .insert(contacts)
    .values({ id: newId('ct', scope.mode), teamId: scope.teamId, mode: scope.mode, ...fields })
    .returning();
  return row!;
}

const findContactStatement = (db: Database) => db.select().from(contacts).where(scopedIdPlaceholders(contacts)).prepare('find_contact');

export async function findContact(db: Database, scope: TenantScope, id: string, options: { forUpdate?: boolean } = {}): Promise<ContactRow | null> {
  const statement = options.forUpdate ? null : preparedFor(db, 'find_contact', findContactStatement);
  if (statement) return (await statement.execute({ teamId: scope.teamId, mode: scope.mode, id }))[0] ?? null;
  const query = db.select().from(contacts).where(inScope(contacts, scope, eq(contacts.id, id)));
  const [row] = options.forUpdate ? await query.for('update') : await query;
  return row ?? null;
}

export async function contactExists(db: Database, scope: TenantScope, id: string): Promise<boolean> {
  const [row] = await db.select({ id: contacts.id }).from(contacts).where(inScope(contacts, scope, eq(contacts.id, id)));
  return row !== undefined;
}

export async function listContacts(db: Database, scope: TenantScope, filter: ContactFilter, page: { limit: number; after?: CursorPosition }): Promise<ContactRow[]> {
  return db
    .select()
    .from(contacts)
    .where(
      inScope(
        contacts,
        scope,
        filter.clientId === undefined ? undefined : eq(contacts.clientId, filter.clientId),
        filter.email === undefined ? undefined : sql`lower(${contacts.email}) = lower(${filter.email})`,
        filter.vatId === undefined ? undefined : eq(contacts.vatId, filter.vatId),
        afterCursor(contacts.createdAt, contacts.id, page.after),
      ),
    )
    .orderBy(...newestFirst(contacts.createdAt, contacts.id))
    .limit(pageLimit(page.limit + 1));
}

export async function updateContact(db: Database, scope: TenantScope, id: string, fields: Partial<ContactFields>): Promise<ContactRow | null> {
  const [row] = await db
    .update(contacts)
    .set({ ...fields, updatedAt: sql`now()` })
    .where(inScope(contacts, scope, eq(contacts.id, id)))
    .returning();
  return row ?? null;
}

export async function deleteContact(db: Database, scope: TenantScope, id: string): Promise<ContactRow | null> {
  const [row] = await db.delete(contacts).where(inScope(contacts, scope, eq(contacts.id, id))).returning();
  return row ?? null;
}

import { ApiError } from '../../errors/api-error.ts';
import { parseId } from '../../ids.ts';
import type { CursorPosition } from '../../http/pagination.ts';
import { recordChange } from '../../tenancy/changes.ts';
import { inTransaction, type TenantContext } from '../../tenancy/context.ts';
import { assertPathId, assertReference, deleteUnlessReferenced, notFound, type ReferenceKind } from '../../tenancy/references.ts';
import { cleanMetadata, mergeMetadata } from '../../tenancy/schemas.ts';
import { clientKind } from '../clients/service.ts';
import { contactExists, deleteContact, findContact, insertContact, listContacts, updateContact, type ContactFields, type ContactFilter } from './repository.ts';
import { presentContact, type AddressInput, type Contact } from './schemas.ts';

export const contactKind: ReferenceKind = {
  prefix: 'ct',
  noun: 'contact',
  exists: (ctx, id) => contactExists(ctx.db, ctx.scope, id),
};

type CreateInput = {
  name: string;
  email?: string | null;
  vatId?: string | null;
  role?: ContactFields['role'];
  clientId?: string | null;
  address?: AddressInput | null;
  metadata?: Record<string, string>;
};
type UpdateInput = Partial<Omit<CreateInput, 'metadata'>> & { metadata?: Record<string, string> | null };

function toAddress(address: AddressInput | null | undefined): ContactFields['address'] {
  if (!address) return null;
  return {
    line1: address.line1 ?? null,
    line2: address.line2 ?? null,
    city: address.city ?? null,
    postalCode: address.postalCode ?? null,
    country: address.country ?? null,
  };
}

export function createContact(ctx: TenantContext, input: CreateInput): Promise<Contact> {
  return inTransaction(ctx, async (tx) => {
    await assertReference(tx, 'clientId', input.clientId, clientKind);
    const row = await insertContact(tx.db, tx.scope, {
      name: input.name,
      email: input.email ?? null,
      vatId: input.vatId ?? null,
      role: input.role ?? null,
      clientId: input.clientId ?? null,
      address: toAddress(input.address),
      metadata: cleanMetadata(input.metadata),
    });
    const contact = presentContact(row);
    await recordChange(tx, 'contact', 'created', contact);
    return contact;
  });
}

export async function getContact(ctx: TenantContext, id: string): Promise<Contact> {
  assertPathId(ctx.scope, id, contactKind);
  const row = await findContact(ctx.db, ctx.scope, id);
  if (!row) throw notFound('contact', id);
  return presentContact(row);
}

export async function listContactPage(ctx: TenantContext, filter: ContactFilter, page: { limit: number; after?: CursorPosition }) {
  // A filter on a client of the other mode is the same mistake as a body reference to one.
  const client = filter.clientId ? parseId(filter.clientId) : null;
  if (client && client.mode !== ctx.scope.mode) {
    throw new ApiError('validation.client_mode_mismatch', `The \`clientId\` filter ${filter.clientId} belongs to ${client.mode} mode; this request uses a ${ctx.scope.mode} key.`, {
      param: 'clientId',
    });
  }
  return listContacts(ctx.db, ctx.scope, filter, page);
}

export function updateContactFields(ctx: TenantContext, id: string, input: UpdateInput): Promise<Contact> {
  assertPathId(ctx.scope, id, contactKind);
  return inTransaction(ctx, async (tx) => {
    const current = await findContact(tx.db, tx.scope, id, { forUpdate: true });
    if (!current) throw notFound('contact', id);
    await assertReference(tx, 'clientId', input.clientId, clientKind);
    const { metadata, address, ...rest } = input;
    const fields: Partial<ContactFields> = { ...rest, metadata: mergeMetadata(current.metadata, metadata) };
    if (address !== undefined) fields.address = toAddress(address);
    const row = await updateContact(tx.db, tx.scope, id, fields);
    const contact = presentContact(row!);
    await recordChange(tx, 'contact', 'updated', contact);
    return contact;
  });
}

export function removeContact(ctx: TenantContext, id: string) {
  assertPathId(ctx.scope, id, contactKind);
  return inTransaction(ctx, async (tx) => {
    const row = await deleteUnlessReferenced(
      () => deleteContact(tx.db, tx.scope, id),
      `Contact ${id} is still referenced by invoices as seller or buyer; re-assign them first.`,
    );
    if (!row) throw notFound('contact', id);
    await recordChange(tx, 'contact', 'deleted', presentContact(row));
    return { id, object: 'contact' as const, mode: row.mode, deleted: true as const };
  });
}

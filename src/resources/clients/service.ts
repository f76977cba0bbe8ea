import type { CursorPosition } from '../../http/pagination.ts';
import { recordChange } from '../../tenancy/changes.ts';
import { inTransaction, type TenantContext } from '../../tenancy/context.ts';
import { assertPathId, deleteUnlessReferenced, notFound, type ReferenceKind } from '../../tenancy/references.ts';
import { cleanMetadata, mergeMetadata } from '../../tenancy/schemas.ts';
import { clientExists, deleteClient, findClient, insertClient, listClients, updateClient, type ClientFields } from './repository.ts';
import { presentClient, type Client } from './schemas.ts';

export const clientKind: ReferenceKind = {
  prefix: 'cl',
  noun: 'client',
  exists: (ctx, id) => clientExists(ctx.db, ctx.scope, id),
};

type CreateInput = { name: string; externalRef?: string | null; vatId?: string | null; country?: string | null; metadata?: Record<string, string> };
type UpdateInput = Partial<Omit<CreateInput, 'metadata'>> & { metadata?: Record<string, string> | null };

export function createClient(ctx: TenantContext, input: CreateInput): Promise<Client> {
  return inTransaction(ctx, async (tx) => {
    const row = await insertClient(tx.db, tx.scope, {
      name: input.name,
      externalRef: input.externalRef ?? null,
      vatId: input.vatId ?? null,
      country: input.country ?? null,
      metadata: cleanMetadata(input.metadata),
    });
    const client = presentClient(row);
    await recordChange(tx, 'client', 'created', client);
    return client;
  });
}

export async function getClient(ctx: TenantContext, id: string): Promise<Client> {
  assertPathId(ctx.scope, id, clientKind);
  const row = await findClient(ctx.db, ctx.scope, id);
  if (!row) throw notFound('client', id);
  return presentClient(row);
}

export async function listClientPage(ctx: TenantContext, filter: { externalRef?: string }, page: { limit: number; after?: CursorPosition }) {
  return listClients(ctx.db, ctx.scope, filter, page);
}

export function updateClientFields(ctx: TenantContext, id: string, input: UpdateInput): Promise<Client> {
  assertPathId(ctx.scope, id, clientKind);
  return inTransaction(ctx, async (tx) => {
    const current = await findClient(tx.db, tx.scope, id, { forUpdate: true });
    if (!current) throw notFound('client', id);
    const { metadata, ...rest } = input;
    const fields: Partial<ClientFields> = { ...rest, metadata: mergeMetadata(current.metadata, metadata) };
    const row = await updateClient(tx.db, tx.scope, id, fields);
    const client = presentClient(row!);
    await recordChange(tx, 'client', 'updated', client);
    return client;
  });
}

export function removeClient(ctx: TenantContext, id: string) {
  assertPathId(ctx.scope, id, clientKind);
  return inTransaction(ctx, async (tx) => {
    const row = await deleteUnlessReferenced(
      () => deleteClient(tx.db, tx.scope, id),
      `Client ${id} is still referenced by contacts or invoices; delete or re-assign them first.`,
    );
    if (!row) throw notFound('client', id);
    await recordChange(tx, 'client', 'deleted', presentClient(row));
    return { id, object: 'client' as const, mode: row.mode, deleted: true as const };
  });
}

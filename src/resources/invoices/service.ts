import type { CursorPosition } from '../../http/pagination.ts';
import { recordChange } from '../../tenancy/changes.ts';
import { inTransaction, type TenantContext } from '../../tenancy/context.ts';
import { assertPathId, assertReference, notFound } from '../../tenancy/references.ts';
import { mergeMetadata } from '../../tenancy/schemas.ts';
import { clientKind } from '../clients/service.ts';
import { contactKind } from '../contacts/service.ts';
import { deleteInvoice, findInvoice, listInvoices, updateInvoice, type InvoiceLinks, type InvoiceRow } from './repository.ts';
import { presentInvoice, type Invoice } from './schemas.ts';

export const invoiceKind = { prefix: 'inv', noun: 'invoice' };

type UpdateInput = { clientId?: string | null; sellerContactId?: string | null; buyerContactId?: string | null; metadata?: Record<string, string> | null };

export async function getInvoiceRow(ctx: TenantContext, id: string): Promise<InvoiceRow> {
  assertPathId(ctx.scope, id, invoiceKind);
  const row = await findInvoice(ctx.db, ctx.scope, id);
  if (!row) throw notFound('invoice', id);
  return row;
}

export function listInvoicePage(ctx: TenantContext, filter: { clientId?: string; jobId?: string }, page: { limit: number; after?: CursorPosition }) {
  return listInvoices(ctx.db, ctx.scope, filter, page);
}

export function updateInvoiceLinks(ctx: TenantContext, id: string, input: UpdateInput): Promise<Invoice> {
  assertPathId(ctx.scope, id, invoiceKind);
  return inTransaction(ctx, async (tx) => {
    const current = await findInvoice(tx.db, tx.scope, id, { forUpdate: true });
    if (!current) throw notFound('invoice', id);
    await assertReference(tx, 'clientId', input.clientId, clientKind);
    await assertReference(tx, 'sellerContactId', input.sellerContactId, contactKind);
    await assertReference(tx, 'buyerContactId', input.buyerContactId, contactKind);
    const { metadata, ...links } = input;
    const fields: InvoiceLinks = { ...links, metadata: mergeMetadata(current.metadata, metadata) };
    const invoice = presentInvoice((await updateInvoice(tx.db, tx.scope, id, fields))!);
    await recordChange(tx, 'invoice', 'updated', invoice);
    return invoice;
  });
}

/** The stored file stays: the job that produced the invoice still refers to it. */
export function removeInvoice(ctx: TenantContext, id: string) {
  assertPathId(ctx.scope, id, invoiceKind);
  return inTransaction(ctx, async (tx) => {
    const row = await deleteInvoice(tx.db, tx.scope, id);
    if (!row) throw notFound('invoice', id);
    await recordChange(tx, 'invoice', 'deleted', presentInvoice(row));
    return { id, object: 'invoice' as const, mode: row.mode, deleted: true as const };
  });
}

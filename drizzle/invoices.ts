import { index, integer, jsonb, pgEnum, pgTable, text, unique } from 'drizzle-orm/pg-core';
import { clients } from './clients.ts';
import { timestampMs } from './columns.ts';
import { contacts } from './contacts.ts';
import { jobs } from './jobs.ts';
import { metadataColumn, scopedReference, tenantColumns, tenantConstraints } from './tenancy.ts';

export const documentTypeEnum = pgEnum('document_type', ['invoice', 'credit_note']);

export type Party = { name: string | null; vatId: string | null; address: Record<string, string | null> | null };
export type InvoiceLine = { description: string | null; quantity: string | null; unitPrice: string | null; netAmount: string | null; taxRate: string | null };
export type Totals = { net: string | null; tax: string | null; gross: string | null; due: string | null };
export type AllowanceChargeRow = { kind: 'allowance' | 'charge'; reason: string | null; amount: string; taxRate: string | null };
export type Extraction = { method: string; format: string | null; profile: string | null };

export const invoices = pgTable(
  'invoices',
  {
    ...tenantColumns(),
    jobId: text('job_id').notNull(),
    clientId: text('client_id'),
    sellerContactId: text('seller_contact_id'),
    buyerContactId: text('buyer_contact_id'),
    documentType: documentTypeEnum('document_type').notNull(),
    invoiceNumber: text('invoice_number'),
    issueDate: text('issue_date'),
    dueDate: text('due_date'),
    currency: text('currency'),
    seller: jsonb('seller').$type<Party>(),
    buyer: jsonb('buyer').$type<Party>(),
    lines: jsonb('lines').$type<InvoiceLine[]>().notNull().default([]),
    allowanceCharges: jsonb('allowance_charges').$type<AllowanceChargeRow[]>().notNull().default([]),
    totals: jsonb('totals').$type<Totals>().notNull(),
    extraction: jsonb('extraction').$type<Extraction>().notNull(),
    warnings: jsonb('warnings').$type<{ code: string; message: string }[]>().notNull().default([]),
    fileSha256: text('file_sha256').notNull(),
    filename: text('filename'),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    metadata: metadataColumn(),
    updatedAt: timestampMs('updated_at').notNull().defaultNow(),
  },
  (t) => [
    ...tenantConstraints('invoices', 'inv', t),
    // A job produces at most one invoice, whatever happens to workers.
    unique('invoices_job_once').on(t.teamId, t.mode, t.jobId),
    scopedReference('invoices_job_fk', t, t.jobId, jobs),
    scopedReference('invoices_client_fk', t, t.clientId, clients),
    scopedReference('invoices_seller_fk', t, t.sellerContactId, contacts),
    scopedReference('invoices_buyer_fk', t, t.buyerContactId, contacts),
    index('invoices_scope_client_idx').on(t.teamId, t.mode, t.clientId),
    index('invoices_scope_seller_idx').on(t.teamId, t.mode, t.sellerContactId),
    index('invoices_scope_buyer_idx').on(t.teamId, t.mode, t.buyerContactId),
  ],
);

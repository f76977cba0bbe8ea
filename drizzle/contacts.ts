import { sql } from 'drizzle-orm';
import { index, jsonb, pgEnum, pgTable, text } from 'drizzle-orm/pg-core';
import { clients } from './clients.ts';
import { timestampMs } from './columns.ts';
import { metadataColumn, scopedReference, tenantColumns, tenantConstraints } from './tenancy.ts';

export const contactRoleEnum = pgEnum('contact_role', ['supplier', 'customer', 'both']);

export type PostalAddress = { line1: string | null; line2: string | null; city: string | null; postalCode: string | null; country: string | null };

export const contacts = pgTable(
  'contacts',
  {
    ...tenantColumns(),
    clientId: text('client_id'),
    name: text('name').notNull(),
    email: text('email'),
    vatId: text('vat_id'),
    role: contactRoleEnum('role'),
    address: jsonb('address').$type<PostalAddress>(),
    metadata: metadataColumn(),
    updatedAt: timestampMs('updated_at').notNull().defaultNow(),
  },
  (t) => [
    ...tenantConstraints('contacts', 'ct', t),
    scopedReference('contacts_client_fk', t, t.clientId, clients),
    index('contacts_scope_client_idx').on(t.teamId, t.mode, t.clientId),
    index('contacts_scope_email_idx').on(t.teamId, t.mode, sql`lower(${t.email})`),
    index('contacts_scope_vat_idx').on(t.teamId, t.mode, t.vatId),
  ],
);

import { pgTable, text } from 'drizzle-orm/pg-core';
import { timestampMs } from './columns.ts';
import { metadataColumn, tenantColumns, tenantConstraints } from './tenancy.ts';

export const clients = pgTable(
  'clients',
  {
    ...tenantColumns(),
    name: text('name').notNull(),
    externalRef: text('external_ref'),
    vatId: text('vat_id'),
    country: text('country'),
    metadata: metadataColumn(),
    updatedAt: timestampMs('updated_at').notNull().defaultNow(),
  },
  (t) => [...tenantConstraints('clients', 'cl', t)],
);

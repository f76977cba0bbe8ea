import { jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { tenantColumns, tenantConstraints } from './tenancy.ts';

/** The event outbox: written with the change it describes, delivered to webhooks afterwards. */
export const events = pgTable(
  'events',
  {
    ...tenantColumns(),
    type: text('type').notNull(),
    data: jsonb('data').$type<{ object: Record<string, unknown> }>().notNull(),
  },
  (t) => [...tenantConstraints('events', 'evt', t)],
);

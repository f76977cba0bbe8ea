import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgEnum, pgTable, text, unique } from 'drizzle-orm/pg-core';
import { timestampMs } from './columns.ts';
import { events } from './events.ts';
import { metadataColumn, scopedReference, tenantColumns, tenantConstraints } from './tenancy.ts';

export const endpointStatusEnum = pgEnum('webhook_endpoint_status', ['enabled', 'disabled']);
export const deliveryStatusEnum = pgEnum('webhook_delivery_status', ['pending', 'succeeded', 'failed']);

export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    ...tenantColumns(),
    url: text('url').notNull(),
    description: text('description'),
    // Event types, or ['*'] for all.
    events: text('events').array().notNull(),
    // The signing secret, AES-256-GCM encrypted with the server's key: a dump alone cannot sign.
    secretCiphertext: text('secret_ciphertext').notNull(),
    status: endpointStatusEnum('status').notNull().default('enabled'),
    disabledReason: text('disabled_reason'),
    // Set by the first failed attempt after a success; an endpoint failing for too long is disabled.
    failingSince: timestampMs('failing_since'),
    metadata: metadataColumn(),
    updatedAt: timestampMs('updated_at').notNull().defaultNow(),
  },
  (t) => [...tenantConstraints('webhook_endpoints', 'we', t)],
);

export type DeliveryAttempt = { at: string; statusCode: number | null; durationMs: number; error: string | null };

/** One row per (endpoint, event): the outbox the delivery worker drains. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    ...tenantColumns(),
    endpointId: text('endpoint_id').notNull(),
    eventId: text('event_id').notNull(),
    status: deliveryStatusEnum('status').notNull().default('pending'),
    attempts: jsonb('attempts').$type<DeliveryAttempt[]>().notNull().default([]),
    // Attempts in the current round (a redelivery starts a new round).
    roundAttempts: integer('round_attempts').notNull().default(0),
    nextAttemptAt: timestampMs('next_attempt_at').defaultNow(),
    lockedUntil: timestampMs('locked_until'),
    lockedBy: text('locked_by'),
    updatedAt: timestampMs('updated_at').notNull().defaultNow(),
  },
  (t) => [
    ...tenantConstraints('webhook_deliveries', 'del', t),
    unique('webhook_deliveries_once').on(t.teamId, t.mode, t.endpointId, t.eventId),
    scopedReference('webhook_deliveries_endpoint_fk', t, t.endpointId, webhookEndpoints).onDelete('cascade'),
    scopedReference('webhook_deliveries_event_fk', t, t.eventId, events).onDelete('cascade'),
    index('webhook_deliveries_queue_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    index('webhook_deliveries_endpoint_idx').on(t.teamId, t.mode, t.endpointId, t.createdAt.desc(), t.id.desc()),
    // Deleting an event (a test-mode reset) finds its deliveries through this, not a scan.
    index('webhook_deliveries_event_idx').on(t.teamId, t.mode, t.eventId),
  ],
);

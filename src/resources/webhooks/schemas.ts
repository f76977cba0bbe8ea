import { z } from '@hono/zod-openapi';
import { createHash } from 'node:crypto';
import { exampleId, exampleTime, type NamedExamples } from '../../http/openapi.ts';
import { examplePage, listQueryFields, listSchema } from '../../http/pagination.ts';
import { MetadataSchema, ModeSchema, timestamps } from '../../tenancy/schemas.ts';
import { EVENT_TYPES } from '../../webhooks/event-types.ts';
import type { DeliveryRow, EndpointRow } from './repository.ts';

const EventsSchema = z
  .array(z.union([z.literal('*'), z.enum(EVENT_TYPES)], { message: `each entry is an event type (${EVENT_TYPES.join(', ')}) or "*"` }))
  .min(1)
  .max(EVENT_TYPES.length)
  .refine((e) => new Set(e).size === e.length, 'event types must not repeat')
  .refine((e) => !e.includes('*') || e.length === 1, '"*" stands alone')
  .openapi({ description: 'Event types to receive, or ["*"] for all.', example: ['job.completed', 'job.failed'] });

export const EndpointSchema = z
  .object({
    id: z.string().openapi({ example: exampleId('we') }),
    object: z.literal('webhook_endpoint'),
    mode: ModeSchema,
    url: z.string().openapi({ example: 'https://erp.example.com/hooks/parseo' }),
    description: z.string().nullable(),
    events: z.array(z.string()),
    status: z.enum(['enabled', 'disabled']).openapi({
      description:
        'An endpoint is disabled automatically once every delivery attempt to it has failed for more than WEBHOOK_DISABLE_AFTER_HOURS (120 h by default) with no success in between; `disabledReason` says why.',
    }),
    disabledReason: z.string().nullable(),
    metadata: z.record(z.string(), z.string()),
    ...timestamps,
  })
  .openapi('WebhookEndpoint');

export const EndpointWithSecretSchema = EndpointSchema.extend({
  secret: z.string().openapi({ description: 'The signing secret (`whsec_…`). Shown only on create and rotate.' }),
}).openapi('WebhookEndpointWithSecret');

export const CreateEndpointSchema = z
  .strictObject({
    url: z.string().max(2048),
    events: EventsSchema,
    description: z.string().trim().max(500).nullable().optional(),
    metadata: MetadataSchema.optional(),
  })
  .openapi('CreateWebhookEndpointRequest');

export const UpdateEndpointSchema = z
  .strictObject({
    url: z.string().max(2048).optional(),
    events: EventsSchema.optional(),
    description: z.string().trim().max(500).nullable().optional(),
    status: z
      .enum(['enabled', 'disabled'])
      .optional()
      .openapi({ description: 'Re-enable an endpoint that was disabled for failing, or pause one (pending deliveries then fail without being sent; pings still go out).' }),
    metadata: MetadataSchema.nullable().optional(),
  })
  .openapi('UpdateWebhookEndpointRequest');

export const DeliverySchema = z
  .object({
    id: z.string().openapi({ example: exampleId('del') }),
    object: z.literal('webhook_delivery'),
    mode: ModeSchema,
    endpointId: z.string(),
    eventId: z.string().openapi({ description: 'Also the `webhook-id` header of every attempt, redeliveries included.' }),
    status: z.enum(['pending', 'succeeded', 'failed']).openapi({
      description:
        '`succeeded` on a 2xx answer within the timeout; `failed` once the retry schedule is exhausted (by default 10 attempts over about 35 hours, each wait ±20 % jitter).',
    }),
    attempts: z.array(
      z.object({ at: z.iso.datetime(), statusCode: z.number().int().nullable(), durationMs: z.number().int(), error: z.string().nullable() }),
    ),
    nextAttemptAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .openapi('WebhookDelivery');

export const DeliveryParams = z.strictObject({
  id: z.string().max(64).openapi({ param: { name: 'id', in: 'path' }, example: exampleId('we') }),
  deliveryId: z.string().max(64).openapi({ param: { name: 'deliveryId', in: 'path' }, example: exampleId('del') }),
});

export const EndpointListQuery = z.strictObject(listQueryFields);
export const EndpointListSchema = listSchema(EndpointSchema, 'WebhookEndpointList');
export const DeliveryListSchema = listSchema(DeliverySchema, 'WebhookDeliveryList');
export const DeletedEndpointSchema = z
  .object({ id: z.string(), object: z.literal('webhook_endpoint'), mode: ModeSchema, deleted: z.literal(true) })
  .openapi('DeletedWebhookEndpoint');

export type Endpoint = z.infer<typeof EndpointSchema>;
type Delivery = z.infer<typeof DeliverySchema>;

export const endpointExample: Endpoint = {
  id: exampleId('we'),
  object: 'webhook_endpoint',
  mode: 'test',
  url: 'https://erp.example.com/hooks/parseo',
  description: 'ERP sync (staging)',
  events: ['job.completed', 'job.failed'],
  status: 'enabled',
  disabledReason: null,
  metadata: {},
  createdAt: exampleTime(2),
  updatedAt: exampleTime(2),
};

/** Shaped like a real secret (`whsec_` and 32 bytes in base64), the same in every build. */
export const endpointWithSecretExample: z.infer<typeof EndpointWithSecretSchema> = {
  ...endpointExample,
  secret: `whsec_${createHash('sha256').update('parseo-example:whsec').digest('base64')}`,
};

export const endpointListExample = examplePage('webhooks', 'test', [endpointExample]);

export const createEndpointExamples = {
  jobs: {
    summary: 'Job outcomes only',
    value: { url: 'https://erp.example.com/hooks/parseo', events: ['job.completed', 'job.failed'], description: 'ERP sync (staging)' },
  },
  everything: { summary: 'Every event type', value: { url: 'https://erp.example.com/hooks/parseo', events: ['*'] } },
} satisfies NamedExamples<z.input<typeof CreateEndpointSchema>>;

export const updateEndpointExamples = {
  reenable: { summary: 'Re-enable an endpoint disabled for failing', value: { status: 'enabled' } },
  events: { summary: 'Change the event types', value: { events: ['invoice.created', 'invoice.updated', 'invoice.deleted'] } },
  pause: { summary: 'Pause deliveries', value: { status: 'disabled' } },
} satisfies NamedExamples<z.input<typeof UpdateEndpointSchema>>;

export const deletedEndpointExample = { id: endpointExample.id, object: 'webhook_endpoint', mode: 'test', deleted: true } satisfies z.infer<typeof DeletedEndpointSchema>;

const succeededDelivery: Delivery = {
  id: exampleId('del'),
  object: 'webhook_delivery',
  mode: 'test',
  endpointId: endpointExample.id,
  eventId: exampleId('evt', 'test', 'job.completed'),
  status: 'succeeded',
  attempts: [
    { at: exampleTime(20.02), statusCode: 503, durationMs: 184, error: 'the endpoint answered HTTP 503' },
    { at: exampleTime(20.05), statusCode: 200, durationMs: 97, error: null },
  ],
  nextAttemptAt: null,
  createdAt: exampleTime(20),
};

export const deliveryExamples = {
  succeeded: { summary: 'Delivered on the second attempt', value: succeededDelivery },
  pending: {
    summary: 'Pending: the next attempt is scheduled',
    value: {
      ...succeededDelivery,
      id: exampleId('del', 'test', 'pending'),
      status: 'pending',
      attempts: [{ at: exampleTime(41.1), statusCode: null, durationMs: 10_000, error: 'no answer within 10000 ms' }],
      nextAttemptAt: exampleTime(41.2),
      createdAt: exampleTime(41.05),
    },
  },
} satisfies NamedExamples<Delivery>;

export const deliveryListExample = examplePage(`deliveries:${endpointExample.id}`, 'test', [deliveryExamples.pending.value, succeededDelivery]);

/** What `redeliver` answers: the delivery, pending again, its earlier attempts kept. */
export const redeliveredExample: Delivery = { ...succeededDelivery, status: 'pending', nextAttemptAt: exampleTime(60) };

export function presentEndpoint(row: EndpointRow): Endpoint {
  return {
    id: row.id,
    object: 'webhook_endpoint',
    mode: row.mode,
    url: row.url,
    description: row.description,
    events: row.events,
    status: row.status,
    disabledReason: row.disabledReason,
    metadata: row.metadata,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function presentDelivery(row: DeliveryRow): z.infer<typeof DeliverySchema> {
  return {
    id: row.id,
    object: 'webhook_delivery',
    mode: row.mode,
    endpointId: row.endpointId,
    eventId: row.eventId,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'pending' && row.nextAttemptAt ? row.nextAttemptAt.toISOString() : null,
    createdAt: row.createdAt.toISOString(),
  };
}

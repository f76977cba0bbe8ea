import { z } from '@hono/zod-openapi';
import { listQueryFields, listSchema } from '../../http/pagination.ts';
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
    id: z.string().openapi({ example: 'we_test_8Kd2Lf4Mh6Nj8Pk0Ql2Rm4Sn' }),
    object: z.literal('webhook_endpoint'),
    mode: ModeSchema,
    url: z.string().openapi({ example: 'https://example.com/parseo/webhooks' }),
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
  secret: z.string().openapi({ description: 'The signing secret (`whsec_…`). Shown only on create and rotate.', example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }),
}).openapi('WebhookEndpointWithSecret');

export const CreateEndpointSchema = z
  .strictObject({
    url: z.string().max(2048),
    events: EventsSchema,
    description: z.string().trim().max(500).nullable().optional(),
    metadata: MetadataSchema.optional(),
  })
  .openapi('CreateWebhookEndpointRequest', { example: { url: 'https://example.com/parseo/webhooks', events: ['*'] } });

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
    id: z.string().openapi({ example: 'del_test_2Bc4De6Fg8Hi0Jk2Lm4No6Pq' }),
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
  id: z.string().max(64).openapi({ param: { name: 'id', in: 'path' } }),
  deliveryId: z.string().max(64).openapi({ param: { name: 'deliveryId', in: 'path' } }),
});

export const EndpointListQuery = z.strictObject(listQueryFields);
export const EndpointListSchema = listSchema(EndpointSchema, 'WebhookEndpointList');
export const DeliveryListSchema = listSchema(DeliverySchema, 'WebhookDeliveryList');
export const DeletedEndpointSchema = z
  .object({ id: z.string(), object: z.literal('webhook_endpoint'), mode: ModeSchema, deleted: z.literal(true) })
  .openapi('DeletedWebhookEndpoint');

export type Endpoint = z.infer<typeof EndpointSchema>;

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

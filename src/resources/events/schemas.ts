import { z } from '@hono/zod-openapi';
import { listQueryFields, listSchema } from '../../http/pagination.ts';
import { ModeSchema } from '../../tenancy/schemas.ts';
import { EVENT_TYPES, eventTypes } from '../../webhooks/event-types.ts';
import type { EventRow } from './repository.ts';

export const EventTypeSchema = z.enum(EVENT_TYPES).openapi('EventType', {
  description: Object.entries(eventTypes)
    .map(([type, meaning]) => `- \`${type}\`: ${meaning}`)
    .join('\n'),
});

export const EventSchema = z
  .object({
    id: z.string().openapi({ example: 'evt_test_4Rt7Yu1Io3Pa5Sd7Fg9Hj2Kl' }),
    object: z.literal('event'),
    mode: ModeSchema,
    type: EventTypeSchema,
    data: z.object({ object: z.record(z.string(), z.unknown()) }).openapi({ description: 'The resource as it was when the event happened.' }),
    createdAt: z.iso.datetime(),
  })
  .openapi('Event');

export const EventListQuery = z.strictObject({ ...listQueryFields, type: EventTypeSchema.optional() });
export const EventListSchema = listSchema(EventSchema, 'EventList');
export type Event = z.infer<typeof EventSchema>;

export function presentEvent(row: EventRow): Event {
  return {
    id: row.id,
    object: 'event',
    mode: row.mode,
    type: row.type as Event['type'],
    data: row.data,
    createdAt: row.createdAt.toISOString(),
  };
}

import { z } from '@hono/zod-openapi';
import { exampleId, exampleTime, type NamedExamples } from '../../http/openapi.ts';
import { examplePage, listQueryFields, listSchema } from '../../http/pagination.ts';
import { ModeSchema } from '../../tenancy/schemas.ts';
import { EVENT_TYPES, eventTypes } from '../../webhooks/event-types.ts';
import { clientExample } from '../clients/schemas.ts';
import { invoiceExample } from '../invoices/schemas.ts';
import { jobExamples } from '../jobs/schemas.ts';
import type { EventRow } from './repository.ts';

export const EventTypeSchema = z.enum(EVENT_TYPES).openapi('EventType', {
  description: Object.entries(eventTypes)
    .map(([type, meaning]) => `- \`${type}\`: ${meaning}`)
    .join('\n'),
});

export const EventSchema = z
  .object({
    id: z.string().openapi({ example: exampleId('evt', 'test', 'job.completed') }),
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

/** An event as the API and webhooks present it, around the object it carries. */
export function exampleEvent(type: Event['type'], object: Record<string, unknown>, createdAt: string): Event {
  return { id: exampleId('evt', 'test', type), object: 'event', mode: 'test', type, data: { object }, createdAt };
}

export const eventExamples = {
  'job.completed': { summary: 'A job completed', value: exampleEvent('job.completed', jobExamples.completed.value, exampleTime(20)) },
  'invoice.created': { summary: 'The invoice it produced', value: exampleEvent('invoice.created', invoiceExample, exampleTime(20)) },
  'client.created': { summary: 'A client was created', value: exampleEvent('client.created', clientExample, exampleTime()) },
} satisfies NamedExamples<Event>;

export const eventListExample = examplePage('events', 'test', [eventExamples['job.completed'].value, eventExamples['client.created'].value]);

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

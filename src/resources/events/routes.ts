import { createRoute } from '@hono/zod-openapi';
import type { Database } from '../../db/client.ts';
import { requireScope } from '../../http/auth.ts';
import { NoQuery, errorResponses, jsonContent, notFoundOf } from '../../http/openapi.ts';
import { decodeCursor, toPage } from '../../http/pagination.ts';
import type { createRouter } from '../../http/router.ts';
import { tenantContext } from '../../tenancy/context.ts';
import { assertPathId, notFound } from '../../tenancy/references.ts';
import { idParams } from '../../tenancy/schemas.ts';
import { findEvent, listEvents } from './repository.ts';
import { eventExamples, eventListExample, EventListQuery, EventListSchema, EventSchema, presentEvent } from './schemas.ts';

const tags = ['Events'];
const security = [{ bearerAuth: [] }];
const read = [requireScope('event:read')];
export const eventKind = { prefix: 'evt', noun: 'event' };
const IdParams = idParams(eventExamples['job.completed'].value.id);

export const listEventsRoute = createRoute({
  operationId: 'listEvents',
  method: 'get',
  path: '/events',
  tags,
  security,
  middleware: read,
  summary: 'List events',
  description: 'Events of the caller’s mode, newest first. Needs `event:read`.',
  request: { query: EventListQuery },
  responses: { 200: jsonContent(EventListSchema, 'A page of events.', { example: eventListExample }), ...errorResponses(400, 401, 403) },
});

export const getEventRoute = createRoute({
  operationId: 'getEvent',
  method: 'get',
  path: '/events/{id}',
  tags,
  security,
  middleware: read,
  summary: 'Retrieve an event',
  description: 'An event of the caller’s mode, with the object as it was when the event happened. Needs `event:read`.',
  request: { params: IdParams, query: NoQuery },
  responses: { 200: jsonContent(EventSchema, 'The event.', { examples: eventExamples }), ...errorResponses(400, 401, 403, notFoundOf('event')) },
});

export function registerEventRoutes(app: ReturnType<typeof createRouter>, db: Database) {
  app.openapi(listEventsRoute, async (c) => {
    const ctx = tenantContext(c, db);
    const { limit, cursor, ...filter } = c.req.valid('query');
    const rows = await listEvents(ctx.db, ctx.scope, filter, { limit, after: cursor ? decodeCursor(cursor, 'events', ctx.scope.mode) : undefined });
    return c.json(toPage(rows, limit, 'events', ctx.scope.mode, presentEvent), 200);
  });

  app.openapi(getEventRoute, async (c) => {
    const ctx = tenantContext(c, db);
    const { id } = c.req.valid('param');
    assertPathId(ctx.scope, id, eventKind);
    const row = await findEvent(ctx.db, ctx.scope, id);
    if (!row) throw notFound('event', id);
    return c.json(presentEvent(row), 200);
  });
}

import { createRoute } from '@hono/zod-openapi';
import type { Database } from '../../db/client.ts';
import { requireScope } from '../../http/auth.ts';
import { IdempotencyHeaders, NoQuery, errorResponses, exampleTime, idempotencyErrors, jsonBody, jsonBodyErrors, jsonContent, notFoundOf } from '../../http/openapi.ts';
import { decodeCursor, toPage } from '../../http/pagination.ts';
import type { createRouter } from '../../http/router.ts';
import { tenantContext } from '../../tenancy/context.ts';
import { idParams } from '../../tenancy/schemas.ts';
import {
  ClientListQuery,
  clientExample,
  clientListExample,
  ClientListSchema,
  ClientSchema,
  createClientExamples,
  CreateClientSchema,
  deletedClientExample,
  DeletedClientSchema,
  presentClient,
  updateClientExamples,
  UpdateClientSchema,
} from './schemas.ts';
import { createClient, getClient, listClientPage, removeClient, updateClientFields } from './service.ts';

const tags = ['Clients'];
const security = [{ bearerAuth: [] }];
const read = [requireScope('client:read')];
const write = [requireScope('client:write')];
const IdParams = idParams(clientExample.id);

export const createClientRoute = createRoute({
  operationId: 'createClient',
  method: 'post',
  path: '/clients',
  tags,
  security,
  middleware: write,
  summary: 'Create a client',
  description: 'A company on whose behalf you process invoices. Needs `client:write`.',
  request: { body: jsonBody(CreateClientSchema, { examples: createClientExamples }), query: NoQuery, headers: IdempotencyHeaders },
  responses: {
    201: jsonContent(ClientSchema, 'The new client.', { example: clientExample }),
    ...errorResponses(400, 401, 403, ...jsonBodyErrors, ...idempotencyErrors),
  },
});

export const listClientsRoute = createRoute({
  operationId: 'listClients',
  method: 'get',
  path: '/clients',
  tags,
  security,
  middleware: read,
  summary: 'List clients',
  description: 'Clients of the caller’s mode, newest first. Needs `client:read`.',
  request: { query: ClientListQuery },
  responses: { 200: jsonContent(ClientListSchema, 'A page of clients.', { example: clientListExample }), ...errorResponses(400, 401, 403) },
});

export const getClientRoute = createRoute({
  operationId: 'getClient',
  method: 'get',
  path: '/clients/{id}',
  tags,
  security,
  middleware: read,
  summary: 'Retrieve a client',
  description: 'A client of the caller’s mode. Needs `client:read`.',
  request: { params: IdParams, query: NoQuery },
  responses: { 200: jsonContent(ClientSchema, 'The client.', { example: clientExample }), ...errorResponses(400, 401, 403, notFoundOf('client')) },
});

export const updateClientRoute = createRoute({
  operationId: 'updateClient',
  method: 'patch',
  path: '/clients/{id}',
  tags,
  security,
  middleware: write,
  summary: 'Update a client',
  description: 'Only the fields sent change; `null` clears an optional field. Metadata keys merge. Needs `client:write`.',
  request: { params: IdParams, body: jsonBody(UpdateClientSchema, { examples: updateClientExamples }), query: NoQuery },
  responses: {
    200: jsonContent(ClientSchema, 'The updated client.', { example: { ...clientExample, name: 'Müller Bau GmbH & Co. KG', updatedAt: exampleTime(30) } }),
    ...errorResponses(400, 401, 403, notFoundOf('client'), ...jsonBodyErrors),
  },
});

export const deleteClientRoute = createRoute({
  operationId: 'deleteClient',
  method: 'delete',
  path: '/clients/{id}',
  tags,
  security,
  middleware: write,
  summary: 'Delete a client',
  description: 'Refused with 409 `resource.in_use` while contacts or invoices reference the client. Needs `client:write`.',
  request: { params: IdParams, query: NoQuery },
  responses: {
    200: jsonContent(DeletedClientSchema, 'The client was deleted.', { example: deletedClientExample }),
    ...errorResponses(400, 401, 403, notFoundOf('client'), 'resource.in_use'),
  },
});

export function registerClientRoutes(app: ReturnType<typeof createRouter>, db: Database) {
  app.openapi(createClientRoute, async (c) => c.json(await createClient(tenantContext(c, db), c.req.valid('json')), 201));

  app.openapi(listClientsRoute, async (c) => {
    const ctx = tenantContext(c, db);
    const { limit, cursor, ...filter } = c.req.valid('query');
    const rows = await listClientPage(ctx, filter, { limit, after: cursor ? decodeCursor(cursor, 'clients', ctx.scope.mode) : undefined });
    return c.json(toPage(rows, limit, 'clients', ctx.scope.mode, presentClient), 200);
  });

  app.openapi(getClientRoute, async (c) => c.json(await getClient(tenantContext(c, db), c.req.valid('param').id), 200));

  app.openapi(updateClientRoute, async (c) =>
    c.json(await updateClientFields(tenantContext(c, db), c.req.valid('param').id, c.req.valid('json')), 200),
  );

  app.openapi(deleteClientRoute, async (c) => c.json(await removeClient(tenantContext(c, db), c.req.valid('param').id), 200));
}

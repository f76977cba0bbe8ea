import { createRoute } from '@hono/zod-openapi';
import type { Database } from '../../db/client.ts';
import { requireScope } from '../../http/auth.ts';
import { NoQuery, errorResponses, jsonBody, jsonContent } from '../../http/openapi.ts';
import { decodeCursor, toPage } from '../../http/pagination.ts';
import type { createRouter } from '../../http/router.ts';
import { tenantContext } from '../../tenancy/context.ts';
import { IdParams } from '../../tenancy/schemas.ts';
import { ClientListQuery, ClientListSchema, ClientSchema, CreateClientSchema, DeletedClientSchema, presentClient, UpdateClientSchema } from './schemas.ts';
import { createClient, getClient, listClientPage, removeClient, updateClientFields } from './service.ts';

const tags = ['Clients'];
const security = [{ bearerAuth: [] }];
const read = [requireScope('client:read')];
const write = [requireScope('client:write')];

export const createClientRoute = createRoute({
  operationId: 'createClient',
  method: 'post',
  path: '/clients',
  tags,
  security,
  middleware: write,
  summary: 'Create a client',
  description: 'A company on whose behalf you process invoices. Needs `client:write`.',
  request: { body: jsonBody(CreateClientSchema), query: NoQuery },
  responses: { 201: jsonContent(ClientSchema, 'The new client.'), ...errorResponses(400, 401, 403, 409, 413, 415, 422) },
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
  responses: { 200: jsonContent(ClientListSchema, 'A page of clients.'), ...errorResponses(400, 401, 403) },
});

export const getClientRoute = createRoute({
  operationId: 'getClient',
  method: 'get',
  path: '/clients/{id}',
  tags,
  security,
  middleware: read,
  summary: 'Retrieve a client',
  request: { params: IdParams, query: NoQuery },
  responses: { 200: jsonContent(ClientSchema, 'The client.'), ...errorResponses(400, 401, 403, 404) },
});

export const updateClientRoute = createRoute({
  operationId: 'updateClient',
  method: 'patch',
  path: '/clients/{id}',
  tags,
  security,
  middleware: write,
  summary: 'Update a client',
  request: { params: IdParams, body: jsonBody(UpdateClientSchema), query: NoQuery },
  responses: { 200: jsonContent(ClientSchema, 'The updated client.'), ...errorResponses(400, 401, 403, 404, 413, 415) },
});

export const deleteClientRoute = createRoute({
  operationId: 'deleteClient',
  method: 'delete',
  path: '/clients/{id}',
  tags,
  security,
  middleware: write,
  summary: 'Delete a client',
  description: 'Refused with 409 `resource.in_use` while contacts or invoices reference the client.',
  request: { params: IdParams, query: NoQuery },
  responses: { 200: jsonContent(DeletedClientSchema, 'The client was deleted.'), ...errorResponses(400, 401, 403, 404, 409) },
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

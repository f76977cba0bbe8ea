import { createRoute } from '@hono/zod-openapi';
import type { Database } from '../../db/client.ts';
import { requireScope } from '../../http/auth.ts';
import { NoQuery, errorResponses, jsonBody, jsonContent } from '../../http/openapi.ts';
import { decodeCursor, toPage } from '../../http/pagination.ts';
import type { createRouter } from '../../http/router.ts';
import { tenantContext } from '../../tenancy/context.ts';
import { IdParams } from '../../tenancy/schemas.ts';
import { ContactListQuery, ContactListSchema, ContactSchema, CreateContactSchema, DeletedContactSchema, presentContact, UpdateContactSchema } from './schemas.ts';
import { createContact, getContact, listContactPage, removeContact, updateContactFields } from './service.ts';

const tags = ['Contacts'];
const security = [{ bearerAuth: [] }];
const read = [requireScope('contact:read')];
const write = [requireScope('contact:write')];

export const createContactRoute = createRoute({
  operationId: 'createContact',
  method: 'post',
  path: '/contacts',
  tags,
  security,
  middleware: write,
  summary: 'Create a contact',
  description: 'A business partner: a seller or a buyer. `clientId` must be a client of the same mode. Needs `contact:write`.',
  request: { body: jsonBody(CreateContactSchema), query: NoQuery },
  responses: { 201: jsonContent(ContactSchema, 'The new contact.'), ...errorResponses(400, 401, 403, 409, 413, 415, 422) },
});

export const listContactsRoute = createRoute({
  operationId: 'listContacts',
  method: 'get',
  path: '/contacts',
  tags,
  security,
  middleware: read,
  summary: 'List contacts',
  description: 'Contacts of the caller’s mode, newest first, optionally filtered. Needs `contact:read`.',
  request: { query: ContactListQuery },
  responses: { 200: jsonContent(ContactListSchema, 'A page of contacts.'), ...errorResponses(400, 401, 403) },
});

export const getContactRoute = createRoute({
  operationId: 'getContact',
  method: 'get',
  path: '/contacts/{id}',
  tags,
  security,
  middleware: read,
  summary: 'Retrieve a contact',
  request: { params: IdParams, query: NoQuery },
  responses: { 200: jsonContent(ContactSchema, 'The contact.'), ...errorResponses(400, 401, 403, 404) },
});

export const updateContactRoute = createRoute({
  operationId: 'updateContact',
  method: 'patch',
  path: '/contacts/{id}',
  tags,
  security,
  middleware: write,
  summary: 'Update a contact',
  request: { params: IdParams, body: jsonBody(UpdateContactSchema), query: NoQuery },
  responses: { 200: jsonContent(ContactSchema, 'The updated contact.'), ...errorResponses(400, 401, 403, 404, 413, 415) },
});

export const deleteContactRoute = createRoute({
  operationId: 'deleteContact',
  method: 'delete',
  path: '/contacts/{id}',
  tags,
  security,
  middleware: write,
  summary: 'Delete a contact',
  description: 'Refused with 409 `resource.in_use` while invoices reference the contact.',
  request: { params: IdParams, query: NoQuery },
  responses: { 200: jsonContent(DeletedContactSchema, 'The contact was deleted.'), ...errorResponses(400, 401, 403, 404, 409) },
});

export function registerContactRoutes(app: ReturnType<typeof createRouter>, db: Database) {
  app.openapi(createContactRoute, async (c) => c.json(await createContact(tenantContext(c, db), c.req.valid('json')), 201));

  app.openapi(listContactsRoute, async (c) => {
    const ctx = tenantContext(c, db);
    const { limit, cursor, ...filter } = c.req.valid('query');
    const rows = await listContactPage(ctx, filter, { limit, after: cursor ? decodeCursor(cursor, 'contacts', ctx.scope.mode) : undefined });
    return c.json(toPage(rows, limit, 'contacts', ctx.scope.mode, presentContact), 200);
  });

  app.openapi(getContactRoute, async (c) => c.json(await getContact(tenantContext(c, db), c.req.valid('param').id), 200));

  app.openapi(updateContactRoute, async (c) =>
    c.json(await updateContactFields(tenantContext(c, db), c.req.valid('param').id, c.req.valid('json')), 200),
  );

  app.openapi(deleteContactRoute, async (c) => c.json(await removeContact(tenantContext(c, db), c.req.valid('param').id), 200));
}

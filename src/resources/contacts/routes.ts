import { createRoute } from '@hono/zod-openapi';
import type { Database } from '../../db/client.ts';
import { requireScope } from '../../http/auth.ts';
import { IdempotencyHeaders, NoQuery, errorResponses, exampleTime, idempotencyErrors, jsonBody, jsonBodyErrors, jsonContent, notFoundOf, referenceErrors } from '../../http/openapi.ts';
import { decodeCursor, toPage } from '../../http/pagination.ts';
import type { createRouter } from '../../http/router.ts';
import { tenantContext } from '../../tenancy/context.ts';
import { idParams } from '../../tenancy/schemas.ts';
import {
  contactExample,
  contactListExample,
  ContactListQuery,
  ContactListSchema,
  ContactSchema,
  createContactExamples,
  CreateContactSchema,
  deletedContactExample,
  DeletedContactSchema,
  presentContact,
  updateContactExamples,
  UpdateContactSchema,
} from './schemas.ts';
import { createContact, getContact, listContactPage, removeContact, updateContactFields } from './service.ts';

const tags = ['Contacts'];
const security = [{ bearerAuth: [] }];
const read = [requireScope('contact:read')];
const write = [requireScope('contact:write')];
const IdParams = idParams(contactExample.id);

export const createContactRoute = createRoute({
  operationId: 'createContact',
  method: 'post',
  path: '/contacts',
  tags,
  security,
  middleware: write,
  summary: 'Create a contact',
  description: 'A business partner: a seller or a buyer. `clientId` must be a client of the same mode. Needs `contact:write`.',
  request: { body: jsonBody(CreateContactSchema, { examples: createContactExamples }), query: NoQuery, headers: IdempotencyHeaders },
  responses: {
    201: jsonContent(ContactSchema, 'The new contact.', { example: contactExample }),
    ...errorResponses(400, 401, 403, ...jsonBodyErrors, ...referenceErrors, ...idempotencyErrors),
  },
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
  responses: {
    200: jsonContent(ContactListSchema, 'A page of contacts.', { example: contactListExample }),
    ...errorResponses(400, 401, 403, 'validation.client_mode_mismatch'),
  },
});

export const getContactRoute = createRoute({
  operationId: 'getContact',
  method: 'get',
  path: '/contacts/{id}',
  tags,
  security,
  middleware: read,
  summary: 'Retrieve a contact',
  description: 'A contact of the caller’s mode. Needs `contact:read`.',
  request: { params: IdParams, query: NoQuery },
  responses: { 200: jsonContent(ContactSchema, 'The contact.', { example: contactExample }), ...errorResponses(400, 401, 403, notFoundOf('contact')) },
});

export const updateContactRoute = createRoute({
  operationId: 'updateContact',
  method: 'patch',
  path: '/contacts/{id}',
  tags,
  security,
  middleware: write,
  summary: 'Update a contact',
  description: 'Only the fields sent change; `null` clears an optional field and `address` is replaced whole. Needs `contact:write`.',
  request: { params: IdParams, body: jsonBody(UpdateContactSchema, { examples: updateContactExamples }), query: NoQuery },
  responses: {
    200: jsonContent(ContactSchema, 'The updated contact.', {
      example: { ...contactExample, role: 'both', email: 'invoices@schmidt-elektro.de', updatedAt: exampleTime(30) },
    }),
    ...errorResponses(400, 401, 403, notFoundOf('contact'), ...jsonBodyErrors, ...referenceErrors),
  },
});

export const deleteContactRoute = createRoute({
  operationId: 'deleteContact',
  method: 'delete',
  path: '/contacts/{id}',
  tags,
  security,
  middleware: write,
  summary: 'Delete a contact',
  description: 'Refused with 409 `resource.in_use` while invoices reference the contact. Needs `contact:write`.',
  request: { params: IdParams, query: NoQuery },
  responses: {
    200: jsonContent(DeletedContactSchema, 'The contact was deleted.', { example: deletedContactExample }),
    ...errorResponses(400, 401, 403, notFoundOf('contact'), 'resource.in_use.contact'),
  },
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

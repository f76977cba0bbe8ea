import { createRoute } from '@hono/zod-openapi';
import type { Database } from '../../db/client.ts';
import { requireScope } from '../../http/auth.ts';
import { IdempotencyHeaders, NoQuery, errorResponses, exampleTime, idempotencyErrors, jsonBody, jsonBodyErrors, jsonContent, notFoundOf } from '../../http/openapi.ts';
import { decodeCursor, toPage } from '../../http/pagination.ts';
import type { createRouter } from '../../http/router.ts';
import { tenantContext } from '../../tenancy/context.ts';
import { idParams } from '../../tenancy/schemas.ts';
import { EventSchema, exampleEvent } from '../events/schemas.ts';
import {
  createEndpointExamples,
  CreateEndpointSchema,
  deletedEndpointExample,
  DeletedEndpointSchema,
  deliveryExamples,
  deliveryListExample,
  DeliveryListSchema,
  DeliveryParams,
  DeliverySchema,
  endpointExample,
  endpointListExample,
  EndpointListQuery,
  EndpointListSchema,
  EndpointSchema,
  endpointWithSecretExample,
  EndpointWithSecretSchema,
  presentDelivery,
  presentEndpoint,
  redeliveredExample,
  updateEndpointExamples,
  UpdateEndpointSchema,
} from './schemas.ts';
import {
  createEndpoint,
  getDelivery,
  getEndpoint,
  listDeliveryPage,
  listEndpointPage,
  pingEndpoint,
  redeliver,
  removeEndpoint,
  rotateSecret,
  updateEndpointFields,
  type WebhookDeps,
} from './service.ts';

const tags = ['Webhooks'];
const security = [{ bearerAuth: [] }];
const manage = [requireScope('webhook:manage')];
const base = { tags, security, middleware: manage };
const IdParams = idParams(endpointExample.id);
/** Answers that hold a signing secret may be kept by no cache on the way. */
const noStore = { 'Cache-Control': { schema: { type: 'string' as const }, description: 'Always `no-store`: the answer holds a secret.', example: 'no-store' } };

export const createEndpointRoute = createRoute({
  ...base,
  operationId: 'createWebhookEndpoint',
  method: 'post',
  path: '/webhooks',
  summary: 'Register a webhook endpoint',
  description:
    'The endpoint receives events of the key’s mode only. Deliveries are signed per Standard Webhooks with the `secret` returned here (and only here, or on rotation). Targets on loopback, private, link-local or reserved addresses (in any notation, or a host name resolving only to such) are refused, and checked again after DNS at every delivery.',
  request: { body: jsonBody(CreateEndpointSchema, { examples: createEndpointExamples }), query: NoQuery, headers: IdempotencyHeaders },
  responses: {
    201: { ...jsonContent(EndpointWithSecretSchema, 'The endpoint, with its signing secret.', { example: endpointWithSecretExample }), headers: noStore },
    ...errorResponses(400, 401, 403, ...jsonBodyErrors, 'validation.invalid_request.webhook_url', ...idempotencyErrors),
  },
});

export const listEndpointsRoute = createRoute({
  ...base,
  operationId: 'listWebhookEndpoints',
  method: 'get',
  path: '/webhooks',
  summary: 'List webhook endpoints',
  description: 'Endpoints of the caller’s mode, newest first, without their secrets.',
  request: { query: EndpointListQuery },
  responses: { 200: jsonContent(EndpointListSchema, 'A page of endpoints.', { example: endpointListExample }), ...errorResponses(400, 401, 403) },
});

export const getEndpointRoute = createRoute({
  ...base,
  operationId: 'getWebhookEndpoint',
  method: 'get',
  path: '/webhooks/{id}',
  summary: 'Retrieve a webhook endpoint',
  description: 'The endpoint, without its secret, and whether it is enabled.',
  request: { params: IdParams, query: NoQuery },
  responses: { 200: jsonContent(EndpointSchema, 'The endpoint.', { example: endpointExample }), ...errorResponses(400, 401, 403, notFoundOf('webhook_endpoint')) },
});

export const updateEndpointRoute = createRoute({
  ...base,
  operationId: 'updateWebhookEndpoint',
  method: 'patch',
  path: '/webhooks/{id}',
  summary: 'Update a webhook endpoint',
  description: 'Only the fields sent change. `status` re-enables an endpoint that was disabled for failing, or pauses one. A new `url` is checked like on create.',
  request: { params: IdParams, body: jsonBody(UpdateEndpointSchema, { examples: updateEndpointExamples }), query: NoQuery },
  responses: {
    200: jsonContent(EndpointSchema, 'The updated endpoint.', { example: { ...endpointExample, updatedAt: exampleTime(50) } }),
    ...errorResponses(400, 401, 403, notFoundOf('webhook_endpoint'), ...jsonBodyErrors, 'validation.invalid_request.webhook_url'),
  },
});

export const deleteEndpointRoute = createRoute({
  ...base,
  operationId: 'deleteWebhookEndpoint',
  method: 'delete',
  path: '/webhooks/{id}',
  summary: 'Delete a webhook endpoint',
  description: 'Nothing more is delivered to it; its deliveries, and their recorded attempts, are deleted with it.',
  request: { params: IdParams, query: NoQuery },
  responses: {
    200: jsonContent(DeletedEndpointSchema, 'The endpoint was deleted.', { example: deletedEndpointExample }),
    ...errorResponses(400, 401, 403, notFoundOf('webhook_endpoint')),
  },
});

export const rotateSecretRoute = createRoute({
  ...base,
  operationId: 'rotateWebhookSecret',
  method: 'post',
  path: '/webhooks/{id}/rotate-secret',
  summary: 'Rotate the signing secret',
  description: 'Every attempt from now on, retries included, is signed with the new secret.',
  request: { params: IdParams, query: NoQuery, headers: IdempotencyHeaders },
  responses: {
    200: { ...jsonContent(EndpointWithSecretSchema, 'The endpoint, with its new secret.', { example: endpointWithSecretExample }), headers: noStore },
    ...errorResponses(400, 401, 403, notFoundOf('webhook_endpoint'), ...idempotencyErrors),
  },
});

export const pingEndpointRoute = createRoute({
  ...base,
  operationId: 'pingWebhookEndpoint',
  method: 'post',
  path: '/webhooks/{id}/ping',
  summary: 'Send a test event',
  description: 'Queues a `webhook.ping` event for this endpoint only, even while it is disabled.',
  request: { params: IdParams, query: NoQuery, headers: IdempotencyHeaders },
  responses: {
    202: jsonContent(EventSchema, 'The ping event; its delivery is queued.', { example: exampleEvent('webhook.ping', endpointExample, exampleTime(55)) }),
    ...errorResponses(400, 401, 403, notFoundOf('webhook_endpoint'), ...idempotencyErrors),
  },
});

export const listDeliveriesRoute = createRoute({
  ...base,
  operationId: 'listWebhookDeliveries',
  method: 'get',
  path: '/webhooks/{id}/deliveries',
  summary: 'List an endpoint’s deliveries',
  description: 'One delivery per event sent to the endpoint, newest first, each with every attempt.',
  request: { params: IdParams, query: EndpointListQuery },
  responses: {
    200: jsonContent(DeliveryListSchema, 'A page of deliveries, newest first.', { example: deliveryListExample }),
    ...errorResponses(400, 401, 403, notFoundOf('webhook_endpoint')),
  },
});

export const getDeliveryRoute = createRoute({
  ...base,
  operationId: 'getWebhookDelivery',
  method: 'get',
  path: '/webhooks/{id}/deliveries/{deliveryId}',
  summary: 'Retrieve a delivery with every attempt',
  description: 'Each attempt with its time, the status code the endpoint answered (or why there was none) and how long it took.',
  request: { params: DeliveryParams, query: NoQuery },
  responses: {
    200: jsonContent(DeliverySchema, 'The delivery.', { examples: deliveryExamples }),
    ...errorResponses(400, 401, 403, notFoundOf('webhook_endpoint'), notFoundOf('webhook_delivery')),
  },
});

export const redeliverRoute = createRoute({
  ...base,
  operationId: 'redeliverWebhook',
  method: 'post',
  path: '/webhooks/{id}/deliveries/{deliveryId}/redeliver',
  summary: 'Send a delivery again',
  description:
    'The same event goes out again with the same `webhook-id` (and a fresh signature and timestamp), in a new round of attempts on the full retry schedule; its attempts are appended to the delivery’s. An attempt already in flight is kept and recorded. A disabled endpoint gets no deliveries: re-enable it first (400 otherwise).',
  request: { params: DeliveryParams, query: NoQuery, headers: IdempotencyHeaders },
  responses: {
    202: jsonContent(DeliverySchema, 'The delivery, pending again.', { example: redeliveredExample }),
    ...errorResponses(400, 'validation.invalid_request.endpoint_disabled', 401, 403, notFoundOf('webhook_delivery'), ...idempotencyErrors),
  },
});

export function registerWebhookRoutes(app: ReturnType<typeof createRouter>, db: Database, deps: WebhookDeps) {
  // Answers that carry a signing secret must not be kept by any cache on the way.
  app.openapi(createEndpointRoute, async (c) => {
    const endpoint = await createEndpoint(tenantContext(c, db), deps, c.req.valid('json'));
    c.header('Cache-Control', 'no-store');
    return c.json(endpoint, 201);
  });

  app.openapi(listEndpointsRoute, async (c) => {
    const ctx = tenantContext(c, db);
    const { limit, cursor } = c.req.valid('query');
    const rows = await listEndpointPage(ctx, { limit, after: cursor ? decodeCursor(cursor, 'webhooks', ctx.scope.mode) : undefined });
    return c.json(toPage(rows, limit, 'webhooks', ctx.scope.mode, presentEndpoint), 200);
  });

  app.openapi(getEndpointRoute, async (c) => c.json(await getEndpoint(tenantContext(c, db), c.req.valid('param').id), 200));

  app.openapi(updateEndpointRoute, async (c) =>
    c.json(await updateEndpointFields(tenantContext(c, db), deps, c.req.valid('param').id, c.req.valid('json')), 200),
  );

  app.openapi(deleteEndpointRoute, async (c) => c.json(await removeEndpoint(tenantContext(c, db), c.req.valid('param').id), 200));

  app.openapi(rotateSecretRoute, async (c) => {
    const endpoint = await rotateSecret(tenantContext(c, db), deps, c.req.valid('param').id);
    c.header('Cache-Control', 'no-store');
    return c.json(endpoint, 200);
  });

  app.openapi(pingEndpointRoute, async (c) => c.json(await pingEndpoint(tenantContext(c, db), c.req.valid('param').id), 202));

  app.openapi(listDeliveriesRoute, async (c) => {
    const ctx = tenantContext(c, db);
    const { id } = c.req.valid('param');
    const { limit, cursor } = c.req.valid('query');
    const list = `deliveries:${id}`;
    const rows = await listDeliveryPage(ctx, id, { limit, after: cursor ? decodeCursor(cursor, list, ctx.scope.mode) : undefined });
    return c.json(toPage(rows, limit, list, ctx.scope.mode, presentDelivery), 200);
  });

  app.openapi(getDeliveryRoute, async (c) => {
    const { id, deliveryId } = c.req.valid('param');
    return c.json(await getDelivery(tenantContext(c, db), id, deliveryId), 200);
  });

  app.openapi(redeliverRoute, async (c) => {
    const { id, deliveryId } = c.req.valid('param');
    return c.json(await redeliver(tenantContext(c, db), id, deliveryId), 202);
  });
}

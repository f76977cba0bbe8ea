import { createRoute, z } from '@hono/zod-openapi';
import type { DatabaseHandle } from '../../db/client.ts';
import { ApiError } from '../../errors/api-error.ts';
import { errorRegistry, errorCodes } from '../../errors/registry.ts';
import { errorResponses, jsonContent } from '../../http/openapi.ts';
import { createRouter } from '../../http/router.ts';

const tags = ['System'];

const HealthSchema = z.object({ status: z.literal('ok') }).openapi('Health');

export const ErrorRegistryEntrySchema = z
  .object({
    code: z.string(),
    status: z.number().int(),
    title: z.string(),
    description: z.string(),
    type: z.string().openapi({ description: 'The `type` URI problem bodies carry for this code.' }),
  })
  .openapi('ErrorRegistryEntry');

const ErrorRegistrySchema = z.object({ object: z.literal('list'), data: z.array(ErrorRegistryEntrySchema) }).openapi('ErrorRegistry');

export const healthRoute = createRoute({
  operationId: 'getHealth',
  method: 'get',
  path: '/healthz',
  tags,
  summary: 'Liveness: the process is up',
  responses: { 200: jsonContent(HealthSchema, 'Up.') },
});

export const readyRoute = createRoute({
  operationId: 'getReadiness',
  method: 'get',
  path: '/readyz',
  tags,
  summary: 'Readiness: the database answers',
  responses: { 200: jsonContent(HealthSchema, 'Ready to serve.'), ...errorResponses() },
});

export const errorsRoute = createRoute({
  operationId: 'listErrorCodes',
  method: 'get',
  path: '/errors',
  tags,
  summary: 'The error registry',
  description: 'Every `code` a problem response can carry, with its status and meaning. Problem `type` URIs point here.',
  responses: { 200: jsonContent(ErrorRegistrySchema, 'Every error code.') },
});

const READY_TIMEOUT_MS = 2000;

export function registerSystemRoutes(app: ReturnType<typeof createRouter>, database: DatabaseHandle, publicBaseUrl: string) {
  const registry = {
    object: 'list' as const,
    data: errorCodes.map((code) => ({ code, ...errorRegistry[code], type: `${publicBaseUrl}/errors#${code}` })),
  };

  app.openapi(healthRoute, (c) => c.json({ status: 'ok' as const }, 200));

  app.openapi(readyRoute, async (c) => {
    try {
      // A database that does not answer within the budget is as good as down, for a probe.
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no answer within 2 s')), READY_TIMEOUT_MS)));
      await Promise.race([database.ping(), late]).finally(() => clearTimeout(timer));
    } catch (err) {
      c.get('logger').warn({ err }, 'readiness check failed');
      throw new ApiError('service.unavailable', 'The database is not reachable.');
    }
    return c.json({ status: 'ok' as const }, 200);
  });

  app.openapi(errorsRoute, (c) => c.json(registry, 200));
}

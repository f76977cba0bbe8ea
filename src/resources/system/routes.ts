import { createHash, timingSafeEqual } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import type { DatabaseHandle } from '../../db/client.ts';
import { ApiError } from '../../errors/api-error.ts';
import { errorRegistry, errorCodes } from '../../errors/registry.ts';
import { errorResponses, jsonContent } from '../../http/openapi.ts';
import { createRouter } from '../../http/router.ts';
import type { Metrics } from '../../observability/metrics.ts';

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

export const metricsRoute = createRoute({
  operationId: 'getMetrics',
  method: 'get',
  path: '/metrics',
  tags,
  summary: 'Prometheus metrics',
  description:
    'Request counts and latency histograms by route pattern, status and mode; jobs and webhook deliveries by outcome; the shared queues’ depths; process figures. No tenant identifier is ever a label. With `METRICS_TOKEN` set, scrapers send `Authorization: Bearer <METRICS_TOKEN>`.',
  security: [{}, { metricsToken: [] }],
  responses: {
    200: { description: 'The Prometheus text exposition format.', content: { 'text/plain; version=0.0.4': { schema: { type: 'string' } } } },
    ...errorResponses(401),
  },
});

export function registerSystemRoutes(app: ReturnType<typeof createRouter>, database: DatabaseHandle, publicBaseUrl: string, observability: { metrics: Metrics; metricsToken: string | undefined }) {
  const { metrics, metricsToken } = observability;
  const expectedToken = metricsToken === undefined ? undefined : createHash('sha256').update(metricsToken).digest();
  app.openapi(metricsRoute, async (c) => {
    if (expectedToken) {
      const sent = /^bearer\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1] ?? '';
      if (!timingSafeEqual(createHash('sha256').update(sent).digest(), expectedToken)) {
        throw new ApiError('auth.invalid_metrics_token', 'Send `Authorization: Bearer <METRICS_TOKEN>` to read the metrics.');
      }
    }
    c.header('Content-Type', metrics.registry.contentType);
    return c.body(await metrics.registry.metrics(), 200);
  });

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

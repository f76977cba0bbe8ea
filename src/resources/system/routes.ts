import { createHash, timingSafeEqual } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import type { DatabaseHandle } from '../../db/client.ts';
import { ApiError } from '../../errors/api-error.ts';
import { errorRegistry, errorCodes } from '../../errors/registry.ts';
import { NoQuery, errorResponses, exampleBaseUrl, jsonContent, problemResponses } from '../../http/openapi.ts';
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

/** The registry as `GET /errors` serves it, with `type` URIs under this base URL. */
function errorRegistryList(publicBaseUrl: string, codes: readonly (typeof errorCodes)[number][] = errorCodes) {
  return { object: 'list' as const, data: codes.map((code) => ({ code, ...errorRegistry[code], type: `${publicBaseUrl}/errors#${code}` })) };
}

/** Probes and the registry are public: no key, so no security requirement. */
const publicOperation = { tags, security: [] };

const metricsExample = `# HELP parseo_http_requests_total HTTP requests answered, by route pattern, method, status and mode.
# TYPE parseo_http_requests_total counter
parseo_http_requests_total{method="GET",route="/external/v1/invoices/:id",status="200",mode="test"} 1287
parseo_http_requests_total{method="POST",route="/external/v1/invoices",status="202",mode="live"} 311
# HELP parseo_jobs_in_flight Jobs accepted and not yet finished, by mode (all instances).
# TYPE parseo_jobs_in_flight gauge
parseo_jobs_in_flight{mode="live"} 4
`;

export const healthRoute = createRoute({
  ...publicOperation,
  operationId: 'getHealth',
  method: 'get',
  path: '/healthz',
  summary: 'Liveness: the process is up',
  description: 'Answers 200 as long as the process serves requests; touches no database. For liveness probes.',
  request: { query: NoQuery },
  responses: { 200: jsonContent(HealthSchema, 'Up.', { example: { status: 'ok' } }), ...problemResponses(400, 500) },
});

export const readyRoute = createRoute({
  ...publicOperation,
  operationId: 'getReadiness',
  method: 'get',
  path: '/readyz',
  summary: 'Readiness: the database answers',
  description: 'Answers 200 once the database answers a ping within 2 s, 503 `service.unavailable` otherwise. For readiness probes and load balancers.',
  request: { query: NoQuery },
  responses: { 200: jsonContent(HealthSchema, 'Ready to serve.', { example: { status: 'ok' } }), ...problemResponses(400, 500, 503) },
});

export const errorsRoute = createRoute({
  ...publicOperation,
  operationId: 'listErrorCodes',
  method: 'get',
  path: '/errors',
  summary: 'The error registry',
  description: 'Every `code` a problem response can carry, with its status and meaning. Problem `type` URIs point here.',
  request: { query: NoQuery },
  responses: {
    200: jsonContent(ErrorRegistrySchema, 'Every error code.', {
      example: errorRegistryList(exampleBaseUrl, ['auth.missing_authorization', 'validation.invalid_request', 'resource.not_found']),
    }),
    ...problemResponses(400, 500),
  },
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
    200: { description: 'The Prometheus text exposition format.', content: { 'text/plain; version=0.0.4': { schema: { type: 'string' }, example: metricsExample } } },
    ...errorResponses('auth.invalid_metrics_token'),
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

  const registry = errorRegistryList(publicBaseUrl);

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

import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';
import type { KeyCache } from './auth/key-cache.ts';
import type { Metrics } from './observability/metrics.ts';
import type { KeyUsageTracker } from './auth/key-usage.ts';
import type { JobSignals } from './pipeline/signals.ts';
import type { FileStore } from './storage/file-store.ts';
import type { SecretBox } from './webhooks/secrets.ts';
import type { Config } from './config.ts';
import type { DatabaseHandle } from './db/client.ts';
import { isDatabaseUnreachable } from './db/errors.ts';
import { ApiError } from './errors/api-error.ts';
import { adminAuth, partnerAuth } from './http/auth.ts';
import type { AppEnv } from './http/context.ts';
import { idempotency } from './http/idempotency.ts';
import { rateLimit } from './http/rate-limit.ts';
import { RateLimiter } from './ratelimit/limiter.ts';
import { registerDocs } from './http/docs.ts';
import { documentProblemExamples, documentTags, problemDescription, problemExampleRef } from './http/openapi.ts';
import { allowedMethods } from './http/method-not-allowed.ts';
import { fromHttpException, problemResponse } from './http/problem.ts';
import { requestContext } from './http/request-context.ts';
import { createRouter } from './http/router.ts';
import { registerApiKeyRoutes } from './resources/api-keys/routes.ts';
import { registerAuditLogRoutes } from './resources/audit-logs/routes.ts';
import { registerClientRoutes } from './resources/clients/routes.ts';
import { registerContactRoutes } from './resources/contacts/routes.ts';
import { registerEventRoutes } from './resources/events/routes.ts';
import { registerInvoiceRoutes } from './resources/invoices/routes.ts';
import { registerWebhookRoutes } from './resources/webhooks/routes.ts';
import { registerJobRoutes } from './resources/jobs/routes.ts';
import { registerMeRoutes } from './resources/me/routes.ts';
import { registerSystemRoutes } from './resources/system/routes.ts';
import { registerTeamRoutes } from './resources/teams/routes.ts';
import { registerTestModeRoutes } from './resources/test-mode/routes.ts';

export type AppDeps = {
  config: Config;
  database: DatabaseHandle;
  logger: Logger;
  keyUsage: KeyUsageTracker;
  keys: KeyCache;
  metrics: Metrics;
  files: FileStore;
  signals: JobSignals;
  box: SecretBox;
};

export const PARTNER_BASE_PATH = '/external/v1';
export const ADMIN_BASE_PATH = '/admin/v1';
export const OPENAPI_PATH = '/openapi.json';

/** Builds the HTTP app: request context, auth per surface, routes, docs and the one error handler. */
export function createApp(deps: AppDeps) {
  const { config, database, logger, keyUsage, keys, files, signals, box, metrics } = deps;
  const db = database.db;
  const app = new OpenAPIHono<AppEnv>();

  app.use(requestContext(logger, config.publicBaseUrl, metrics));
  app.use(securityHeaders(config.publicBaseUrl.startsWith('https:')));

  const jsonBodyLimit = bodyLimit({
    maxSize: config.jsonBodyMaxBytes,
    onError: () => {
      throw new ApiError('request.body_too_large', `The request body is larger than ${config.jsonBodyMaxBytes} bytes.`);
    },
  });
  // Uploads are streamed and limited by the upload parser (UPLOAD_MAX_BYTES) instead. GET and HEAD
  // carry no body to limit (and skipping them spares building a web Request on the hot path).
  const jsonLimit: MiddlewareHandler<AppEnv> = (c, next) =>
    c.req.method === 'GET' || c.req.method === 'HEAD' || /^multipart\//i.test(c.req.header('content-type') ?? '') ? next() : jsonBodyLimit(c, next);

  const partner = createRouter();
  partner.use(jsonLimit);
  partner.use(partnerAuth(db, keyUsage, keys));
  partner.use(rateLimit(new RateLimiter(db)));
  partner.use(idempotency({ db, box }));
  registerMeRoutes(partner, db);
  registerClientRoutes(partner, db);
  registerContactRoutes(partner, db);
  registerAuditLogRoutes(partner, db);
  registerInvoiceRoutes(partner, { db, box, files, signals, uploadMaxBytes: config.uploadMaxBytes });
  registerJobRoutes(partner, db, signals);
  registerWebhookRoutes(partner, db, { box, allowPrivateTargets: config.webhookAllowPrivateTargets });
  registerEventRoutes(partner, db);
  registerTestModeRoutes(partner, { db, files });
  app.route(PARTNER_BASE_PATH, partner);

  const admin = createRouter();
  admin.use(jsonLimit);
  admin.use(config.adminToken ? adminAuth(config.adminToken) : adminDisabled);
  registerTeamRoutes(admin, db);
  registerApiKeyRoutes(admin, db);
  app.route(ADMIN_BASE_PATH, admin);

  const system = createRouter();
  registerSystemRoutes(system, database, config.publicBaseUrl, { metrics, metricsToken: config.metricsToken });
  app.route('/', system);

  registerOpenApiDocument(app);
  registerDocs(app, OPENAPI_PATH);

  app.notFound((c) => {
    const adminHidden = !config.adminToken && c.req.path.startsWith(ADMIN_BASE_PATH);
    const allow = adminHidden ? [] : allowedMethods(app.routes, c.req.path);
    if (allow.length > 0) {
      return problemResponse(
        c,
        new ApiError('route.method_not_allowed', `${c.req.method} is not allowed on ${c.req.path}; use ${allow.join(', ')}.`, { headers: { Allow: allow.join(', ') } }),
      );
    }
    return problemResponse(c, new ApiError('route.not_found', `No route ${c.req.method} ${c.req.path} exists.`));
  });

  app.onError((err, c) => problemResponse(c, toApiError(err, c)));

  return app;
}

export type App = ReturnType<typeof createApp>;

/**
 * Headers that cost nothing and close doors (hono's secureHeaders): API answers may not be framed,
 * run anything, or be cached by anyone in between; HSTS when the public URL is https. The docs
 * page is a real page: it may run its own script and styles, and nothing from elsewhere.
 */
function securityHeaders(https: boolean): MiddlewareHandler<AppEnv> {
  const common = { xFrameOptions: 'DENY', strictTransportSecurity: https ? 'max-age=31536000; includeSubDomains' : false } as const;
  const api = secureHeaders({ ...common, contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } });
  const docs = secureHeaders({
    ...common,
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", "'unsafe-inline'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'", 'data:'],
      frameAncestors: ["'none'"],
    },
  });
  return async (c, next) => {
    if (c.req.path === '/docs' || c.req.path.startsWith('/docs/')) return docs(c, next);
    await api(c, next);
    if (!c.res.headers.has('Cache-Control')) c.res.headers.set('Cache-Control', 'no-store');
  };
}

// With no ADMIN_TOKEN the admin API does not exist: every path under it is an unknown route.
const adminDisabled = () => {
  throw new ApiError('route.not_found', 'No such route exists.');
};

/** Anything that is not already an ApiError is logged in full and answered without internals. */
function toApiError(err: unknown, c: Context<AppEnv>): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof HTTPException) return fromHttpException(err);
  const logger = c.get('logger');
  const unreachable = isDatabaseUnreachable(err);
  if (unreachable) {
    logger.error({ err }, 'database unavailable');
    return new ApiError('service.unavailable', `The database is unreachable. Retry shortly; request ${c.get('requestId')}.`);
  }
  logger.error({ err }, 'unhandled error');
  return new ApiError('internal.error', `An internal error occurred. Quote request ${c.get('requestId')} to support.`);
}

export const openApiInfo = {
  openapi: '3.1.0',
  info: {
    title: 'Parseo API',
    version: '1.0.0',
    description:
      'Invoice ingestion with Stripe-style live and test modes. Every team holds `parseo_live_…` and `parseo_test_…` keys at once; the two modes are two worlds that never cross.',
    // No licence is granted to the API or this document: all rights reserved.
    license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
  },
  // Relative: the API is wherever this document was fetched from. A host here would make the
  // document differ between environments, and it is generated once and committed.
  servers: [{ url: '/', description: 'The origin that serves this document' }],
  tags: documentTags,
};

/** The document is generated once, on first request, from the same zod schemas the routes validate with. */
function registerOpenApiDocument(app: OpenAPIHono<AppEnv>) {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'A partner key: `parseo_live_…` or `parseo_test_…`. The key decides the mode of every request.',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'metricsToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'The operator token from `METRICS_TOKEN`, when set.',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'adminToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'The operator token from `ADMIN_TOKEN`.',
  });
  let document: unknown;
  app.get(OPENAPI_PATH, (c) => {
    document ??= buildOpenApiDocument(app);
    return c.json(document);
  });
}

/** The same document in every environment (see `servers`): the routes' own, then what every partner operation shares. */
export function buildOpenApiDocument(app: OpenAPIHono<AppEnv>) {
  return documentProblemExamples(documentRateLimits(app.getOpenAPI31Document(openApiInfo)));
}

type OpenApiDocument = ReturnType<OpenAPIHono<AppEnv>['getOpenAPI31Document']>;
type ResponseObject = { description: string; headers?: Record<string, unknown>; content?: unknown };

/**
 * Every partner operation passes the rate limiter, so each one answers with the RateLimit fields
 * and may answer 429: added here once rather than repeated in every route definition.
 */
function documentRateLimits(doc: OpenApiDocument): OpenApiDocument {
  doc.components ??= {};
  doc.components.headers = {
    ...doc.components.headers,
    RateLimit: {
      description: 'What is left of each window for the caller’s mode (IETF RateLimit field), e.g. `"minute";r=598;t=42, "hour";r=19990;t=1800`.',
      schema: { type: 'string' },
    },
    'RateLimit-Policy': {
      description: 'The plan’s ceilings (IETF RateLimit-Policy field), e.g. `"minute";q=600;w=60, "hour";q=20000;w=3600`.',
      schema: { type: 'string' },
    },
    'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } },
  };
  const rateHeaders = { RateLimit: { $ref: '#/components/headers/RateLimit' }, 'RateLimit-Policy': { $ref: '#/components/headers/RateLimit-Policy' } };
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    if (!path.startsWith(PARTNER_BASE_PATH)) continue;
    for (const operation of Object.values(item as Record<string, { responses?: Record<string, ResponseObject> }>)) {
      if (!operation?.responses) continue;
      operation.responses['429'] ??= {
        description: problemDescription(429, ['rate_limit.exceeded']),
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' }, examples: { 'rate_limit.exceeded': problemExampleRef('rate_limit.exceeded') } } },
      };
      operation.responses['429'].headers = { ...operation.responses['429'].headers, 'Retry-After': { $ref: '#/components/headers/Retry-After' } };
      for (const [status, response] of Object.entries(operation.responses)) {
        if (status === '401') continue;
        response.headers = { ...response.headers, ...rateHeaders };
      }
    }
  }
  return doc;
}

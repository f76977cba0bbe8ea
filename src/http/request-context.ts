import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import { randomBase62 } from '../ids.ts';
import type { AppEnv } from './context.ts';

/**
 * Gives every request its `req_…` ID (header, logs, error bodies) and a logger bound to it,
 * and writes one access-log line. The query string is never logged: keys sometimes arrive there.
 */
export function requestContext(logger: Logger, publicBaseUrl: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const requestId = `req_${randomBase62(24)}`;
    const log = logger.child({ requestId });
    c.set('requestId', requestId);
    c.set('logger', log);
    c.set('publicBaseUrl', publicBaseUrl);
    c.header('Request-Id', requestId);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    await next();
    const status = c.res.status;
    log[status >= 500 ? 'error' : 'info'](
      { method: c.req.method, path: c.req.path, status, durationMs: Math.round((performance.now() - started) * 10) / 10 },
      'request',
    );
  };
}

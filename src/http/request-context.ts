import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics.ts';
import { randomBase62 } from '../ids.ts';
import type { AppEnv } from './context.ts';

/**
 * Gives every request its `req_…` ID (header, logs, error bodies) and a logger bound to it, and
 * writes one access-log line. The query string is never logged: keys sometimes arrive there.
 * The request's logger is built only if something logs through it: on the hot path the access
 * line is the only one, written once with every field (each pino call pays for redaction).
 */
export function requestContext(logger: Logger, publicBaseUrl: string, metrics: Metrics): MiddlewareHandler<AppEnv> {
  // The access line is built here from fields that cannot hold a secret (no headers, no query
  // string, the key's 16-character prefix only), so it skips the redaction pass, which would cost
  // four times the rest of the line. Every other log call keeps it.
  const access = logger.child({}, { redact: { paths: [] } });
  return async (c, next) => {
    const started = performance.now();
    const requestId = `req_${randomBase62(24)}`;
    c.set('requestId', requestId);
    c.set('logger', lazyChild(logger, () => ({ requestId, ...callerFields(c) })));
    c.set('publicBaseUrl', publicBaseUrl);
    c.header('Request-Id', requestId);
    await next();
    const status = c.res.status;
    const ms = performance.now() - started;
    const caller = callerFields(c);
    access[status >= 500 ? 'error' : 'info'](
      { requestId, ...caller, method: c.req.method, path: c.req.path, status, durationMs: Math.round(ms * 10) / 10 },
      'request',
    );
    // The route's pattern (`/external/v1/contacts/:id`), never the path with its IDs.
    metrics.request(c.req.method, routePath(c, -1) || 'unmatched', status, caller.mode ?? 'none', ms / 1000);
  };
}

/** Who called, once authenticated: the mode, the key's safe prefix and the team. */
function callerFields(c: Context<AppEnv>) {
  const auth = c.get('auth');
  return auth ? { mode: auth.mode, keyPrefix: auth.key.prefix, teamId: auth.teamId } : {};
}

/** A child logger made on first use, with the bindings known at that moment. */
function lazyChild(parent: Logger, bindings: () => Record<string, unknown>): Logger {
  let child: Logger | undefined;
  return new Proxy(parent, {
    get(_target, property) {
      child ??= parent.child(bindings());
      const value = Reflect.get(child, property, child) as unknown;
      return typeof value === 'function' ? value.bind(child) : value;
    },
  });
}

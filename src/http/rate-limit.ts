import type { Context, MiddlewareHandler } from 'hono';
import { ApiError } from '../errors/api-error.ts';
import type { Decision, RateLimiter } from '../ratelimit/limiter.ts';
import { requireAuth } from './auth.ts';
import type { AppEnv } from './context.ts';

const secondsUntil = (at: Date) => Math.max(0, Math.ceil((at.getTime() - Date.now()) / 1000));

/**
 * The IETF RateLimit fields (draft-ietf-httpapi-ratelimit-headers): the policy, then for each
 * window what is left (`r`) and the seconds until it resets (`t`), for the caller's mode.
 */
export function setRateLimitHeaders(c: Context, d: Decision): void {
  c.header('RateLimit-Policy', `"minute";q=${d.minute.limit};w=60, "hour";q=${d.hour.limit};w=3600`);
  c.header('RateLimit', `"minute";r=${d.minute.remaining};t=${secondsUntil(d.minute.resetsAt)}, "hour";r=${d.hour.remaining};t=${secondsUntil(d.hour.resetsAt)}`);
}

/** Counts the request against its team's ceilings in its own mode; over a ceiling is 429. */
export function rateLimit(limiter: RateLimiter): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const auth = requireAuth(c);
    const { limits } = auth.team;
    const decision = await limiter.admit({ teamId: auth.teamId, mode: auth.mode }, { perMinute: limits.requestsPerMinute, perHour: limits.requestsPerHour });
    c.set('rateLimit', decision);
    setRateLimitHeaders(c, decision);
    if (!decision.allowed) {
      const window = decision.minute.remaining === 0 && decision.hour.remaining > 0 ? 'minute' : 'hour';
      const limit = window === 'minute' ? limits.requestsPerMinute : limits.requestsPerHour;
      throw new ApiError(
        'rate_limit.exceeded',
        `This team has used its ${limit} ${auth.mode}-mode requests for this ${window}. Retry in ${decision.retryAfterSeconds} s.`,
        { headers: { 'Retry-After': String(decision.retryAfterSeconds) } },
      );
    }
    await next();
  };
}

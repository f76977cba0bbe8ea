import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { checkKeyShape, digestApiKey, type Scope } from '../auth/keys.ts';
import type { KeyCache } from '../auth/key-cache.ts';
import type { KeyUsageTracker } from '../auth/key-usage.ts';
import type { Database } from '../db/client.ts';
import { runInTenantScope } from '../db/db-scope.ts';
import { ApiError } from '../errors/api-error.ts';
import { effectiveLimits } from '../plans.ts';
import { findApiKeyByDigest } from '../resources/api-keys/repository.ts';
import type { AppEnv } from './context.ts';

const KEY_QUERY_PARAMS = new Set(['api_key', 'apikey', 'api-key', 'key', 'access_token', 'token']);

/** The bearer value, or an ApiError saying exactly what is wrong with the header. */
export function bearerValue(c: Context): string {
  for (const name of new URL(c.req.url).searchParams.keys()) {
    if (KEY_QUERY_PARAMS.has(name.toLowerCase())) {
      throw new ApiError('auth.key_in_query', `An API key was sent in the \`${name}\` query parameter. Send it as \`Authorization: Bearer <key>\` instead, and rotate this key: URLs end up in logs.`, { param: name });
    }
  }
  const header = c.req.header('authorization');
  if (header === undefined || header.trim() === '') {
    throw new ApiError('auth.missing_authorization', 'No API key was sent. Add the header `Authorization: Bearer <your key>`.');
  }
  if (/^bearer:/i.test(header)) {
    throw new ApiError('auth.invalid_scheme', 'Remove the colon after `Bearer`: the header is `Authorization: Bearer <key>`.');
  }
  if (/^parseo_/i.test(header)) {
    throw new ApiError('auth.invalid_scheme', 'The `Bearer` word is missing: the header is `Authorization: Bearer <key>`.');
  }
  const scheme = /^\S+/.exec(header)?.[0] ?? '';
  if (scheme.toLowerCase() !== 'bearer') {
    const shown = /^[A-Za-z][A-Za-z0-9-]{0,19}$/.test(scheme) ? `\`${scheme}\`` : 'another scheme';
    throw new ApiError('auth.invalid_scheme', `The Authorization header uses ${shown}; Parseo takes only \`Bearer <key>\`.`);
  }
  const value = header.slice(scheme.length + 1);
  if (value.trim() === '') {
    throw new ApiError('auth.malformed_key', 'No key follows `Bearer`.');
  }
  return value;
}

export function clientIp(c: Context): string | null {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? null;
}

/** Authenticates a partner key and fixes (team, mode, scopes) for the rest of the request. */
export function partnerAuth(db: Database, keyUsage: KeyUsageTracker, keys: KeyCache): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const value = bearerValue(c);
    const shape = checkKeyShape(value);
    if (shape) throw new ApiError('auth.malformed_key', shape.detail);

    const digest = digestApiKey(value);
    let key = keys.get(digest);
    if (!key) {
      const generation = keys.generation;
      key = (await findApiKeyByDigest(db, digest)) ?? undefined;
      if (key) keys.set(digest, key, generation);
    }
    if (!key) {
      throw new ApiError('auth.unknown_key', `No API key ${value.slice(0, 16)}… exists. Check that the whole key was copied.`);
    }
    if (key.revokedAt) {
      throw new ApiError('auth.revoked_key', `The API key ${key.prefix}… was revoked at ${key.revokedAt.toISOString()}. Use another active key.`);
    }
    c.set('auth', {
      teamId: key.teamId,
      mode: key.mode,
      scopes: key.scopes as Scope[],
      key: { id: key.id, name: key.name, prefix: key.prefix },
      team: { name: key.teamName, slug: key.teamSlug, plan: key.teamPlan, limits: effectiveLimits(key.teamPlan, key.teamLimits) },
    });
    c.header('Parseo-Mode', key.mode);
    keyUsage.record(key.id, clientIp(c));
    // Every statement from here on runs in the key's (team, mode), for row-level security too.
    await runInTenantScope({ teamId: key.teamId, mode: key.mode }, next);
  };
}

export function requireScope(scope: Scope): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!c.get('auth').scopes.includes(scope)) {
      throw new ApiError('auth.insufficient_scope', `This operation needs the \`${scope}\` scope, which the key ${c.get('auth').key.prefix}… does not hold.`);
    }
    await next();
  };
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Operator authentication with ADMIN_TOKEN, compared in constant time. */
export function adminAuth(adminToken: string): MiddlewareHandler<AppEnv> {
  const expected = digest(adminToken);
  return async (c, next) => {
    const value = bearerValue(c);
    if (!timingSafeEqual(digest(value), expected)) {
      throw new ApiError('auth.invalid_admin_token', 'The admin token is not valid.');
    }
    await next();
  };
}

/** The caller fixed by partnerAuth; a route mounted without it is a programming error. */
export function requireAuth(c: Context<AppEnv>) {
  const auth = c.get('auth');
  if (!auth) throw new Error('requireAuth used on a route without partnerAuth');
  return auth;
}

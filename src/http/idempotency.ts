import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { Database } from '../db/client.ts';
import { ApiError } from '../errors/api-error.ts';
import {
  claimIdempotencyKey,
  findIdempotencyKey,
  releaseIdempotencyKey,
  storeIdempotentResponse,
} from '../resources/idempotency/repository.ts';
import type { TenantScope } from '../tenancy/scope.ts';
import type { SecretBox } from '../webhooks/secrets.ts';
import type { AppEnv } from './context.ts';
import { problemResponse } from './problem.ts';

const REPLAYED_HEADERS = ['content-type', 'location', 'cache-control'];

/** Where stored answers go: the database, and the box that seals answers carrying secrets. */
export type IdempotencyStore = { db: Database; box: SecretBox };

// An answer marked `no-store` (a webhook signing secret, say) is kept sealed, never in clear.
const holdsSecrets = (headers: Record<string, string>) => /no-store/i.test(headers['cache-control'] ?? '');
const sealedFor = (scope: TenantScope, key: string) => `idempotency:${scope.teamId}:${scope.mode}:${key}`;

export function idempotencyKeyOf(c: Context): string | undefined {
  const key = c.req.header('idempotency-key');
  if (key === undefined) return undefined;
  if (key.length < 1 || key.length > 255 || !/^[\x21-\x7e]+$/.test(key)) {
    throw new ApiError('validation.invalid_request', 'The Idempotency-Key header must be 1–255 visible ASCII characters (a UUID is a good choice).', {
      param: 'Idempotency-Key',
      errors: [{ param: 'Idempotency-Key', code: 'invalid_string', message: 'must be 1–255 visible ASCII characters' }],
    });
  }
  return key;
}

export function fingerprintOf(method: string, url: string, bodyDigest: string): string {
  const { pathname, search } = new URL(url);
  return createHash('sha256').update(`${method}\n${pathname}${search}\n${bodyDigest}`).digest('hex');
}

/**
 * Runs `handle` at most once per (team, mode, key): a retry of the same request replays the stored
 * answer, a different request with the key is 422, and one that arrives while the first runs is 409.
 * The database arbitrates, so this holds across processes and instances.
 */
export async function runIdempotent<R extends Response>(
  c: Context<AppEnv>,
  store: IdempotencyStore,
  scope: TenantScope,
  key: string,
  fingerprint: string,
  handle: () => Promise<R>,
): Promise<R> {
  const { db } = store;
  // A replay is the same response the handler gave the first time; only its type is lost on the way.
  if (!(await claimIdempotencyKey(db, scope, key, fingerprint))) return (await answerFromStored(c, store, scope, key, fingerprint)) as R;

  let res: R;
  try {
    res = await handle();
  } catch (err) {
    // An ApiError is a real answer worth replaying; anything else was our failure: let a retry run.
    if (!(err instanceof ApiError) || err.status >= 500) {
      await releaseIdempotencyKey(db, scope, key);
      throw err;
    }
    res = problemResponse(c, err) as R;
  }
  // Answers from before the operation ran (authentication, scope, rate limit) and our own failures
  // are not kept: a retry with the right key, later, or after our fix must really run.
  if (res.status >= 500 || res.status === 401 || res.status === 403 || res.status === 429) {
    await releaseIdempotencyKey(db, scope, key);
    return res;
  }
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = res.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  const body = await res.clone().text();
  await storeIdempotentResponse(db, scope, key, { status: res.status, body: holdsSecrets(headers) ? store.box.seal(body, sealedFor(scope, key)) : body, headers });
  return res;
}

async function answerFromStored(c: Context<AppEnv>, store: IdempotencyStore, scope: TenantScope, key: string, fingerprint: string): Promise<Response> {
  const stored = await findIdempotencyKey(store.db, scope, key);
  if (stored && stored.fingerprint !== fingerprint) {
    throw new ApiError('idempotency.key_reused', `The Idempotency-Key \`${key}\` was already used for a different request (method, path or body) in the last 24 hours.`, {
      param: 'Idempotency-Key',
    });
  }
  if (!stored || stored.responseStatus === null) {
    throw new ApiError('idempotency.in_progress', `A request with the Idempotency-Key \`${key}\` is still in progress; retry in a moment.`, {
      param: 'Idempotency-Key',
      headers: { 'Retry-After': '1' },
    });
  }
  const storedHeaders = stored.responseHeaders ?? {};
  const body = holdsSecrets(storedHeaders) ? store.box.open(stored.responseBody ?? '', sealedFor(scope, key)) : stored.responseBody;
  const headers = new Headers(storedHeaders);
  headers.set('Idempotent-Replayed', 'true');
  c.res.headers.forEach((value, name) => {
    if (!headers.has(name) && name !== 'content-length') headers.set(name, value);
  });
  return new Response(body, { status: stored.responseStatus, headers });
}

/** Idempotency for JSON POSTs: the fingerprint covers method, path and the exact body bytes. */
export function idempotency(store: IdempotencyStore): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const key = idempotencyKeyOf(c);
    // Multipart uploads are streamed; the upload handler fingerprints the parts it reads.
    if (key === undefined || /^multipart\//i.test(c.req.header('content-type') ?? '')) return next();
    const auth = c.get('auth');
    const body = await c.req.text();
    const fingerprint = fingerprintOf(c.req.method, c.req.url, createHash('sha256').update(body).digest('hex'));
    c.res = await runIdempotent(c, store, { teamId: auth.teamId, mode: auth.mode }, key, fingerprint, async () => {
      await next();
      return c.res;
    });
  };
}

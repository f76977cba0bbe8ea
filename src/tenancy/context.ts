import type { Context } from 'hono';
import type { Database } from '../db/client.ts';
import { clientIp, requireAuth } from '../http/auth.ts';
import type { AppEnv } from '../http/context.ts';
import type { Actor, TenantScope } from './scope.ts';

/** What a service needs to act for the caller: the database, the caller's world and who they are. */
export type TenantContext = { db: Database; scope: TenantScope; actor: Actor };

export function tenantContext(c: Context<AppEnv>, db: Database): TenantContext {
  const auth = requireAuth(c);
  return {
    db,
    scope: { teamId: auth.teamId, mode: auth.mode },
    actor: { keyId: auth.key.id, keyPrefix: auth.key.prefix, keyName: auth.key.name, requestId: c.get('requestId'), ip: clientIp(c) },
  };
}

/** Runs `fn` in one transaction, so a write, its audit entry and its event commit or vanish together. */
export function inTransaction<T>(ctx: TenantContext, fn: (tx: TenantContext) => Promise<T>): Promise<T> {
  return ctx.db.transaction((db) => fn({ ...ctx, db }));
}

import { and, eq, sql } from 'drizzle-orm';
import { idempotencyKeys } from '../../../drizzle/schema.ts';
import type { Database } from '../../db/client.ts';
import { inScope } from '../../db/scope.ts';
import type { TenantScope } from '../../tenancy/scope.ts';

export type IdempotencyRow = typeof idempotencyKeys.$inferSelect;
export type StoredResponse = { status: number; body: string; headers: Record<string, string> };

/** How long a first request may hold its key before a retry may take over (it crashed). */
const ABANDONED_AFTER = sql`interval '60 seconds'`;
const RETENTION = sql`interval '24 hours'`;

/**
 * Takes the key for this request in one statement: a new key, an expired one, or one whose first
 * request with the same fingerprint was abandoned. Returns null when someone else holds it.
 */
export async function claimIdempotencyKey(db: Database, scope: TenantScope, key: string, fingerprint: string): Promise<boolean> {
  const rows = await db
    .insert(idempotencyKeys)
    .values({ teamId: scope.teamId, mode: scope.mode, key, fingerprint, expiresAt: sql`now() + ${RETENTION}` })
    .onConflictDoUpdate({
      target: [idempotencyKeys.teamId, idempotencyKeys.mode, idempotencyKeys.key],
      set: {
        fingerprint,
        responseStatus: null,
        responseBody: null,
        responseHeaders: null,
        lockedAt: sql`now()`,
        createdAt: sql`now()`,
        expiresAt: sql`now() + ${RETENTION}`,
      },
      setWhere: sql`${idempotencyKeys.expiresAt} < now() or (${idempotencyKeys.responseStatus} is null and ${idempotencyKeys.lockedAt} < now() - ${ABANDONED_AFTER} and ${idempotencyKeys.fingerprint} = ${fingerprint})`,
    })
    .returning({ key: idempotencyKeys.key });
  return rows.length > 0;
}

export async function findIdempotencyKey(db: Database, scope: TenantScope, key: string): Promise<IdempotencyRow | null> {
  const [row] = await db.select().from(idempotencyKeys).where(inScope(idempotencyKeys, scope, eq(idempotencyKeys.key, key)));
  return row ?? null;
}

export async function storeIdempotentResponse(db: Database, scope: TenantScope, key: string, response: StoredResponse): Promise<void> {
  await db
    .update(idempotencyKeys)
    .set({ responseStatus: response.status, responseBody: response.body, responseHeaders: response.headers })
    .where(inScope(idempotencyKeys, scope, eq(idempotencyKeys.key, key)));
}

/** Lets a retry run again: used when the first attempt failed on our side. */
export async function releaseIdempotencyKey(db: Database, scope: TenantScope, key: string): Promise<void> {
  await db.delete(idempotencyKeys).where(inScope(idempotencyKeys, scope, and(eq(idempotencyKeys.key, key), sql`${idempotencyKeys.responseStatus} is null`)));
}

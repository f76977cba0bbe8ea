import { eq, isNull, sql } from 'drizzle-orm';
import { apiKeys, teams } from '../../../drizzle/schema.ts';
import { generateApiKey, type Scope } from '../../auth/keys.ts';
import type { Database } from '../../db/client.ts';
import { afterCursor, newestFirst, pageLimit } from '../../db/keyset.ts';
import { preparedFor } from '../../db/prepared.ts';
import type { CursorPosition } from '../../http/pagination.ts';
import { newGlobalId, type Mode } from '../../ids.ts';
import type { LimitOverrides } from '../../plans.ts';

export type ApiKeyRow = typeof apiKeys.$inferSelect;

/** Creates a key and hands back its secret; only the digest is written. */
export async function insertApiKey(
  db: Database,
  input: { teamId: string; name: string; mode: Mode; scopes: readonly Scope[] },
): Promise<{ row: ApiKeyRow; secret: string }> {
  const { secret, prefix, digest } = generateApiKey(input.mode);
  const [row] = await db
    .insert(apiKeys)
    .values({ id: newGlobalId('key'), teamId: input.teamId, name: input.name, mode: input.mode, prefix, digest, scopes: [...input.scopes] })
    .returning();
  return { row: row!, secret };
}

export async function listApiKeys(db: Database, teamId: string, page: { limit: number; after?: CursorPosition }): Promise<ApiKeyRow[]> {
  return db
    .select()
    .from(apiKeys)
    .where(sql`${apiKeys.teamId} = ${teamId} and ${afterCursor(apiKeys.createdAt, apiKeys.id, page.after) ?? sql`true`}`)
    .orderBy(...newestFirst(apiKeys.createdAt, apiKeys.id))
    .limit(pageLimit(page.limit + 1));
}

/** Revoking twice keeps the first revocation time. */
export async function revokeApiKey(db: Database, id: string): Promise<ApiKeyRow | null> {
  const [revoked] = await db
    .update(apiKeys)
    .set({ revokedAt: sql`now()` })
    .where(sql`${apiKeys.id} = ${id} and ${isNull(apiKeys.revokedAt)}`)
    .returning();
  if (revoked) return revoked;
  const [existing] = await db.select().from(apiKeys).where(eq(apiKeys.id, id));
  return existing ?? null;
}

export type KeyWithTeam = {
  id: string;
  name: string;
  mode: Mode;
  prefix: string;
  scopes: string[];
  revokedAt: Date | null;
  teamId: string;
  teamName: string;
  teamSlug: string;
  teamPlan: string;
  teamLimits: LimitOverrides;
};

const findKeyStatement = (db: Database) =>
  db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      mode: apiKeys.mode,
      prefix: apiKeys.prefix,
      scopes: apiKeys.scopes,
      revokedAt: apiKeys.revokedAt,
      teamId: apiKeys.teamId,
      teamName: teams.name,
      teamSlug: teams.slug,
      teamPlan: teams.plan,
      requestsPerMinute: teams.requestsPerMinute,
      requestsPerHour: teams.requestsPerHour,
      maxQueueDepth: teams.maxQueueDepth,
    })
    .from(apiKeys)
    .innerJoin(teams, eq(teams.id, apiKeys.teamId))
    .where(eq(apiKeys.digest, sql.placeholder('digest')))
    .prepare('find_api_key_by_digest');

/**
 * The one query on the authentication path: a unique-index lookup joined with its team, prepared
 * once. It runs on every request, so a revoked key fails on the very next one.
 */
export async function findApiKeyByDigest(db: Database, digest: string): Promise<KeyWithTeam | null> {
  const [row] = await (preparedFor(db, 'find_api_key_by_digest', findKeyStatement) ?? findKeyStatement(db)).execute({ digest });
  if (!row) return null;
  const { requestsPerMinute, requestsPerHour, maxQueueDepth, ...key } = row;
  return { ...key, teamLimits: { requestsPerMinute, requestsPerHour, maxQueueDepth } };
}

export type KeyUsage = { keyId: string; count: number; lastUsedAt: Date; lastUsedIp: string | null };

/** Writes a batch of usage counters in one statement. */
export async function recordKeyUsage(db: Database, usage: KeyUsage[]): Promise<void> {
  if (usage.length === 0) return;
  const values = sql.join(
    usage.map((u) => sql`(${u.keyId}, ${u.count}::bigint, ${u.lastUsedAt.toISOString()}::timestamptz, ${u.lastUsedIp}::text)`),
    sql`, `,
  );
  await db.execute(sql`
    update ${apiKeys} as k
       set request_count = k.request_count + u.n,
           last_used_at = greatest(k.last_used_at, u.at),
           last_used_ip = coalesce(u.ip, k.last_used_ip)
      from (values ${values}) as u(id, n, at, ip)
     where k.id = u.id`);
}

import { eq, sql } from 'drizzle-orm';
import { apiInstances, authRevision } from '../../drizzle/schema.ts';
import type { Database } from '../db/client.ts';
import { rowsOf } from '../db/rows.ts';

export const AUTH_CHANNEL = 'parseo_auth';
/** An instance whose heartbeat is older than this is no longer waited for (it distrusts its cache sooner). */
export const LIVE_INSTANCE_MS = 3000;

/**
 * Marks every cached key stale: bumps the revision and announces it on AUTH_CHANNEL. Call it in
 * the transaction of the change; the announcement goes out when that commits.
 */
export async function bumpAuthRevision(db: Database): Promise<number> {
  const result = await db.execute(sql`
    insert into ${authRevision} (id, revision) values (1, 1)
    on conflict (id) do update set revision = ${authRevision.revision} + 1
    returning revision`);
  const revision = Number(rowsOf<{ revision: number | string }>(result)[0]!.revision);
  await db.execute(sql`select pg_notify(${AUTH_CHANNEL}, ${String(revision)})`);
  return revision;
}

/** Records that this instance is alive and has caught up with `seen`; answers the current revision. */
export async function heartbeat(db: Database, instanceId: string, seen: number): Promise<number> {
  const result = await db.execute(sql`
    insert into ${apiInstances} (id, heartbeat_at, seen_revision) values (${instanceId}, now(), ${seen})
    on conflict (id) do update set heartbeat_at = now(), seen_revision = greatest(${apiInstances.seenRevision}, excluded.seen_revision)
    returning (select coalesce(max(revision), 0) from ${authRevision}) as current`);
  return Number(rowsOf<{ current: number | string }>(result)[0]!.current);
}

/** How many live instances have not yet caught up with `revision`. */
export async function instancesBehind(db: Database, revision: number): Promise<number> {
  const result = await db.execute(sql`
    select count(*)::int as n from ${apiInstances}
     where heartbeat_at > now() - ${LIVE_INSTANCE_MS} * interval '1 millisecond' and seen_revision < ${revision}`);
  return Number(rowsOf<{ n: number }>(result)[0]!.n);
}

export async function removeInstance(db: Database, instanceId: string): Promise<void> {
  await db.delete(apiInstances).where(eq(apiInstances.id, instanceId));
}

import { sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { clients, contacts, events, idempotencyKeys, invoices, jobs, webhookDeliveries, webhookEndpoints } from '../../../drizzle/schema.ts';
import type { Database } from '../../db/client.ts';
import { rowsOf } from '../../db/rows.ts';
import { lockUploadQueue } from '../jobs/repository.ts';
import type { TenantScope } from '../../tenancy/scope.ts';

export type ResetCounts = {
  invoices: number;
  jobs: number;
  contacts: number;
  clients: number;
  webhookEndpoints: number;
  events: number;
  webhookDeliveries: number;
  idempotencyKeys: number;
};

/** Deletes every row of one table in the scope, answering how many went. */
async function deleteAll(db: Database, table: PgTable, scope: TenantScope, extra: SQL = sql`true`): Promise<number> {
  const result = await db.execute(sql`
    with gone as (delete from ${table} where team_id = ${scope.teamId} and mode = ${scope.mode} and ${extra} returning 1)
    select count(*)::int as n from gone`);
  return Number(rowsOf<{ n: number }>(result)[0]?.n ?? 0);
}

/**
 * Empties one (team, mode) of everything a partner created, referencing rows first so every
 * foreign key is satisfied on the way. Audit logs stay: they record what happened, the reset too.
 * `keepIdempotencyKey` spares the record of the request doing the reset.
 */
export async function deleteScopeData(db: Database, scope: TenantScope, keepIdempotencyKey: string | undefined): Promise<{ counts: ResetCounts; fileDigests: string[] }> {
  // Hold the scope still: no upload may queue a job meanwhile, and no worker may finish one (a
  // worker finishing a job now would add an invoice after ours are gone). A worker mid-way through
  // finishing is waited for; one that comes later finds its job gone and does nothing.
  await lockUploadQueue(db, scope);
  await db.execute(sql`select 1 from ${jobs} where team_id = ${scope.teamId} and mode = ${scope.mode} and status = 'processing' for update`);
  const digests = await db.execute(sql`select distinct file_sha256 from ${jobs} where team_id = ${scope.teamId} and mode = ${scope.mode}`);
  const counts: ResetCounts = {
    webhookDeliveries: await deleteAll(db, webhookDeliveries, scope),
    events: await deleteAll(db, events, scope),
    webhookEndpoints: await deleteAll(db, webhookEndpoints, scope),
    invoices: await deleteAll(db, invoices, scope),
    jobs: await deleteAll(db, jobs, scope),
    contacts: await deleteAll(db, contacts, scope),
    clients: await deleteAll(db, clients, scope),
    idempotencyKeys: await deleteAll(db, idempotencyKeys, scope, keepIdempotencyKey === undefined ? sql`true` : sql`key <> ${keepIdempotencyKey}`),
  };
  return { counts, fileDigests: rowsOf<{ file_sha256: string }>(digests).map((r) => r.file_sha256) };
}

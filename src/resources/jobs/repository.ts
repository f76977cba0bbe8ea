import { and, count, eq, getTableColumns, sql } from 'drizzle-orm';
import { invoices, jobs } from '../../../drizzle/schema.ts';
import type { Database } from '../../db/client.ts';
import { afterCursor, newestFirst, pageLimit } from '../../db/keyset.ts';
import { inScope } from '../../db/scope.ts';
import type { CursorPosition } from '../../http/pagination.ts';
import { newId } from '../../ids.ts';
import type { TenantScope } from '../../tenancy/scope.ts';

export type JobRow = typeof jobs.$inferSelect;
export type JobWithInvoice = JobRow & { invoiceId: string | null };
export type NewJob = Pick<JobRow, 'clientId' | 'fileSha256' | 'filename' | 'contentType' | 'size' | 'hints' | 'metadata' | 'creditReserved'> & { runAt?: Date };

export async function insertJob(db: Database, scope: TenantScope, fields: NewJob): Promise<JobRow> {
  const [row] = await db
    .insert(jobs)
    .values({ id: newId('job', scope.mode), teamId: scope.teamId, mode: scope.mode, ...fields })
    .returning();
  return row!;
}

// The invoice a job produced is found through invoices.job_id (unique per scope), never stored twice.
const withInvoice = { ...getTableColumns(jobs), invoiceId: invoices.id };
const invoiceJoin = and(eq(invoices.teamId, jobs.teamId), eq(invoices.mode, jobs.mode), eq(invoices.jobId, jobs.id));

export async function findJob(db: Database, scope: TenantScope, id: string): Promise<JobWithInvoice | null> {
  const [row] = await db.select(withInvoice).from(jobs).leftJoin(invoices, invoiceJoin).where(inScope(jobs, scope, eq(jobs.id, id)));
  return row ?? null;
}

export async function listJobs(
  db: Database,
  scope: TenantScope,
  filter: { status?: JobRow['status']; clientId?: string },
  page: { limit: number; after?: CursorPosition },
): Promise<JobWithInvoice[]> {
  return db
    .select(withInvoice)
    .from(jobs)
    .leftJoin(invoices, invoiceJoin)
    .where(
      inScope(
        jobs,
        scope,
        filter.status === undefined ? undefined : eq(jobs.status, filter.status),
        filter.clientId === undefined ? undefined : eq(jobs.clientId, filter.clientId),
        afterCursor(jobs.createdAt, jobs.id, page.after),
      ),
    )
    .orderBy(...newestFirst(jobs.createdAt, jobs.id))
    .limit(pageLimit(page.limit + 1));
}

/** Jobs of this team and mode still processing: the queue depth a plan limits. */
export async function countJobsInFlight(db: Database, scope: TenantScope): Promise<number> {
  const [row] = await db.select({ n: count() }).from(jobs).where(inScope(jobs, scope, sql`${jobs.status} = 'processing'`));
  return row?.n ?? 0;
}

/**
 * Serialises uploads of one (team, mode) until the transaction ends, so the queue-depth check and
 * the job insert that follows it cannot interleave with another upload's.
 */
export async function lockUploadQueue(db: Database, scope: TenantScope): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(${UPLOAD_QUEUE_LOCK}, hashtext(${`${scope.teamId}:${scope.mode}`}))`);
}

// Any fixed number: the first half of the advisory lock key, naming what is locked.
const UPLOAD_QUEUE_LOCK = 724_002;

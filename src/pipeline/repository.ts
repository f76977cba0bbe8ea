import { eq, sql } from 'drizzle-orm';
import { jobs } from '../../drizzle/schema.ts';
import type { Database } from '../db/client.ts';
import { rowsOf } from '../db/rows.ts';
import { inScope } from '../db/scope.ts';
import type { JobRow } from '../resources/jobs/repository.ts';
import { JOBS_CHANNEL } from './signals.ts';

/**
 * The worker's side of the job table. Claiming crosses teams (the worker serves everyone); every
 * write after the claim is scoped to the job's own (team, mode).
 */
export async function claimNextJob(db: Database, workerId: string, leaseMs: number): Promise<JobRow | null> {
  const rows = await db.execute<Record<string, unknown>>(sql`
    update ${jobs}
       set attempts = attempts + 1,
           locked_until = now() + ${leaseMs} * interval '1 millisecond',
           locked_by = ${workerId},
           updated_at = now()
     where id = (
       select id from ${jobs}
        where status = 'processing' and run_at <= now() and (locked_until is null or locked_until < now())
        order by run_at
        limit 1
        for update skip locked)
    returning id, team_id, mode`);
  const [claimed] = rowsOf<Record<string, unknown>>(rows);
  if (!claimed) return null;
  const scope = { teamId: String(claimed.team_id), mode: claimed.mode as JobRow['mode'] };
  const [row] = await db.select().from(jobs).where(inScope(jobs, scope, eq(jobs.id, String(claimed.id))));
  return row ?? null;
}

/** Marks a claimed job finished, only while this worker still holds it. */
export async function finishJob(
  db: Database,
  job: JobRow,
  workerId: string,
  outcome: { status: 'completed' } | { status: 'failed'; errorCode: string; errorDetail: string },
): Promise<JobRow | null> {
  const [row] = await db
    .update(jobs)
    .set({
      status: outcome.status,
      errorCode: outcome.status === 'failed' ? outcome.errorCode : null,
      errorDetail: outcome.status === 'failed' ? outcome.errorDetail : null,
      completedAt: sql`now()`,
      lockedUntil: null,
      lockedBy: null,
      updatedAt: sql`now()`,
    })
    .where(inScope(jobs, job, sql`${jobs.id} = ${job.id} and ${jobs.status} = 'processing' and ${jobs.lockedBy} = ${workerId}`))
    .returning();
  return row ?? null;
}

/** Gives a claimed job back to the queue, to run again after `delayMs`. */
export async function releaseJob(db: Database, job: JobRow, workerId: string, delayMs: number): Promise<void> {
  await db
    .update(jobs)
    .set({ lockedUntil: null, lockedBy: null, runAt: sql`now() + ${delayMs} * interval '1 millisecond'`, updatedAt: sql`now()` })
    .where(inScope(jobs, job, sql`${jobs.id} = ${job.id} and ${jobs.lockedBy} = ${workerId}`));
}

/** When the next job becomes runnable (for a worker deciding how long to sleep). */
export async function nextRunAt(db: Database): Promise<Date | null> {
  const [row] = await db
    .select({ at: sql<string | null>`min(${jobs.runAt})` })
    .from(jobs)
    .where(sql`${jobs.status} = 'processing' and (${jobs.lockedUntil} is null or ${jobs.lockedUntil} < now())`);
  return row?.at ? new Date(row.at) : null;
}

/** Tells workers in other processes (LISTEN parseo_jobs) that a job is waiting. */
export async function notifyJobsQueued(db: Database): Promise<void> {
  await db.execute(sql`select pg_notify(${JOBS_CHANNEL}, '')`);
}

import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgEnum, pgTable, text } from 'drizzle-orm/pg-core';
import { clients } from './clients.ts';
import { timestampMs } from './columns.ts';
import { metadataColumn, scopedReference, tenantColumns, tenantConstraints } from './tenancy.ts';

export const jobStatusEnum = pgEnum('job_status', ['processing', 'completed', 'failed']);

/** An upload's way through the pipeline. Claimed with FOR UPDATE SKIP LOCKED under a lease. */
export const jobs = pgTable(
  'jobs',
  {
    ...tenantColumns(),
    status: jobStatusEnum('status').notNull().default('processing'),
    clientId: text('client_id'),
    fileSha256: text('file_sha256').notNull(),
    filename: text('filename'),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    hints: jsonb('hints').$type<Record<string, string>>().notNull().default({}),
    // Applied to the invoice the job produces.
    metadata: metadataColumn(),
    creditReserved: boolean('credit_reserved').notNull().default(false),
    errorCode: text('error_code'),
    errorDetail: text('error_detail'),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(5),
    runAt: timestampMs('run_at').notNull().defaultNow(),
    lockedUntil: timestampMs('locked_until'),
    lockedBy: text('locked_by'),
    completedAt: timestampMs('completed_at'),
    updatedAt: timestampMs('updated_at').notNull().defaultNow(),
  },
  (t) => [
    ...tenantConstraints('jobs', 'job', t),
    scopedReference('jobs_client_fk', t, t.clientId, clients),
    // The worker's queue: only unfinished jobs, in the order they may run.
    index('jobs_queue_idx').on(t.runAt).where(sql`${t.status} = 'processing'`),
    index('jobs_scope_in_flight_idx').on(t.teamId, t.mode).where(sql`${t.status} = 'processing'`),
    // Deleting a client checks that no job names it; the file sweep asks which digests jobs still use.
    index('jobs_scope_client_idx').on(t.teamId, t.mode, t.clientId),
    index('jobs_file_idx').on(t.fileSha256),
  ],
);

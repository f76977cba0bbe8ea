import { createRoute } from '@hono/zod-openapi';
import type { Database } from '../../db/client.ts';
import { requireScope } from '../../http/auth.ts';
import { errorResponses, jsonContent, notFoundOf } from '../../http/openapi.ts';
import { decodeCursor, toPage } from '../../http/pagination.ts';
import type { createRouter } from '../../http/router.ts';
import type { JobSignals } from '../../pipeline/signals.ts';
import { tenantContext } from '../../tenancy/context.ts';
import { GetJobQuery, IdParams, jobExamples, jobListExample, JobListQuery, JobListSchema, JobSchema, presentJob } from './schemas.ts';
import { getJob, listJobPage } from './service.ts';

const tags = ['Jobs'];
const security = [{ bearerAuth: [] }];
const read = [requireScope('invoice:read')];

/** How often a long-poll looks at the database when no in-process signal arrives (another worker process). */
const LONG_POLL_CHECK_MS = 250;

export const getJobRoute = createRoute({
  operationId: 'getJob',
  method: 'get',
  path: '/jobs/{id}',
  tags,
  security,
  middleware: read,
  summary: 'Retrieve a job',
  description:
    'While `processing`, a `Retry-After` header suggests when to poll again. `waitSeconds` (≤ 30) holds the request until the job finishes or the time passes. Needs `invoice:read`.',
  request: { params: IdParams, query: GetJobQuery },
  responses: {
    200: {
      ...jsonContent(JobSchema, 'The job.', { examples: jobExamples }),
      headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds until the next poll is worthwhile; only while processing.', example: 1 } },
    },
    ...errorResponses(400, 401, 403, notFoundOf('job')),
  },
});

export const listJobsRoute = createRoute({
  operationId: 'listJobs',
  method: 'get',
  path: '/jobs',
  tags,
  security,
  middleware: read,
  summary: 'List jobs',
  description: 'Jobs of the caller’s mode, newest first, optionally by status or client. Needs `invoice:read`.',
  request: { query: JobListQuery },
  responses: { 200: jsonContent(JobListSchema, 'A page of jobs, newest first.', { example: jobListExample }), ...errorResponses(400, 401, 403) },
});

export function registerJobRoutes(app: ReturnType<typeof createRouter>, db: Database, signals: JobSignals) {
  app.openapi(getJobRoute, async (c) => {
    const ctx = tenantContext(c, db);
    const { id } = c.req.valid('param');
    const deadline = Date.now() + (c.req.valid('query').waitSeconds ?? 0) * 1000;
    let row = await getJob(ctx, id);
    while (row.status === 'processing' && Date.now() < deadline && !signals.closing) {
      await signals.waitForFinish(id, Math.min(LONG_POLL_CHECK_MS, deadline - Date.now()));
      row = await getJob(ctx, id);
    }
    if (row.status === 'processing') {
      const waitMs = row.runAt.getTime() - Date.now();
      c.header('Retry-After', String(Math.max(1, Math.ceil(waitMs / 1000))));
    }
    return c.json(presentJob(row), 200);
  });

  app.openapi(listJobsRoute, async (c) => {
    const ctx = tenantContext(c, db);
    const { limit, cursor, ...filter } = c.req.valid('query');
    const rows = await listJobPage(ctx, filter, { limit, after: cursor ? decodeCursor(cursor, 'jobs', ctx.scope.mode) : undefined });
    return c.json(toPage(rows, limit, 'jobs', ctx.scope.mode, presentJob), 200);
  });
}

import { z } from '@hono/zod-openapi';
import { exampleId, exampleTime, type NamedExamples } from '../../http/openapi.ts';
import { examplePage, listQueryFields, listSchema } from '../../http/pagination.ts';
import { jobErrorCodes } from '../../pipeline/types.ts';
import { idParams, ModeSchema } from '../../tenancy/schemas.ts';
import type { JobWithInvoice } from './repository.ts';

const JOB_STATUSES = ['processing', 'completed', 'failed'] as const;

export const JobErrorSchema = z
  .object({
    code: z.enum(Object.keys(jobErrorCodes) as [keyof typeof jobErrorCodes]).openapi({
      description: Object.entries(jobErrorCodes)
        .map(([code, meaning]) => `- \`${code}\`: ${meaning}`)
        .join('\n'),
    }),
    detail: z.string(),
  })
  .openapi('JobError');

export const JobSchema = z
  .object({
    id: z.string().openapi({ example: exampleId('job', 'test', 'plain') }),
    object: z.literal('job'),
    mode: ModeSchema,
    status: z.enum(JOB_STATUSES),
    invoiceId: z.string().nullable().openapi({ description: 'The invoice the job produced, once completed.' }),
    clientId: z.string().nullable(),
    error: JobErrorSchema.nullable(),
    createdAt: z.iso.datetime(),
    completedAt: z.iso.datetime().nullable(),
  })
  .openapi('Job');

export const JobAcceptedSchema = z
  .object({
    jobId: z.string().openapi({ example: exampleId('job', 'test', 'plain') }),
    status: z.literal('processing'),
  })
  .openapi('JobAccepted');

export const GetJobQuery = z.strictObject({
  waitSeconds: z.coerce
    .number()
    .int()
    .min(0)
    .max(30)
    .optional()
    .openapi({ description: 'Hold the request until the job finishes or this many seconds pass (≤ 30).', example: 10 }),
});

export const JobListQuery = z.strictObject({
  ...listQueryFields,
  status: z.enum(JOB_STATUSES).optional().openapi({ description: 'Only jobs in this state.', example: 'failed' }),
  clientId: z.string().max(64).optional().openapi({ description: 'Only jobs of this client.', example: exampleId('cl') }),
});

export const JobListSchema = listSchema(JobSchema, 'JobList');
export const IdParams = idParams(exampleId('job', 'test', 'plain'));

export type Job = z.infer<typeof JobSchema>;

const completedJob: Job = {
  id: exampleId('job', 'test', 'plain'),
  object: 'job',
  mode: 'test',
  status: 'completed',
  invoiceId: exampleId('inv', 'test', 'plain'),
  clientId: exampleId('cl'),
  error: null,
  createdAt: exampleTime(19.9),
  completedAt: exampleTime(20),
};

export const jobExamples = {
  completed: { summary: 'Completed: the invoice is ready', value: completedJob },
  processing: {
    summary: 'Still processing (`Retry-After` says when to look again)',
    value: { ...completedJob, id: exampleId('job', 'test', 'slow'), status: 'processing', invoiceId: null, createdAt: exampleTime(40), completedAt: null },
  },
  failed: {
    summary: 'Failed, with a code',
    value: {
      ...completedJob,
      id: exampleId('job', 'test', 'failed'),
      status: 'failed',
      invoiceId: null,
      error: { code: 'test.scenario_failed', detail: 'The upload asked for hints.testScenario=failed.' },
      createdAt: exampleTime(41),
      completedAt: exampleTime(41.05),
    },
  },
} satisfies NamedExamples<Job>;

export const jobListExample = examplePage('jobs', 'test', [jobExamples.failed.value, completedJob]);

export const jobAcceptedExample = { jobId: completedJob.id, status: 'processing' } satisfies z.infer<typeof JobAcceptedSchema>;

export function presentJob(row: JobWithInvoice): Job {
  return {
    id: row.id,
    object: 'job',
    mode: row.mode,
    status: row.status,
    invoiceId: row.invoiceId,
    clientId: row.clientId,
    error: row.errorCode ? { code: row.errorCode as keyof typeof jobErrorCodes, detail: row.errorDetail ?? '' } : null,
    createdAt: row.createdAt.toISOString(),
    completedAt: row.completedAt ? row.completedAt.toISOString() : null,
  };
}

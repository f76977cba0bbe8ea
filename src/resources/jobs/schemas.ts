import { z } from '@hono/zod-openapi';
import { listQueryFields, listSchema } from '../../http/pagination.ts';
import { jobErrorCodes } from '../../pipeline/types.ts';
import { IdParams, ModeSchema } from '../../tenancy/schemas.ts';
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
    id: z.string().openapi({ example: 'job_test_abc123DEF456ghi789JKL012' }),
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
    jobId: z.string().openapi({ example: 'job_test_abc123DEF456ghi789JKL012' }),
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
    .openapi({ description: 'Hold the request until the job finishes or this many seconds pass (≤ 30).' }),
});

export const JobListQuery = z.strictObject({
  ...listQueryFields,
  status: z.enum(JOB_STATUSES).optional(),
  clientId: z.string().max(64).optional(),
});

export const JobListSchema = listSchema(JobSchema, 'JobList');
export { IdParams };

export type Job = z.infer<typeof JobSchema>;

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

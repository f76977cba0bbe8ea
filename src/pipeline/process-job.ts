import type { Logger } from 'pino';
import type { Database } from '../db/client.ts';
import { insertInvoice } from '../resources/invoices/repository.ts';
import { presentInvoice } from '../resources/invoices/schemas.ts';
import type { JobRow } from '../resources/jobs/repository.ts';
import { presentJob } from '../resources/jobs/schemas.ts';
import { refundCredit } from '../resources/teams/repository.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { FileStore } from '../storage/file-store.ts';
import { recordEvent } from '../tenancy/changes.ts';
import { crossCheck } from './cross-check.ts';
import type { Extractor } from './extractor.ts';
import { fixtureFor, fixtureInvoices, type TestScenario } from './fixtures.ts';
import { finishJob, releaseJob } from './repository.ts';
import { ExtractionError, type ExtractedInvoice, type JobErrorCode } from './types.ts';

export type PipelineDeps = { db: Database; files: FileStore; extractor: Extractor; logger: Logger; workerId: string; metrics?: Metrics };

/** Test mode: a canned invoice, never the extraction engine, never a credit. */
function runFixture(job: JobRow): ExtractedInvoice {
  const scenario = (job.hints.testScenario ?? 'completed') as TestScenario;
  if (scenario === 'failed') throw new ExtractionError('test.scenario_failed', 'The upload asked for hints.testScenario=failed.');
  return fixtureInvoices[scenario === 'credit_note' ? 'credit_note' : fixtureFor(job.fileSha256)];
}

const retryDelayMs = (attempt: number) => Math.min(60_000, 1000 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);

/**
 * Runs one claimed job to its end: completed with exactly one invoice, failed with a code (and
 * the live credit refunded), or handed back to the queue after an unexpected error.
 */
export async function processJob(deps: PipelineDeps, job: JobRow): Promise<void> {
  const { logger } = deps;
  let extracted: ExtractedInvoice;
  try {
    if (job.attempts > job.maxAttempts) throw new ExtractionError('job.attempts_exhausted', `The job failed ${job.maxAttempts} times on our side.`);
    extracted =
      job.mode === 'test'
        ? runFixture(job)
        : await deps.extractor({ path: deps.files.pathOf(job.fileSha256), contentType: job.contentType, size: job.size, sha256: job.fileSha256 });
  } catch (err) {
    if (err instanceof ExtractionError) return failJob(deps, job, err.code, err.message);
    logger.error({ err, jobId: job.id, attempt: job.attempts }, 'job attempt failed');
    if (job.attempts >= job.maxAttempts) return failJob(deps, job, 'job.attempts_exhausted', `The job failed ${job.attempts} times on our side.`);
    return releaseJob(deps.db, job, deps.workerId, retryDelayMs(job.attempts));
  }
  await completeJob(deps, job, extracted);
}

async function completeJob(deps: PipelineDeps, job: JobRow, extracted: ExtractedInvoice): Promise<void> {
  await deps.db.transaction(async (tx) => {
    // Only the holder of the lease may finish the job; a worker whose lease ran out changes nothing.
    const finished = await finishJob(tx, job, deps.workerId, { status: 'completed' });
    if (!finished) return;
    const invoice = await insertInvoice(tx, job, {
      jobId: job.id,
      clientId: job.clientId,
      documentType: extracted.documentType,
      invoiceNumber: extracted.invoiceNumber,
      issueDate: extracted.issueDate,
      dueDate: extracted.dueDate,
      currency: extracted.currency,
      seller: extracted.seller,
      buyer: extracted.buyer,
      lines: extracted.lines,
      allowanceCharges: extracted.allowanceCharges,
      totals: extracted.totals,
      extraction: extracted.extraction,
      warnings: crossCheck(extracted),
      fileSha256: job.fileSha256,
      filename: job.filename,
      contentType: job.contentType,
      size: job.size,
      metadata: job.metadata,
    });
    await recordEvent(tx, job, 'invoice.created', presentInvoice(invoice));
    await recordEvent(tx, job, 'job.completed', presentJob({ ...finished, invoiceId: invoice.id }));
    deps.metrics?.jobFinished('completed', job.mode);
  });
}

async function failJob(deps: PipelineDeps, job: JobRow, code: JobErrorCode, detail: string): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const finished = await finishJob(tx, job, deps.workerId, { status: 'failed', errorCode: code, errorDetail: detail });
    if (!finished) return;
    if (job.creditReserved) await refundCredit(tx, job.teamId);
    await recordEvent(tx, job, 'job.failed', presentJob({ ...finished, invoiceId: null }));
    deps.metrics?.jobFinished('failed', job.mode);
  });
}

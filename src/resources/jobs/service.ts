import { z } from 'zod';
import type { FieldError } from '../../errors/api-error.ts';
import { ApiError } from '../../errors/api-error.ts';
import type { ParsedUpload } from '../../http/multipart.ts';
import type { CursorPosition } from '../../http/pagination.ts';
import { SLOW_SCENARIO_DELAY_MS, TEST_SCENARIOS } from '../../pipeline/fixtures.ts';
import { notifyJobsQueued } from '../../pipeline/repository.ts';
import type { JobSignals } from '../../pipeline/signals.ts';
import { sniffContentType, type FileStore, type StagedFile } from '../../storage/file-store.ts';
import { lockStoredFiles } from '../../storage/repository.ts';
import { recordAudit } from '../../tenancy/changes.ts';
import { inTransaction, type TenantContext } from '../../tenancy/context.ts';
import { assertPathId, assertReference, notFound } from '../../tenancy/references.ts';
import { MetadataSchema } from '../../tenancy/schemas.ts';
import { unstorableText } from '../../http/text-guard.ts';
import { clientKind } from '../clients/service.ts';
import { countJobsInFlight, findJob, insertJob, listJobs, lockUploadQueue, type JobRow, type JobWithInvoice } from './repository.ts';
import { reserveCredit } from '../teams/repository.ts';

export const jobKind = { prefix: 'job', noun: 'job' };

const HintsSchema = z.strictObject({
  testScenario: z.enum(TEST_SCENARIOS, { message: `must be one of: ${TEST_SCENARIOS.join(', ')}` }).optional(),
});

export type UploadRequest = {
  hints: Record<string, string>;
  metadata: Record<string, string>;
  clientId: string | null;
  clientParam: 'clientId' | 'X-Client-Id';
};

/**
 * Reads the non-file parts: `hints` and `metadata` as JSON objects or dotted fields
 * (`hints.testScenario=failed`, also `hints[testScenario]`), and `clientId`. Every problem is listed.
 */
export function readUploadFields(parsed: ParsedUpload, headerClientId: string | undefined): UploadRequest {
  const errors: FieldError[] = [];
  const groups: Record<'hints' | 'metadata', Record<string, unknown>> = { hints: {}, metadata: {} };
  let clientId: string | undefined;
  const seen = new Set<string>();

  const shown = (name: string) => name || '(unnamed part)';
  for (const name of parsed.extraFileParts) errors.push({ param: shown(name), code: 'unknown_field', message: 'Only one file part, named `file`, is accepted.' });
  for (const [name, value] of parsed.fields) {
    if (unstorableText(name) !== undefined || unstorableText(value) !== undefined) {
      // The name is echoed back as `param`: made printable first.
      errors.push({ param: shown(name).replaceAll('\u0000', '\ufffd').toWellFormed(), code: 'invalid_string', message: 'Text may not contain NUL characters or unpaired surrogates (invalid Unicode).' });
      continue;
    }
    if (!name) {
      errors.push({ param: shown(name), code: 'unknown_field', message: 'Every part needs a name: file, hints, metadata or clientId.' });
      continue;
    }
    if (seen.has(name)) {
      errors.push({ param: name, code: 'duplicate_field', message: `\`${name}\` is given more than once.` });
      continue;
    }
    seen.add(name);
    const dotted = /^(hints|metadata)(?:\.([^.[\]]+)|\[([^[\]]+)\])$/.exec(name);
    if (name === 'hints' || name === 'metadata') {
      let parsedJson: unknown;
      try {
        parsedJson = JSON.parse(value);
      } catch {
        parsedJson = undefined;
      }
      if (typeof parsedJson !== 'object' || parsedJson === null || Array.isArray(parsedJson)) {
        errors.push({ param: name, code: 'invalid_json_object', message: `\`${name}\` must be a JSON object, e.g. {"testScenario":"failed"}.` });
      } else {
        Object.assign(groups[name], parsedJson);
      }
    } else if (dotted) {
      groups[dotted[1] as 'hints' | 'metadata'][dotted[2] ?? dotted[3]!] = value;
    } else if (name === 'clientId') {
      clientId = value;
    } else {
      errors.push({ param: name, code: 'unknown_field', message: `Unknown field \`${name}\`. Uploads take file, hints, metadata and clientId.` });
    }
  }

  const hints = HintsSchema.safeParse(groups.hints);
  if (!hints.success) {
    for (const issue of hints.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) errors.push({ param: `hints.${key}`, code: 'unknown_field', message: 'Unknown hint. Hints: testScenario.' });
      } else {
        errors.push({ param: `hints.${issue.path.join('.')}`, code: issue.code, message: issue.message });
      }
    }
  }
  const metadata = MetadataSchema.safeParse(groups.metadata);
  if (!metadata.success) {
    for (const issue of metadata.error.issues) errors.push({ param: ['metadata', ...issue.path.map(String)].join('.'), code: issue.code, message: issue.message });
  }
  if (clientId !== undefined && headerClientId !== undefined && clientId !== headerClientId) {
    errors.push({ param: 'X-Client-Id', code: 'conflict', message: 'The X-Client-Id header and the clientId field name different clients.' });
  }
  if (errors.length > 0) {
    throw new ApiError('validation.invalid_request', `The upload is invalid: ${errors.map((e) => e.param).join(', ')}.`, { errors, param: errors[0]!.param });
  }
  return {
    hints: (hints.data ?? {}) as Record<string, string>,
    metadata: metadata.data ?? {},
    clientId: clientId ?? headerClientId ?? null,
    clientParam: clientId !== undefined ? 'clientId' : 'X-Client-Id',
  };
}

/** The checks on the bytes themselves, in the order a client should fix them. */
export function checkUploadedFile(file: StagedFile | null): { contentType: 'application/pdf' | 'application/xml' } {
  if (!file) throw new ApiError('upload.missing_file', 'The multipart body has no `file` part. Upload with `curl -F file=@invoice.pdf`.', { param: 'file' });
  if (file.size === 0) throw new ApiError('upload.empty_file', 'The uploaded file is empty.', { param: 'file' });
  const contentType = sniffContentType(file.head);
  if (!contentType) throw new ApiError('upload.unsupported_type', 'The file is neither a PDF nor XML (judged from its bytes).', { param: 'file' });
  return { contentType };
}

export type SubmitDeps = { files: FileStore; signals: JobSignals };

/** How long a client over its queue depth should wait before trying again. */
const QUEUE_FULL_RETRY_SECONDS = 2;

/**
 * Queues a job for a stored upload, within the plan's queue depth. Test mode is free; live mode
 * reserves one credit in the same transaction as the job, refunded if the job fails.
 */
export async function submitUpload(
  ctx: TenantContext,
  deps: SubmitDeps,
  file: StagedFile & { filename: string | null },
  contentType: string,
  request: UploadRequest,
  maxQueueDepth: number,
): Promise<JobRow> {
  if (request.hints.testScenario !== undefined && ctx.scope.mode === 'live') {
    throw new ApiError('validation.invalid_request', 'Test scenarios exist only in test mode: remove `hints.testScenario` or use a parseo_test_… key.', {
      param: 'hints.testScenario',
      errors: [{ param: 'hints.testScenario', code: 'test_mode_only', message: 'Only test keys may choose a test scenario.' }],
    });
  }
  const job = await inTransaction(ctx, async (tx) => {
    await assertReference(tx, request.clientParam, request.clientId, clientKind);
    await lockUploadQueue(tx.db, tx.scope);
    const inFlight = await countJobsInFlight(tx.db, tx.scope);
    if (inFlight >= maxQueueDepth) {
      throw new ApiError(
        'rate_limit.queue_full',
        `This team already has ${inFlight} ${tx.scope.mode}-mode uploads processing, its plan's limit. Retry when some have finished.`,
        { headers: { 'Retry-After': String(QUEUE_FULL_RETRY_SECONDS) } },
      );
    }
    const live = tx.scope.mode === 'live';
    if (live && !(await reserveCredit(tx.db, tx.scope.teamId))) {
      throw new ApiError('billing.insufficient_credits', 'A live upload costs one credit and the live balance is 0. Add credits, or use a test key (free).');
    }
    const row = await insertJob(tx.db, tx.scope, {
      clientId: request.clientId,
      fileSha256: file.sha256,
      filename: file.filename,
      contentType,
      size: file.size,
      hints: request.hints,
      metadata: request.metadata,
      creditReserved: live,
      runAt: request.hints.testScenario === 'slow' ? new Date(Date.now() + SLOW_SCENARIO_DELAY_MS) : undefined,
    });
    await recordAudit(tx, 'job.created', 'job', row.id);
    // Last, so a refused upload stores nothing; before COMMIT, so a worker never sees a job
    // whose bytes are not yet at their content address.
    await lockStoredFiles(tx.db, [file.sha256]);
    await deps.files.commit(file);
    return row;
  });
  // Wake this process's worker at once, and any other process's through NOTIFY.
  deps.signals.queued();
  await notifyJobsQueued(ctx.db);
  return job;
}

export async function getJob(ctx: TenantContext, id: string): Promise<JobWithInvoice> {
  assertPathId(ctx.scope, id, jobKind);
  const row = await findJob(ctx.db, ctx.scope, id);
  if (!row) throw notFound('job', id);
  return row;
}

export function listJobPage(ctx: TenantContext, filter: { status?: JobRow['status']; clientId?: string }, page: { limit: number; after?: CursorPosition }) {
  return listJobs(ctx.db, ctx.scope, filter, page);
}

/** Uploads of the caller's mode still processing. */
export function jobsInFlight(ctx: TenantContext): Promise<number> {
  return countJobsInFlight(ctx.db, ctx.scope);
}

import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { createRoute, z } from '@hono/zod-openapi';
import type { Database } from '../../db/client.ts';
import { requireScope } from '../../http/auth.ts';
import { fingerprintOf, idempotencyKeyOf, runIdempotent } from '../../http/idempotency.ts';
import { parseUpload, uploadSource } from '../../http/multipart.ts';
import {
  errorResponses,
  exampleId,
  exampleTime,
  IdempotencyHeaders,
  idempotencyErrors,
  jsonBody,
  jsonBodyErrors,
  jsonContent,
  NoQuery,
  notFoundOf,
  referenceErrors,
} from '../../http/openapi.ts';
import { decodeCursor, toPage } from '../../http/pagination.ts';
import type { createRouter } from '../../http/router.ts';
import { fixtureInvoices, testScenarios } from '../../pipeline/fixtures.ts';
import type { JobSignals } from '../../pipeline/signals.ts';
import type { FileStore } from '../../storage/file-store.ts';
import type { SecretBox } from '../../webhooks/secrets.ts';
import { tenantContext } from '../../tenancy/context.ts';
import { idParams } from '../../tenancy/schemas.ts';
import { jobAcceptedExample, JobAcceptedSchema } from '../jobs/schemas.ts';
import { checkUploadedFile, readUploadFields, submitUpload } from '../jobs/service.ts';
import {
  deletedInvoiceExample,
  DeletedInvoiceSchema,
  invoiceExample,
  invoiceExamples,
  invoiceListExample,
  InvoiceListQuery,
  InvoiceListSchema,
  InvoiceSchema,
  presentInvoice,
  updateInvoiceExamples,
  UpdateInvoiceSchema,
} from './schemas.ts';
import { getInvoiceRow, listInvoicePage, removeInvoice, updateInvoiceLinks } from './service.ts';

const tags = ['Invoices'];
const security = [{ bearerAuth: [] }];
const read = [requireScope('invoice:read')];
const write = [requireScope('invoice:write')];
const IdParams = idParams(invoiceExample.id);

const scenarioDocs = Object.entries(testScenarios)
  .map(([name, meaning]) => `- \`${name}\`: ${meaning}`)
  .join('\n');
const fixtureDocs = Object.entries(fixtureInvoices)
  .map(([name, f]) => `- \`${name}\`: ${f.invoiceNumber}, ${f.documentType}, ${f.currency}, net ${f.totals.net}, tax ${f.totals.tax}, gross ${f.totals.gross}`)
  .join('\n');

export const uploadInvoiceRoute = createRoute({
  operationId: 'uploadInvoice',
  method: 'post',
  path: '/invoices',
  tags,
  security,
  middleware: write,
  summary: 'Upload an invoice file',
  description: `Streams a PDF or XML file (type sniffed from the bytes) and queues a job; poll \`GET /jobs/{id}\` (or pass \`waitSeconds\`).
Live mode reserves one credit (refunded if the job fails) and really parses UBL, CII and Factur-X/ZUGFeRD.

**Test mode** is free and never reaches the extraction engine: the job completes with a canned invoice chosen from the file's SHA-256 (the same file always gives the same invoice). The canned invoices:
${fixtureDocs}

\`hints.testScenario\` (test keys only) picks an outcome:
${scenarioDocs}

Honours \`Idempotency-Key\`: a retry with the same file and fields replays the first answer.`,
  request: {
    query: NoQuery,
    headers: IdempotencyHeaders.extend({
      'X-Client-Id': z.string().optional().openapi({ description: 'A client of the same mode (alternative to the `clientId` field).', example: exampleId('cl') }),
    }),
    body: {
      required: true,
      content: {
        'multipart/form-data': {
          schema: {
            type: 'object',
            required: ['file'],
            properties: {
              file: { type: 'string', format: 'binary', description: 'The invoice: PDF (incl. Factur-X/ZUGFeRD) or XML (UBL, CII).' },
              hints: { type: 'string', description: 'A JSON object, e.g. {"testScenario":"failed"}; or send dotted fields such as `hints.testScenario`.' },
              'hints.testScenario': { type: 'string', enum: Object.keys(testScenarios), description: 'Test mode only.' },
              metadata: { type: 'string', description: 'A JSON object of string values, copied to the invoice; or dotted fields `metadata.<key>`.' },
              clientId: { type: 'string', description: 'A client of the same mode.' },
            },
          },
          encoding: { file: { contentType: 'application/pdf, application/xml, text/xml' } },
          examples: {
            test: {
              summary: 'A file for a client, with metadata',
              description: 'With a test key the job completes with the canned invoice the file’s SHA-256 picks.',
              value: { file: '(the bytes of TEST-INV-0001.pdf)', clientId: exampleId('cl'), metadata: '{"erpId":"4711"}' },
            },
            scenario: {
              summary: 'Test mode: ask for a failed job',
              description: 'Dotted fields work as well as a JSON `hints` object.',
              value: { file: '(the bytes of invoice.xml)', 'hints.testScenario': 'failed' },
            },
            creditNote: {
              summary: 'Test mode: ask for the canned credit note',
              value: { file: '(the bytes of invoice.pdf)', hints: '{"testScenario":"credit_note"}' },
            },
          },
        },
      },
    },
  },
  responses: {
    202: {
      description: 'Accepted: the job is processing. `Location` points at it.',
      headers: {
        Location: { schema: { type: 'string' }, description: 'The job: `/external/v1/jobs/{jobId}`.', example: `/external/v1/jobs/${jobAcceptedExample.jobId}` },
      },
      content: { 'application/json': { schema: JobAcceptedSchema, example: jobAcceptedExample } },
    },
    ...errorResponses(
      400,
      'validation.invalid_request.upload',
      'upload.missing_file',
      'upload.empty_file',
      'upload.malformed_multipart',
      ...referenceErrors,
      401,
      402,
      403,
      'upload.too_large',
      'request.body_too_large',
      'upload.unsupported_type',
      'request.unsupported_media_type.upload',
      ...idempotencyErrors,
      'rate_limit.exceeded',
      'rate_limit.queue_full',
    ),
  },
});

export const listInvoicesRoute = createRoute({
  operationId: 'listInvoices',
  method: 'get',
  path: '/invoices',
  tags,
  security,
  middleware: read,
  summary: 'List invoices',
  description: 'Invoices of the caller’s mode, newest first, optionally of one client or job. Needs `invoice:read`.',
  request: { query: InvoiceListQuery },
  responses: { 200: jsonContent(InvoiceListSchema, 'A page of invoices, newest first.', { example: invoiceListExample }), ...errorResponses(400, 401, 403) },
});

export const getInvoiceRoute = createRoute({
  operationId: 'getInvoice',
  method: 'get',
  path: '/invoices/{id}',
  tags,
  security,
  middleware: read,
  summary: 'Retrieve an invoice',
  description: 'The structured invoice a job produced. The examples are the canned invoices every test upload completes with. Needs `invoice:read`.',
  request: { params: IdParams, query: NoQuery },
  responses: {
    200: jsonContent(InvoiceSchema, 'The invoice.', { examples: invoiceExamples }),
    ...errorResponses(400, 401, 403, notFoundOf('invoice')),
  },
});

export const updateInvoiceRoute = createRoute({
  operationId: 'updateInvoice',
  method: 'patch',
  path: '/invoices/{id}',
  tags,
  security,
  middleware: write,
  summary: 'Link an invoice to a client or contacts, or change its metadata',
  description:
    'The extracted fields are the document’s and never change; only the links and metadata do. References must be of the same mode (400 `validation.client_mode_mismatch` otherwise). Needs `invoice:write`.',
  request: { params: IdParams, body: jsonBody(UpdateInvoiceSchema, { examples: updateInvoiceExamples }), query: NoQuery },
  responses: {
    200: jsonContent(InvoiceSchema, 'The updated invoice.', {
      example: { ...invoiceExample, sellerContactId: exampleId('ct'), buyerContactId: exampleId('ct', 'test', 'buyer'), updatedAt: exampleTime(45) },
    }),
    ...errorResponses(400, 401, 403, notFoundOf('invoice'), ...jsonBodyErrors, ...referenceErrors),
  },
});

export const deleteInvoiceRoute = createRoute({
  operationId: 'deleteInvoice',
  method: 'delete',
  path: '/invoices/{id}',
  tags,
  security,
  middleware: write,
  summary: 'Delete an invoice',
  description: 'The job that produced it, and its stored file, stay. Needs `invoice:write`.',
  request: { params: IdParams, query: NoQuery },
  responses: {
    200: jsonContent(DeletedInvoiceSchema, 'The invoice was deleted.', { example: deletedInvoiceExample }),
    ...errorResponses(400, 401, 403, notFoundOf('invoice')),
  },
});

export const getInvoiceFileRoute = createRoute({
  operationId: 'getInvoiceFile',
  method: 'get',
  path: '/invoices/{id}/file',
  tags,
  security,
  middleware: read,
  summary: 'Download the original file',
  description: 'The bytes exactly as uploaded, as an attachment named after the upload. Needs `invoice:read`.',
  request: { params: IdParams, query: NoQuery },
  responses: {
    200: {
      description: 'The bytes as uploaded, with their sniffed content type.',
      headers: {
        'Content-Disposition': { schema: { type: 'string' }, description: 'The upload’s file name.', example: 'attachment; filename="TEST-INV-0001.pdf"' },
      },
      content: {
        'application/pdf': { schema: { type: 'string', format: 'binary' }, example: '%PDF-1.7 … (the uploaded bytes)' },
        'application/xml': { schema: { type: 'string', format: 'binary' }, example: '<?xml version="1.0" encoding="UTF-8"?><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">…</Invoice>' },
      },
    },
    ...errorResponses(400, 401, 403, notFoundOf('invoice')),
  },
});

export type InvoiceRouteDeps = { db: Database; box: SecretBox; files: FileStore; signals: JobSignals; uploadMaxBytes: number };

export function registerInvoiceRoutes(app: ReturnType<typeof createRouter>, deps: InvoiceRouteDeps) {
  const { db, files } = deps;

  app.openapi(uploadInvoiceRoute, async (c) => {
    const ctx = tenantContext(c, db);
    const parsed = await parseUpload(uploadSource(c), files, deps.uploadMaxBytes);
    try {
      const { contentType } = checkUploadedFile(parsed.file);
      const file = parsed.file!;
      const request = readUploadFields(parsed, c.req.header('x-client-id'));
      const accept = async () => {
        const job = await submitUpload(ctx, deps, file, contentType, request, c.get('auth').team.limits.maxQueueDepth);
        c.header('Location', `/external/v1/jobs/${job.id}`);
        return c.json({ jobId: job.id, status: 'processing' as const }, 202);
      };
      const key = idempotencyKeyOf(c);
      if (key === undefined) return await accept();
      // A retry sends the same bytes and fields, whatever multipart boundary its client picks.
      const digest = createHash('sha256').update(JSON.stringify([file.sha256, file.filename, request])).digest('hex');
      return await runIdempotent(c, { db, box: deps.box }, ctx.scope, key, fingerprintOf('POST', c.req.url, digest), accept);
    } finally {
      // Committed files have moved to their content address; anything left in staging goes.
      if (parsed.file) await files.discard(parsed.file);
    }
  });

  app.openapi(listInvoicesRoute, async (c) => {
    const ctx = tenantContext(c, db);
    const { limit, cursor, ...filter } = c.req.valid('query');
    const rows = await listInvoicePage(ctx, filter, { limit, after: cursor ? decodeCursor(cursor, 'invoices', ctx.scope.mode) : undefined });
    return c.json(toPage(rows, limit, 'invoices', ctx.scope.mode, presentInvoice), 200);
  });

  app.openapi(getInvoiceRoute, async (c) => c.json(presentInvoice(await getInvoiceRow(tenantContext(c, db), c.req.valid('param').id)), 200));

  app.openapi(updateInvoiceRoute, async (c) =>
    c.json(await updateInvoiceLinks(tenantContext(c, db), c.req.valid('param').id, c.req.valid('json')), 200),
  );

  app.openapi(deleteInvoiceRoute, async (c) => c.json(await removeInvoice(tenantContext(c, db), c.req.valid('param').id), 200));

  app.openapi(getInvoiceFileRoute, async (c) => {
    const row = await getInvoiceRow(tenantContext(c, db), c.req.valid('param').id);
    const name = (row.filename ?? `${row.id}`).replace(/[^\w.-]+/g, '_').slice(0, 100);
    c.header('Content-Type', row.contentType);
    c.header('Content-Length', String(row.size));
    c.header('Content-Disposition', `attachment; filename="${name}"`);
    return c.body(Readable.toWeb(files.open(row.fileSha256)) as ReadableStream, 200);
  });
}

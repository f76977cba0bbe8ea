import { createHash } from 'node:crypto';
import { z } from '@hono/zod-openapi';
import type { FieldError } from '../errors/api-error.ts';
import { errorCodes, errorRegistry, type ErrorCode } from '../errors/registry.ts';
import type { Mode, ResourcePrefix } from '../ids.ts';

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: 'http://localhost:3000/errors#resource.not_found' }),
    title: z.string(),
    status: z.number().int(),
    code: z.enum(errorCodes as [string, ...string[]]).openapi({ description: 'A code from `GET /errors`.' }),
    detail: z.string(),
    requestId: z.string().openapi({ example: 'req_2x9Rk3mQ8vLp0aZc4dTf7hYw' }),
    param: z.string().optional().openapi({ description: 'The field, query parameter or header at fault.' }),
    errors: z
      .array(z.object({ param: z.string(), code: z.string(), message: z.string() }))
      .optional()
      .openapi({ description: 'Every invalid field, for validation errors.' }),
  })
  .openapi('Problem');

// ---------------------------------------------------------------------------------------------
// Example values. They never come from a clock or a random source: the document is the same bytes
// in every build and every environment.

/** Where the examples say the API lives: the default PUBLIC_BASE_URL. */
export const exampleBaseUrl = 'http://localhost:3000';
export const exampleRequestId = 'req_2x9Rk3mQ8vLp0aZc4dTf7hYw';
export const exampleKeyPrefix = 'parseo_test_Ab3x';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A well-formed ID for examples, the same in every build: `exampleId('inv', 'test', 'plain')`. */
export function exampleId(prefix: ResourcePrefix | 'team' | 'key', mode: Mode | null = 'test', seed = ''): string {
  const digest = createHash('sha256').update(`parseo-example:${prefix}:${seed}`).digest();
  const random = Array.from(digest.subarray(0, 24), (byte) => BASE62[byte % 62]).join('');
  return mode ? `${prefix}_${mode}_${random}` : `${prefix}_${random}`;
}

/** Example instants, a few minutes apart so lists read newest first. */
export const exampleTime = (minutesLater = 0) => new Date(Date.UTC(2026, 0, 15, 9, 30) + Math.round(minutesLater * 60_000)).toISOString();

// ---------------------------------------------------------------------------------------------
// Problem responses and their examples.

type ProblemExample = { code: ErrorCode; summary: string; detail: string; param?: string; errors?: FieldError[] };

/**
 * One realistic problem body per code, in the words the server uses. A name is the code, or the
 * code and a variant where one code reads differently by cause. A code missing here (a new one)
 * still gets an example, from its registry entry.
 */
const problemExamples = {
  'auth.missing_authorization': { code: 'auth.missing_authorization', summary: 'No Authorization header', detail: 'No API key was sent. Add the header `Authorization: Bearer <your key>`.' },
  'auth.invalid_scheme': { code: 'auth.invalid_scheme', summary: 'A colon after Bearer', detail: 'Remove the colon after `Bearer`: the header is `Authorization: Bearer <key>`.' },
  'auth.malformed_key': { code: 'auth.malformed_key', summary: 'Not shaped like a Parseo key', detail: 'A Parseo key has 48 characters after `parseo_test_`; this one has 47.' },
  'auth.malformed_key.empty': { code: 'auth.malformed_key', summary: 'Nothing after Bearer', detail: 'No key follows `Bearer`.' },
  'auth.unknown_key': { code: 'auth.unknown_key', summary: 'No such key', detail: `No API key ${exampleKeyPrefix}… exists. Check that the whole key was copied.` },
  'auth.revoked_key': {
    code: 'auth.revoked_key',
    summary: 'A revoked key',
    detail: `The API key ${exampleKeyPrefix}… was revoked at ${exampleTime(-60)}. Use another active key.`,
  },
  'auth.key_in_query': {
    code: 'auth.key_in_query',
    summary: 'The key sent in the URL',
    detail: 'An API key was sent in the `api_key` query parameter. Send it as `Authorization: Bearer <key>` instead, and rotate this key: URLs end up in logs.',
    param: 'api_key',
  },
  'auth.invalid_admin_token': { code: 'auth.invalid_admin_token', summary: 'A wrong admin token', detail: 'The admin token is not valid.' },
  'auth.invalid_metrics_token': { code: 'auth.invalid_metrics_token', summary: 'A wrong metrics token', detail: 'Send `Authorization: Bearer <METRICS_TOKEN>` to read the metrics.' },
  'auth.insufficient_scope': {
    code: 'auth.insufficient_scope',
    summary: 'The key lacks the scope',
    detail: `This operation needs the \`invoice:write\` scope, which the key ${exampleKeyPrefix}… does not hold.`,
  },
  'validation.invalid_request': {
    code: 'validation.invalid_request',
    summary: 'An unknown query parameter',
    detail: 'The request query is invalid: sort.',
    errors: [{ param: 'sort', code: 'unknown_field', message: 'Unknown query parameter `sort`.' }],
  },
  'validation.invalid_request.body': {
    code: 'validation.invalid_request',
    summary: 'Invalid body fields',
    detail: 'The request body is invalid: name, country.',
    errors: [
      { param: 'name', code: 'required', message: 'This field is required.' },
      { param: 'country', code: 'custom', message: 'an ISO 3166-1 alpha-2 country code in capitals, e.g. DE' },
    ],
  },
  'validation.invalid_request.upload': {
    code: 'validation.invalid_request',
    summary: 'An unknown test scenario',
    detail: 'The upload is invalid: hints.testScenario.',
    param: 'hints.testScenario',
    errors: [{ param: 'hints.testScenario', code: 'invalid_value', message: 'Invalid option: expected one of "completed"|"failed"|"credit_note"|"slow"' }],
  },
  'validation.invalid_request.webhook_url': {
    code: 'validation.invalid_request',
    summary: 'A private webhook target',
    detail: 'The webhook URL points at a loopback, private, link-local or reserved address. Loopback, private and link-local targets are refused unless the operator allows them.',
    param: 'url',
    errors: [{ param: 'url', code: 'invalid_url', message: 'The URL points at a loopback, private, link-local or reserved address.' }],
  },
  'validation.invalid_request.endpoint_disabled': {
    code: 'validation.invalid_request',
    summary: 'A disabled endpoint',
    detail: `The webhook endpoint ${exampleId('we')} is disabled, so nothing is delivered to it. Re-enable it with PATCH {"status":"enabled"}, then redeliver.`,
    param: 'id',
  },
  'validation.client_mode_mismatch': {
    code: 'validation.client_mode_mismatch',
    summary: 'A reference to the other mode',
    detail: `\`clientId\` references another mode: ${exampleId('cl', 'live')} is a live-mode ID, and this request was made with a test key. The modes never cross: use a parseo_live_… key to reach it.`,
    param: 'clientId',
  },
  'validation.reference_not_found': {
    code: 'validation.reference_not_found',
    summary: 'A reference to nothing',
    detail: `\`clientId\` references ${exampleId('cl', 'test', 'missing')}, but no such client exists in this mode for this team.`,
    param: 'clientId',
  },
  'upload.missing_file': { code: 'upload.missing_file', summary: 'No file part', detail: 'The multipart body has no `file` part. Upload with `curl -F file=@invoice.pdf`.', param: 'file' },
  'upload.empty_file': { code: 'upload.empty_file', summary: 'An empty file', detail: 'The uploaded file is empty.', param: 'file' },
  'upload.malformed_multipart': { code: 'upload.malformed_multipart', summary: 'A cut-off multipart body', detail: 'The multipart body is malformed: Unexpected end of form.' },
  'upload.too_large': { code: 'upload.too_large', summary: 'Over the upload limit', detail: 'The file is larger than the 20971520-byte upload limit. Nothing was stored.', param: 'file' },
  'upload.unsupported_type': { code: 'upload.unsupported_type', summary: 'Neither PDF nor XML', detail: 'The file is neither a PDF nor XML (judged from its bytes).', param: 'file' },
  'billing.insufficient_credits': {
    code: 'billing.insufficient_credits',
    summary: 'No live credits left',
    detail: 'A live upload costs one credit and the live balance is 0. Add credits, or use a test key (free).',
  },
  'request.malformed_json': { code: 'request.malformed_json', summary: 'Not JSON', detail: 'The request body is not valid JSON.' },
  'request.unsupported_media_type': {
    code: 'request.unsupported_media_type',
    summary: 'Not application/json',
    detail: 'This operation takes a JSON body: send `Content-Type: application/json`.',
  },
  'request.unsupported_media_type.upload': {
    code: 'request.unsupported_media_type',
    summary: 'Not multipart/form-data',
    detail: 'Uploads are `multipart/form-data` with a `file` part, e.g. `curl -F file=@invoice.pdf`.',
  },
  'request.body_too_large': { code: 'request.body_too_large', summary: 'Over the JSON body limit', detail: 'The request body is larger than 1048576 bytes.' },
  'resource.already_exists': { code: 'resource.already_exists', summary: 'A taken slug', detail: 'The slug `acme` is taken by another team.', param: 'slug' },
  'resource.in_use': {
    code: 'resource.in_use',
    summary: 'A client still referenced',
    detail: `Client ${exampleId('cl')} is still referenced by contacts or invoices; delete or re-assign them first.`,
    param: 'id',
  },
  'resource.in_use.contact': {
    code: 'resource.in_use',
    summary: 'A contact still referenced',
    detail: `Contact ${exampleId('ct')} is still referenced by invoices as seller or buyer; re-assign them first.`,
    param: 'id',
  },
  'idempotency.in_progress': {
    code: 'idempotency.in_progress',
    summary: 'The first request is still running',
    detail: 'A request with the Idempotency-Key `5f1c2a9e-8d3b-4c1e-9a7f-0b2d4e6f8a1c` is still in progress; retry in a moment.',
    param: 'Idempotency-Key',
  },
  'idempotency.key_reused': {
    code: 'idempotency.key_reused',
    summary: 'The key was used for another request',
    detail: 'The Idempotency-Key `5f1c2a9e-8d3b-4c1e-9a7f-0b2d4e6f8a1c` was already used for a different request (method, path or body) in the last 24 hours.',
    param: 'Idempotency-Key',
  },
  'rate_limit.exceeded': {
    code: 'rate_limit.exceeded',
    summary: 'Over the per-minute ceiling',
    detail: 'This team has used its 600 test-mode requests for this minute. Retry in 17 s.',
  },
  'rate_limit.queue_full': {
    code: 'rate_limit.queue_full',
    summary: 'Too many uploads processing',
    detail: "This team already has 50 test-mode uploads processing, its plan's limit. Retry when some have finished.",
  },
  'mode.test_key_required': {
    code: 'mode.test_key_required',
    summary: 'A live key',
    detail: 'Only test-mode data can be reset, and only with a parseo_test_… key. Live data is never reset.',
  },
  'internal.error': {
    code: 'internal.error',
    summary: 'Our failure',
    detail: `An internal error occurred. Quote request ${exampleRequestId} to support.`,
  },
  'service.unavailable': {
    code: 'service.unavailable',
    summary: 'The database is unreachable',
    detail: `The database is unreachable. Retry shortly; request ${exampleRequestId}.`,
  },
} satisfies Record<string, ProblemExample>;

/** What a `{id}` can name, for its 404 example: the noun the server says, and its ID prefix. */
const exampleNouns = {
  client: ['client', 'cl'],
  contact: ['contact', 'ct'],
  invoice: ['invoice', 'inv'],
  job: ['job', 'job'],
  webhook_endpoint: ['webhook endpoint', 'we'],
  webhook_delivery: ['webhook delivery', 'del'],
  event: ['event', 'evt'],
  team: ['team', 'team'],
  api_key: ['API key', 'key'],
} as const satisfies Record<string, readonly [string, ResourcePrefix | 'team' | 'key']>;
type NotFoundName = `resource.not_found.${keyof typeof exampleNouns}`;

/** The 404 example of an operation whose `{id}` names this kind of resource. */
export const notFoundOf = (kind: keyof typeof exampleNouns): NotFoundName => `resource.not_found.${kind}`;

function notFoundExample(kind: keyof typeof exampleNouns): ProblemExample {
  const [noun, prefix] = exampleNouns[kind];
  // Mode-scoped IDs: the answer that says the ID is of the other mode. Teams and keys have no mode.
  const detail =
    prefix === 'team' || prefix === 'key'
      ? `No ${noun} ${exampleId(prefix, null, 'missing')} exists.`
      : `No such ${noun}: ${exampleId(prefix, 'live')} is a live-mode ID, and this request was made with a test key. The modes never cross: use a parseo_live_… key to reach it.`;
  return { code: 'resource.not_found', summary: `No such ${noun}`, detail, param: 'id' };
}

export type ProblemExampleName = keyof typeof problemExamples | NotFoundName | ErrorCode;

function problemExample(name: ProblemExampleName): ProblemExample {
  if (name in problemExamples) return problemExamples[name as keyof typeof problemExamples];
  if (name.startsWith('resource.not_found.')) return notFoundExample(name.slice('resource.not_found.'.length) as keyof typeof exampleNouns);
  const entry = errorRegistry[name as ErrorCode];
  return { code: name as ErrorCode, summary: entry.title, detail: entry.description };
}

/** The 401 codes each surface can answer with. */
export const partnerAuthErrors = [
  'auth.missing_authorization',
  'auth.invalid_scheme',
  'auth.malformed_key',
  'auth.unknown_key',
  'auth.revoked_key',
  'auth.key_in_query',
] as const satisfies ProblemExampleName[];
export const adminAuthErrors = [
  'auth.missing_authorization',
  'auth.invalid_scheme',
  'auth.malformed_key.empty',
  'auth.key_in_query',
  'auth.invalid_admin_token',
] as const satisfies ProblemExampleName[];
/** What a JSON body can be refused for before any field is read, and for its fields. */
export const jsonBodyErrors = ['validation.invalid_request.body', 'request.malformed_json', 'request.body_too_large', 'request.unsupported_media_type'] as const satisfies ProblemExampleName[];
/** What `Idempotency-Key` adds to every partner POST. */
export const idempotencyErrors = ['idempotency.in_progress', 'idempotency.key_reused'] as const satisfies ProblemExampleName[];
/** A body field that references another resource. */
export const referenceErrors = ['validation.client_mode_mismatch', 'validation.reference_not_found'] as const satisfies ProblemExampleName[];

/** The examples a bare status stands for; partner auth for 401. */
const statusExamples: Record<number, ProblemExampleName[]> = {
  400: ['validation.invalid_request'],
  401: [...partnerAuthErrors],
  402: ['billing.insufficient_credits'],
  403: ['auth.insufficient_scope'],
  404: ['resource.not_found'],
  413: ['request.body_too_large'],
  415: ['request.unsupported_media_type'],
  422: ['idempotency.key_reused'],
  429: ['rate_limit.exceeded'],
  500: ['internal.error'],
  503: ['service.unavailable'],
};

const statusText: Record<number, string> = {
  400: 'Invalid request',
  401: 'Missing or invalid API key',
  402: 'Payment required',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Request body too large',
  415: 'Unsupported media type',
  422: 'Unprocessable request',
  429: 'Too many requests',
  500: 'Internal error',
  503: 'Service unavailable',
};

export const problemExampleRef = (name: ProblemExampleName) => ({ $ref: `#/components/examples/${name}` });

/** A problem response's description: what the status means and which codes it carries. */
export function problemDescription(status: number, names: readonly ProblemExampleName[]): string {
  const codes = [...new Set(names.map((name) => problemExample(name).code))];
  return `${statusText[status] ?? 'Error'}${codes.length ? ` — codes: ${codes.map((c) => `\`${c}\``).join(', ')}` : ''}`;
}

type ProblemResponse = {
  description: string;
  content: { 'application/problem+json': { schema: typeof ProblemSchema; examples: Record<string, { $ref: string }> } };
};

/** The problem responses of an operation that touches the database: 500 and 503 are always possible. */
export function errorResponses(...answers: (number | ProblemExampleName)[]): Record<number, ProblemResponse> {
  return problemResponses(...answers, 500, 503);
}

/**
 * Problem responses, each with an example per code (shared components, see
 * `documentProblemExamples`). A status stands for its usual codes (`401` for the partner key
 * codes); a code or example name adds exactly that one.
 */
export function problemResponses(...answers: (number | ProblemExampleName)[]): Record<number, ProblemResponse> {
  const byStatus = new Map<number, ProblemExampleName[]>();
  const add = (status: number, names: readonly ProblemExampleName[]) => {
    const list = byStatus.get(status) ?? [];
    for (const name of names) if (!list.includes(name)) list.push(name);
    byStatus.set(status, list);
  };
  for (const answer of answers) {
    if (typeof answer === 'number') add(answer, statusExamples[answer] ?? errorCodes.filter((code) => errorRegistry[code].status === answer));
    else add(errorRegistry[problemExample(answer).code].status, [answer]);
  }
  const out: Record<number, ProblemResponse> = {};
  for (const [status, names] of [...byStatus].sort(([a], [b]) => a - b)) {
    out[status] = {
      description: problemDescription(status, names),
      content: { 'application/problem+json': { schema: ProblemSchema, examples: Object.fromEntries(names.map((name) => [name, problemExampleRef(name)])) } },
    };
  }
  return out;
}

type DocumentWithComponents = { components?: { examples?: Record<string, unknown> }; paths?: Record<string, unknown> };

/**
 * Registers, as `components.examples`, the problem bodies the operations refer to — and only
 * those, so none sits unused. Runs on the finished document, after every response is in place.
 */
export function documentProblemExamples<D extends DocumentWithComponents>(doc: D): D {
  const used = new Set<ProblemExampleName>();
  JSON.stringify(doc.paths ?? {}, (_key, value: unknown) => {
    if (typeof value === 'object' && value !== null && '$ref' in value) {
      const ref = String((value as { $ref: unknown }).$ref);
      if (ref.startsWith('#/components/examples/')) used.add(ref.slice('#/components/examples/'.length) as ProblemExampleName);
    }
    return value;
  });
  const examples: Record<string, unknown> = {};
  for (const name of [...used].sort()) {
    const { code, summary, detail, param, errors } = problemExample(name);
    const { status, title } = errorRegistry[code];
    examples[name] = {
      summary,
      value: {
        type: `${exampleBaseUrl}/errors#${code}`,
        title,
        status,
        code,
        detail,
        requestId: exampleRequestId,
        ...(param !== undefined && { param }),
        ...(errors !== undefined && { errors }),
      },
    };
  }
  doc.components = { ...doc.components, examples: { ...doc.components?.examples, ...examples } };
  return doc;
}

// ---------------------------------------------------------------------------------------------
// Success responses and request bodies: every one carries an example typed by its schema.

export type NamedExamples<T> = Record<string, { summary: string; description?: string; value: T }>;
type ExampleOf<T> = { example: T } | { examples: NamedExamples<T> };

export function jsonContent<T extends z.ZodType>(schema: T, description: string, example: ExampleOf<z.output<T>>) {
  return { description, content: { 'application/json': { schema, ...example } } };
}

export function jsonBody<T extends z.ZodType>(schema: T, example: ExampleOf<z.input<T>>) {
  return { required: true, content: { 'application/json': { schema, ...example } } };
}

/** For operations that take no query parameters: any sent is refused by name (SPEC §2). */
export const NoQuery = z.strictObject({});

/** Every partner POST honours `Idempotency-Key` (the idempotency middleware checks it first). */
export const IdempotencyHeaders = z.object({
  'Idempotency-Key': z
    .string()
    .min(1)
    .max(255)
    .regex(/^[\x21-\x7e]+$/)
    .optional()
    .openapi({
      description:
        'Makes a retry safe: the first answer is stored for 24 hours (per team and mode) and replayed, with `Idempotent-Replayed: true`, to a retry with the same key and request. 1–255 visible ASCII characters; a UUID is a good choice.',
      example: '5f1c2a9e-8d3b-4c1e-9a7f-0b2d4e6f8a1c',
    }),
});

/** The tags of the document, in reading order; every operation names one of these. */
export const documentTags = [
  { name: 'Identity', description: 'Which team, key, mode and scopes a key has; the live credit balance and the plan’s ceilings. Shared by both modes.' },
  { name: 'Clients', description: 'The companies on whose behalf you process invoices. Needs `client:read` / `client:write`.' },
  { name: 'Contacts', description: 'Business partners — sellers and buyers — optionally of a client. Needs `contact:read` / `contact:write`.' },
  {
    name: 'Invoices',
    description:
      'Upload invoice files and read the structured invoices they become. In test mode every upload completes with one of the canned test invoices. Needs `invoice:read` / `invoice:write`.',
  },
  { name: 'Jobs', description: 'The processing of one upload: poll it, or wait for `job.completed` / `job.failed`. Needs `invoice:read`.' },
  { name: 'Webhooks', description: 'Endpoints that receive events of their mode, signed per Standard Webhooks, with every delivery attempt recorded. Needs `webhook:manage`.' },
  { name: 'Events', description: 'What happened, in the caller’s mode: the same objects webhooks deliver. Needs `event:read`.' },
  { name: 'Audit log', description: 'Every partner write, per mode, with the key that made it. Needs `audit:read`.' },
  { name: 'Test mode', description: 'Tools that exist only in test mode. Needs a test key with `test_mode:reset`.' },
  { name: 'Admin: teams', description: 'Operator API (`ADMIN_TOKEN`): teams, plans, limit overrides and live credits. Absent (404) when no admin token is configured.' },
  { name: 'Admin: API keys', description: 'Operator API (`ADMIN_TOKEN`): create, list and revoke the keys of a team.' },
  { name: 'System', description: 'Probes, the error registry and metrics, for operators and monitors. No API key.' },
];

// The typed Parseo client: openapi-fetch over the paths generated from the OpenAPI document
// (schema.d.ts, `npm run client`). Every path, parameter, body and answer is typed; errors come
// back as typed problem+json bodies (RFC 9457), never as thrown exceptions, unless `unwrap` is used.
import createClient, { type Client } from 'openapi-fetch';
import type { components, operations, paths } from './schema.d.ts';

export type { components, operations, paths };
export type Schemas = components['schemas'];
export type Problem = Schemas['Problem'];
export type ProblemCode = Problem['code'];
export type Mode = Schemas['Mode'];
export type Job = Schemas['Job'];
export type Invoice = Schemas['Invoice'];

export type ParseoClientOptions = {
  /** The server's origin, e.g. `https://api.parseo.example` or `http://localhost:3000`. */
  baseUrl: string;
  /** A `parseo_live_…` or `parseo_test_…` key: it decides the mode of every request. */
  apiKey: string;
  /** A fetch of your own (tests, proxies, retries); `globalThis.fetch` by default. */
  fetch?: (input: Request) => Promise<Response>;
};

export type ParseoClient = Client<paths> & {
  /** The mode the key belongs to, read from its prefix. */
  readonly mode: Mode;
};

/** The mode a Parseo key belongs to, from its prefix alone; undefined for anything else. */
export function keyMode(apiKey: string): Mode | undefined {
  if (apiKey.startsWith('parseo_live_')) return 'live';
  if (apiKey.startsWith('parseo_test_')) return 'test';
  return undefined;
}

export function createParseoClient(options: ParseoClientOptions): ParseoClient {
  const mode = keyMode(options.apiKey);
  if (!mode) throw new TypeError('apiKey is not a Parseo key: it starts with parseo_live_ or parseo_test_.');
  const client = createClient<paths>({
    baseUrl: options.baseUrl,
    headers: { Authorization: `Bearer ${options.apiKey}` },
    bodySerializer: serializeBody,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  return Object.assign(client, { mode });
}

/**
 * JSON, except for a body that holds a Blob (an upload): that one is sent as multipart/form-data,
 * and fetch sets the boundary. A File keeps its name; objects (`hints`, `metadata`) go as JSON.
 */
function serializeBody(body: unknown): string | FormData {
  if (body instanceof FormData) return body;
  if (!isPlainObject(body) || !Object.values(body).some((value) => value instanceof Blob)) return JSON.stringify(body);
  const form = new FormData();
  for (const [name, value] of Object.entries(body)) {
    if (value === undefined || value === null) continue;
    if (value instanceof Blob) form.append(name, value, value instanceof File ? value.name : 'upload');
    else form.append(name, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  return form;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** Whether an error body is a Parseo problem (`application/problem+json`). */
export function isProblem(value: unknown): value is Problem {
  if (!isPlainObject(value)) return false;
  return typeof value.code === 'string' && typeof value.status === 'number' && typeof value.requestId === 'string';
}

/** A failed call, for code that prefers exceptions: the status and, when the server sent one, its problem. */
export class ParseoError extends Error {
  readonly status: number;
  readonly problem: Problem | undefined;
  readonly code: ProblemCode | undefined;
  readonly requestId: string | undefined;

  constructor(response: Response, body: unknown) {
    const problem = isProblem(body) ? body : undefined;
    super(problem ? `${problem.status} ${problem.code}: ${problem.detail} (${problem.requestId})` : `HTTP ${response.status} from ${response.url}`);
    this.name = 'ParseoError';
    this.status = response.status;
    this.problem = problem;
    this.code = problem?.code;
    this.requestId = problem?.requestId ?? response.headers.get('request-id') ?? undefined;
  }
}

type Result = { data?: unknown; error?: unknown; response: Response };

/** The data of a call, or a thrown ParseoError carrying its problem. */
export async function unwrap<R extends Result>(pending: Promise<R> | R): Promise<NonNullable<R['data']>> {
  const result = await pending;
  if (!result.response.ok || result.data === undefined || result.data === null) throw new ParseoError(result.response, result.error);
  return result.data as NonNullable<R['data']>;
}

/**
 * Polls a job until it leaves `processing`, holding each request open on the server
 * (`waitSeconds`, at most 30) instead of sleeping here. Throws when `timeoutMs` passes first.
 */
export async function waitForJob(client: ParseoClient, jobId: string, options: { timeoutMs?: number } = {}): Promise<Job> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const waitSeconds = Math.max(0, Math.min(30, Math.floor((deadline - Date.now()) / 1000)));
    const job = await unwrap(client.GET('/external/v1/jobs/{id}', { params: { path: { id: jobId }, query: { waitSeconds } } }));
    if (job.status !== 'processing') return job;
    if (Date.now() >= deadline) throw new Error(`job ${jobId} still processing after ${options.timeoutMs ?? 60_000} ms`);
    if (waitSeconds === 0) await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { z } from 'zod';
import { ApiError, type FieldError } from '../errors/api-error.ts';
import { errorRegistry } from '../errors/registry.ts';
import type { AppEnv } from './context.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Renders an ApiError as RFC 9457 problem+json. */
export function problemResponse(c: Context<AppEnv>, err: ApiError): Response {
  const body = {
    type: `${c.get('publicBaseUrl')}/errors#${err.code}`,
    title: errorRegistry[err.code].title,
    status: err.status,
    code: err.code,
    detail: err.message,
    requestId: c.get('requestId'),
    ...(err.param !== undefined && { param: err.param }),
    ...(err.errors !== undefined && { errors: err.errors }),
  };
  const headers = new Headers({ 'Content-Type': PROBLEM_CONTENT_TYPE });
  for (const [name, value] of Object.entries(err.headers ?? {})) headers.set(name, value);
  // Headers set earlier in the request (Request-Id, Parseo-Mode, rate-limit fields) survive the error.
  c.res.headers.forEach((value, name) => {
    if (!headers.has(name) && name !== 'content-type' && name !== 'content-length') headers.set(name, value);
  });
  return new Response(JSON.stringify(body), { status: err.status, headers });
}

const locationNames: Record<string, string> = { json: 'body', query: 'query', param: 'path', header: 'header', form: 'body' };

/** Turns every zod issue into one entry, so a client sees all bad fields at once. */
export function validationError(error: z.ZodError, target: string, input?: unknown): ApiError {
  const errors: FieldError[] = [];
  for (const issue of error.issues) {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        errors.push({ param: path ? `${path}.${key}` : key, code: 'unknown_field', message: `Unknown ${target === 'query' ? 'query parameter' : 'field'} \`${key}\`.` });
      }
      continue;
    }
    // zod 4 leaves the input out of issues: look the value up in what was sent.
    const missing = issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined;
    errors.push({
      param: path || '(root)',
      code: missing ? 'required' : issue.code,
      message: missing ? 'This field is required.' : issue.message,
    });
  }
  const where = locationNames[target] ?? target;
  const names = errors.map((e) => e.param).join(', ');
  return new ApiError('validation.invalid_request', `The request ${where} is invalid: ${names}.`, { errors });
}

/** Maps the few HTTPExceptions Hono's own validators raise onto registry codes. */
export function fromHttpException(err: HTTPException): ApiError {
  switch (err.status) {
    case 400:
      return new ApiError('request.malformed_json', 'The request body is not valid JSON.');
    case 413:
      return new ApiError('request.body_too_large', err.message);
    case 415:
      return new ApiError('request.unsupported_media_type', 'This operation takes a JSON body: send `Content-Type: application/json`.');
    default:
      return new ApiError('internal.error', 'The request could not be processed.');
  }
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

import { z } from '@hono/zod-openapi';
import { codesWithStatus, errorCodes } from '../errors/registry.ts';

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

/** Problem responses for a route, each listing the registry codes it can carry. */
export function errorResponses(...statuses: number[]) {
  const out: Record<number, { description: string; content: { 'application/problem+json': { schema: typeof ProblemSchema } } }> = {};
  for (const status of [...statuses, 500, 503]) {
    const codes = codesWithStatus(status);
    out[status] = {
      description: `${statusText[status] ?? 'Error'}${codes.length ? ` — codes: ${codes.map((c) => `\`${c}\``).join(', ')}` : ''}`,
      content: { 'application/problem+json': { schema: ProblemSchema } },
    };
  }
  return out;
}



export function jsonContent<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true, content: { 'application/json': { schema } } };
}

/** For operations that take no query parameters: any sent is refused by name (SPEC §2). */
export const NoQuery = z.strictObject({});

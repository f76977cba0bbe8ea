import { errorRegistry, type ErrorCode } from './registry.ts';

export type FieldError = { param: string; code: string; message: string };

/** The one error type that reaches the edge; everything else is an internal error. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly param: string | undefined;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(
    code: ErrorCode,
    detail: string,
    options: { param?: string; errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.name = 'ApiError';
    this.code = code;
    this.status = errorRegistry[code].status;
    this.param = options.param;
    this.errors = options.errors;
    this.headers = options.headers;
  }
}

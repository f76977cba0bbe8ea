/**
 * The one list of error codes the API can answer with. Statuses, titles, the `/errors` page and
 * the OpenAPI problem schema are all derived from it; an `ApiError` can only carry a code from here.
 */
export const errorRegistry = {
  'auth.missing_authorization': {
    status: 401,
    title: 'Missing API key',
    description: 'No Authorization header was sent. Send `Authorization: Bearer parseo_live_…` or `parseo_test_…`.',
  },
  'auth.invalid_scheme': {
    status: 401,
    title: 'Wrong authorization scheme',
    description: 'The Authorization header must use the Bearer scheme: `Bearer <key>` (no colon after Bearer).',
  },
  'auth.malformed_key': {
    status: 401,
    title: 'Not a Parseo API key',
    description:
      'The bearer value is not shaped like a Parseo key: `parseo_live_` or `parseo_test_` followed by 48 letters and digits, with no whitespace. The detail says which part is wrong.',
  },
  'auth.unknown_key': {
    status: 401,
    title: 'Unknown API key',
    description: 'The key is well formed but no such key exists. Check that it was copied whole.',
  },
  'auth.revoked_key': {
    status: 401,
    title: 'API key revoked',
    description: 'The key was revoked and no longer authenticates. Use another active key of the team.',
  },
  'auth.key_in_query': {
    status: 401,
    title: 'API key sent in the URL',
    description:
      'Keys in query strings end up in access logs and referrers, so they are refused. Send the key in the `Authorization: Bearer` header instead, and rotate the key that was exposed.',
  },
  'auth.invalid_admin_token': {
    status: 401,
    title: 'Invalid admin token',
    description: 'The admin API needs `Authorization: Bearer <ADMIN_TOKEN>`.',
  },
  'auth.invalid_metrics_token': {
    status: 401,
    title: 'Invalid metrics token',
    description: 'GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>` when the operator has set METRICS_TOKEN.',
  },
  'auth.insufficient_scope': {
    status: 403,
    title: 'Missing scope',
    description: 'The key lacks the scope this operation needs. Create a key with that scope.',
  },
  'validation.invalid_request': {
    status: 400,
    title: 'Invalid request',
    description: 'One or more fields, query parameters or headers are invalid. `errors` lists every one.',
  },
  'validation.client_mode_mismatch': {
    status: 400,
    title: 'Client mode mismatch',
    description:
      'A field or header references a resource of the other mode (a `_live_` ID with a test key, or the reverse). The two modes never cross; `param` names the field. Nothing was written.',
  },
  'validation.reference_not_found': {
    status: 400,
    title: 'Referenced resource not found',
    description: 'A field references a resource that does not exist for this team in this mode. `param` names the field. Nothing was written.',
  },
  'upload.missing_file': {
    status: 400,
    title: 'No file uploaded',
    description: 'The multipart body has no `file` part. Upload with `curl -F file=@invoice.pdf`.',
  },
  'upload.empty_file': {
    status: 400,
    title: 'Empty file',
    description: 'The uploaded file has no bytes.',
  },
  'upload.malformed_multipart': {
    status: 400,
    title: 'Malformed multipart body',
    description: 'The request body is not a complete multipart/form-data message.',
  },
  'upload.too_large': {
    status: 413,
    title: 'File too large',
    description: 'The file is larger than the upload limit (UPLOAD_MAX_BYTES, 20 MiB by default). Nothing was stored.',
  },
  'upload.unsupported_type': {
    status: 415,
    title: 'Unsupported file type',
    description: 'The file is neither PDF nor XML, judged from its bytes (not its name or declared type).',
  },
  'billing.insufficient_credits': {
    status: 402,
    title: 'Insufficient credits',
    description: 'A live upload costs one credit and the live balance is zero. Test mode is free.',
  },
  'request.malformed_json': {
    status: 400,
    title: 'Malformed JSON',
    description: 'The request body could not be parsed as JSON.',
  },
  'request.unsupported_media_type': {
    status: 415,
    title: 'Unsupported media type',
    description: 'The request body has a content type this operation does not accept (JSON operations take `application/json`).',
  },
  'request.body_too_large': {
    status: 413,
    title: 'Request body too large',
    description: 'The request body is larger than this operation accepts.',
  },
  'request.headers_too_large': {
    status: 431,
    title: 'Request headers too large',
    description: 'The request headers are larger than the server accepts (16 KiB in all). The connection is closed.',
  },
  'request.timeout': {
    status: 408,
    title: 'Request timeout',
    description: 'The request headers, or the whole request, did not arrive within the server’s time limits. The connection is closed.',
  },
  'request.expectation_failed': {
    status: 417,
    title: 'Expectation failed',
    description: 'The request carried an `Expect` header other than `100-continue`, which is the only one the server meets.',
  },
  'request.malformed_http': {
    status: 400,
    title: 'Malformed HTTP request',
    description: 'The bytes received are not a valid HTTP/1.1 request. The connection is closed.',
  },
  'route.not_found': {
    status: 404,
    title: 'No such route',
    description: 'No operation exists at this path. See /openapi.json for the list.',
  },
  'route.method_not_allowed': {
    status: 405,
    title: 'Method not allowed',
    description: 'The path exists but not with this HTTP method. The `Allow` header lists the methods it takes.',
  },
  'resource.not_found': {
    status: 404,
    title: 'Resource not found',
    description:
      'No such resource exists for this team in this mode. An ID of the other mode (`_live_` vs `_test_`) is never found: use a key of that mode.',
  },
  'resource.already_exists': {
    status: 409,
    title: 'Resource already exists',
    description: 'A resource with this unique value already exists.',
  },
  'resource.in_use': {
    status: 409,
    title: 'Resource in use',
    description: 'The resource is still referenced by others (for example a client by contacts or invoices); remove those references first.',
  },
  'idempotency.in_progress': {
    status: 409,
    title: 'Idempotent request in progress',
    description: 'A request with this Idempotency-Key is still being processed. Retry after it finishes to get its stored answer.',
  },
  'idempotency.key_reused': {
    status: 422,
    title: 'Idempotency key reused',
    description: 'This Idempotency-Key was used with a different method, path or body in the last 24 hours. Use a new key for a new request.',
  },
  'rate_limit.exceeded': {
    status: 429,
    title: 'Rate limit exceeded',
    description:
      'The team made more requests in this mode than its plan allows per minute or per hour. `Retry-After` says when to retry; the `RateLimit` header shows each window. Live and test count separately.',
  },
  'rate_limit.queue_full': {
    status: 429,
    title: 'Too many jobs in flight',
    description: 'The team already has as many uploads processing in this mode as its plan allows. Wait for some to finish (`Retry-After`).',
  },
  'mode.test_key_required': {
    status: 403,
    title: 'Test key required',
    description: 'This operation exists only in test mode (for example the test-mode reset). Use a `parseo_test_…` key.',
  },
  'internal.error': {
    status: 500,
    title: 'Internal error',
    description: 'Something went wrong on our side. Quote the request ID when you contact support.',
  },
  'service.unavailable': {
    status: 503,
    title: 'Service unavailable',
    description: 'A dependency (the database) is unreachable. Retry with backoff.',
  },
} as const satisfies Record<string, { status: number; title: string; description: string }>;

export type ErrorCode = keyof typeof errorRegistry;

export const errorCodes = Object.keys(errorRegistry) as ErrorCode[];

export function codesWithStatus(status: number): ErrorCode[] {
  return errorCodes.filter((code) => errorRegistry[code].status === status);
}

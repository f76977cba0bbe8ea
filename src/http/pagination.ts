import { z } from '@hono/zod-openapi';
import { ApiError } from '../errors/api-error.ts';

export const listQueryFields = {
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(20)
    .openapi({ description: 'How many items to return (1–100).', example: 20 }),
  cursor: z.string().max(512).optional().openapi({ description: 'The `nextCursor` of the previous page.' }),
};

export function listSchema<T extends z.ZodType>(item: T, name: string) {
  return z
    .object({
      object: z.literal('list'),
      data: z.array(item),
      hasMore: z.boolean(),
      nextCursor: z.string().nullable(),
    })
    .openapi(name);
}

/** Where a page starts: the (createdAt, id) of the last item seen, and what it was minted for. */
export type CursorPosition = { createdAt: Date; id: string };
type CursorPayload = { l: string; m: string | null; t: number; i: string };
// The largest instant a JS Date can hold.
const MAX_DATE_MS = 8.64e15;

/**
 * A cursor is opaque to clients but carries the list it belongs to and the caller's mode,
 * so one minted in test mode (or for another list) is refused rather than silently misread.
 */
export function encodeCursor(list: string, mode: string | null, position: CursorPosition): string {
  const payload: CursorPayload = { l: list, m: mode, t: position.createdAt.getTime(), i: position.id };
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

export function decodeCursor(cursor: string, list: string, mode: string | null): CursorPosition {
  let payload: Partial<CursorPayload>;
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor('The cursor is not one this API issued.');
  }
  const wellFormed =
    typeof payload === 'object' &&
    payload !== null &&
    Number.isSafeInteger(payload.t) &&
    Math.abs(payload.t!) <= MAX_DATE_MS &&
    typeof payload.i === 'string' &&
    payload.i.length <= 64 &&
    payload.l === list;
  if (!wellFormed) {
    throw invalidCursor('The cursor is not one this API issued for this list.');
  }
  if ((payload.m ?? null) !== mode) {
    throw invalidCursor(`The cursor was minted in ${payload.m} mode and cannot be used with a ${mode} key.`);
  }
  return { createdAt: new Date(payload.t!), id: payload.i! };
}

function invalidCursor(detail: string): ApiError {
  return new ApiError('validation.invalid_request', detail, { param: 'cursor', errors: [{ param: 'cursor', code: 'invalid_cursor', message: detail }] });
}

/** Builds the list envelope from `limit + 1` fetched rows. */
export function toPage<Row extends { createdAt: Date; id: string }, Item>(
  rows: Row[],
  limit: number,
  list: string,
  mode: string | null,
  present: (row: Row) => Item,
) {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows.at(-1);
  return {
    object: 'list' as const,
    data: pageRows.map(present),
    hasMore,
    nextCursor: hasMore && last ? encodeCursor(list, mode, last) : null,
  };
}

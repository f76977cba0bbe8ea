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
      data: z.array(item).openapi({ description: 'The page, newest first.' }),
      hasMore: z.boolean().openapi({ description: 'Whether another page follows.' }),
      nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; `null` on the last one.' }),
    })
    .openapi(name);
}

/** A list example with a real cursor after its last item, as `toPage` would mint it. */
export function examplePage<Item extends { id: string; createdAt: string }>(list: string, mode: string | null, items: Item[]) {
  const last = items.at(-1);
  return {
    object: 'list' as const,
    data: items,
    hasMore: true,
    nextCursor: last ? encodeCursor(list, mode, { createdAt: new Date(last.createdAt), id: last.id }) : null,
  };
}

/** Where a page starts: the (createdAt, id) of the last item seen, and what it was minted for. */
export type CursorPosition = { createdAt: Date; id: string };
type CursorPayload = { l: string; m: string | null; t: number; i: string };
// The instants PostgreSQL reads back from an ISO string: years 1 to 9999.
const MIN_DATE_MS = Date.parse('0001-01-01T00:00:00.000Z');
const MAX_DATE_MS = Date.parse('9999-12-31T23:59:59.999Z');
// Every ID this API issues: a prefix, maybe a mode, and base62.
const ID_SHAPE = /^[a-z]{2,4}(_(live|test))?_[0-9A-Za-z]{24}$/;

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
    payload.t! >= MIN_DATE_MS &&
    payload.t! <= MAX_DATE_MS &&
    typeof payload.i === 'string' &&
    ID_SHAPE.test(payload.i) &&
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

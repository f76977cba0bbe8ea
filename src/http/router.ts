import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './context.ts';
import { validationError } from './problem.ts';
import { assertStorableText } from './text-guard.ts';

const locations: Record<string, string> = { json: 'body', query: 'query', param: 'path', header: 'headers' };

/**
 * Every router validates the same way: a zod failure becomes one problem+json listing every bad
 * field, and valid input still holding text PostgreSQL cannot store (NUL, invalid Unicode) is
 * refused as such rather than failing later in the database.
 */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error, result.target, (result as { data?: unknown }).data);
      assertStorableText(result.data, locations[result.target] ?? result.target);
    },
  });
}

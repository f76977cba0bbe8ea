import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './context.ts';
import { validationError } from './problem.ts';

/** Every router validates the same way: a zod failure becomes one problem+json listing every bad field. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error, result.target, (result as { data?: unknown }).data);
    },
  });
}

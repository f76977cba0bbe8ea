import { createRoute, z } from '@hono/zod-openapi';
import type { Database } from '../../db/client.ts';
import { requireScope } from '../../http/auth.ts';
import { idempotencyKeyOf } from '../../http/idempotency.ts';
import { IdempotencyHeaders, NoQuery, errorResponses, exampleTime, idempotencyErrors, jsonContent } from '../../http/openapi.ts';
import type { createRouter } from '../../http/router.ts';
import type { FileStore } from '../../storage/file-store.ts';
import { tenantContext } from '../../tenancy/context.ts';
import { resetTestMode } from './service.ts';

const count = (what: string) => z.number().int().openapi({ description: `${what} deleted.` });

export const TestModeResetSchema = z
  .object({
    object: z.literal('test_mode_reset'),
    mode: z.literal('test'),
    deleted: z.object({
      invoices: count('Invoices'),
      jobs: count('Jobs'),
      contacts: count('Contacts'),
      clients: count('Clients'),
      webhookEndpoints: count('Webhook endpoints'),
      events: count('Events'),
      webhookDeliveries: count('Webhook deliveries'),
      idempotencyKeys: count('Stored idempotent answers'),
      files: count('Stored files no other job refers to'),
    }),
    resetAt: z.iso.datetime(),
  })
  .openapi('TestModeReset');

export const resetTestModeRoute = createRoute({
  operationId: 'resetTestMode',
  method: 'post',
  path: '/admin/test-mode/reset',
  tags: ['Test mode'],
  security: [{ bearerAuth: [] }],
  middleware: [requireScope('test_mode:reset')],
  summary: 'Delete all test-mode data',
  description:
    'With a **test** key: deletes every test-mode invoice (and stored files no other job needs), job, contact, client, webhook endpoint, event, delivery and idempotency record of the team, in one transaction, and answers the counts. Live data is untouched, byte for byte; a live key gets 403 `mode.test_key_required`. The reset itself is written to the test audit log, which is kept. Needs `test_mode:reset`.',
  request: { query: NoQuery, headers: IdempotencyHeaders },
  responses: {
    200: jsonContent(TestModeResetSchema, 'What was deleted.', {
      example: {
        object: 'test_mode_reset',
        mode: 'test',
        deleted: { invoices: 12, jobs: 14, contacts: 3, clients: 2, webhookEndpoints: 1, events: 61, webhookDeliveries: 58, idempotencyKeys: 9, files: 11 },
        resetAt: exampleTime(60),
      },
    }),
    ...errorResponses(400, 401, 403, 'mode.test_key_required', ...idempotencyErrors),
  },
});

export function registerTestModeRoutes(app: ReturnType<typeof createRouter>, deps: { db: Database; files: FileStore }) {
  app.openapi(resetTestModeRoute, async (c) => {
    const { counts, resetAt } = await resetTestMode(tenantContext(c, deps.db), deps.files, idempotencyKeyOf(c));
    return c.json({ object: 'test_mode_reset' as const, mode: 'test' as const, deleted: counts, resetAt: resetAt.toISOString() }, 200);
  });
}

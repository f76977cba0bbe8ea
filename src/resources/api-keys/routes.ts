import { createRoute } from '@hono/zod-openapi';
import { SCOPES } from '../../auth/keys.ts';
import type { Database } from '../../db/client.ts';
import { ApiError } from '../../errors/api-error.ts';
import { adminAuthErrors, errorResponses, jsonBody, jsonBodyErrors, jsonContent, NoQuery, notFoundOf } from '../../http/openapi.ts';
import { decodeCursor, toPage } from '../../http/pagination.ts';
import { createRouter } from '../../http/router.ts';
import { findTeam } from '../teams/repository.ts';
import { TeamIdParams } from '../teams/schemas.ts';
import { changeAuth } from '../../auth/key-cache.ts';
import { insertApiKey, listApiKeys, revokeApiKey } from './repository.ts';
import {
  apiKeyListExample,
  ApiKeyListQuery,
  ApiKeyListSchema,
  ApiKeySchema,
  createApiKeyExamples,
  CreateApiKeySchema,
  createdApiKeyExample,
  CreatedApiKeySchema,
  KeyIdParams,
  presentApiKey,
  revokedApiKeyExample,
} from './schemas.ts';

const tags = ['Admin: API keys'];
const security = [{ adminToken: [] }];

export const createApiKeyRoute = createRoute({
  operationId: 'adminCreateApiKey',
  method: 'post',
  path: '/teams/{id}/api-keys',
  tags,
  security,
  summary: 'Create an API key for a team',
  description: 'The response holds the whole key in `secret`; it is never shown again. Keys of both modes may be active at once, several per mode.',
  request: { params: TeamIdParams, body: jsonBody(CreateApiKeySchema, { examples: createApiKeyExamples }), query: NoQuery },
  responses: {
    201: jsonContent(CreatedApiKeySchema, 'The new key, with its secret.', { example: createdApiKeyExample }),
    ...errorResponses(400, ...adminAuthErrors, notFoundOf('team'), ...jsonBodyErrors),
  },
});

export const listApiKeysRoute = createRoute({
  operationId: 'adminListApiKeys',
  method: 'get',
  path: '/teams/{id}/api-keys',
  tags,
  security,
  summary: "List a team's API keys",
  description: 'Keys of both modes, revoked ones included, newest first, with their usage (which may lag a second or so). Never the secret.',
  request: { params: TeamIdParams, query: ApiKeyListQuery },
  responses: {
    200: jsonContent(ApiKeyListSchema, 'Keys, newest first, without secrets.', { example: apiKeyListExample }),
    ...errorResponses(400, ...adminAuthErrors, notFoundOf('team')),
  },
});

export const revokeApiKeyRoute = createRoute({
  operationId: 'adminRevokeApiKey',
  method: 'post',
  path: '/api-keys/{id}/revoke',
  tags,
  security,
  summary: 'Revoke an API key',
  description: 'Takes effect on the very next request. Revoking a revoked key keeps its first revocation time.',
  request: { params: KeyIdParams, query: NoQuery },
  responses: {
    200: jsonContent(ApiKeySchema, 'The key, with `revokedAt` set.', { example: revokedApiKeyExample }),
    ...errorResponses(400, ...adminAuthErrors, notFoundOf('api_key')),
  },
});

async function requireTeam(db: Database, id: string) {
  const team = await findTeam(db, id);
  if (!team) throw new ApiError('resource.not_found', `No team ${id} exists.`, { param: 'id' });
  return team;
}

export function registerApiKeyRoutes(app: ReturnType<typeof createRouter>, db: Database) {
  app.openapi(createApiKeyRoute, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    await requireTeam(db, id);
    const { row, secret } = await insertApiKey(db, { teamId: id, name: body.name, mode: body.mode, scopes: body.scopes ?? SCOPES });
    return c.json({ ...presentApiKey(row), secret }, 201);
  });

  app.openapi(listApiKeysRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { limit, cursor } = c.req.valid('query');
    await requireTeam(db, id);
    const rows = await listApiKeys(db, id, { limit, after: cursor ? decodeCursor(cursor, `api-keys:${id}`, null) : undefined });
    return c.json(toPage(rows, limit, `api-keys:${id}`, null, presentApiKey), 200);
  });

  app.openapi(revokeApiKeyRoute, async (c) => {
    const { id } = c.req.valid('param');
    // Answers only once every API instance has dropped its cached keys: the next request fails.
    const row = await changeAuth(db, c.get('logger'), (tx) => revokeApiKey(tx, id));
    if (!row) throw new ApiError('resource.not_found', `No API key ${id} exists.`, { param: 'id' });
    return c.json(presentApiKey(row), 200);
  });
}

import { z } from '@hono/zod-openapi';
import { SCOPES } from '../../auth/keys.ts';
import { exampleId, exampleKeyPrefix, exampleTime, type NamedExamples } from '../../http/openapi.ts';
import { examplePage, listQueryFields, listSchema } from '../../http/pagination.ts';
import { ModeSchema } from '../../tenancy/schemas.ts';
import type { ApiKeyRow } from './repository.ts';

export const ScopeSchema = z.enum(SCOPES).openapi('Scope');

export { ModeSchema };

export const ApiKeySchema = z
  .object({
    id: z.string().openapi({ example: exampleId('key', null) }),
    object: z.literal('api_key'),
    teamId: z.string(),
    name: z.string(),
    mode: ModeSchema,
    prefix: z.string().openapi({ description: 'The first 16 characters of the key; safe to log.', example: exampleKeyPrefix }),
    scopes: z.array(ScopeSchema),
    createdAt: z.iso.datetime(),
    revokedAt: z.iso.datetime().nullable(),
    lastUsedAt: z.iso.datetime().nullable().openapi({ description: 'May lag real use by a second or so.' }),
    lastUsedIp: z.string().nullable(),
    requestCount: z.number().int(),
  })
  .openapi('ApiKey');

export const CreatedApiKeySchema = ApiKeySchema.extend({
  secret: z.string().openapi({ description: 'The whole key. Shown only in this response: store it now.' }),
}).openapi('CreatedApiKey');

export const CreateApiKeySchema = z
  .strictObject({
    name: z.string().trim().min(1).max(100).openapi({ example: 'CI' }),
    mode: ModeSchema,
    scopes: z
      .array(ScopeSchema)
      .min(1)
      .refine((s) => new Set(s).size === s.length, 'scopes must not repeat')
      .optional()
      .openapi({ description: 'Defaults to every scope.' }),
  })
  .openapi('CreateApiKeyRequest');

export const KeyIdParams = z.strictObject({ id: z.string().max(64).openapi({ param: { name: 'id', in: 'path' }, example: exampleId('key', null) }) });
export const ApiKeyListQuery = z.strictObject(listQueryFields);
export const ApiKeyListSchema = listSchema(ApiKeySchema, 'ApiKeyList');

type ApiKey = z.infer<typeof ApiKeySchema>;

export const apiKeyExample: ApiKey = {
  id: exampleId('key', null),
  object: 'api_key',
  teamId: exampleId('team', null),
  name: 'CI',
  mode: 'test',
  prefix: exampleKeyPrefix,
  scopes: [...SCOPES],
  createdAt: exampleTime(-1430),
  revokedAt: null,
  lastUsedAt: exampleTime(45),
  lastUsedIp: '203.0.113.7',
  requestCount: 1312,
};

/** The secret is elided: a whole key, even an invented one, looks like a leak to secret scanners. */
export const createdApiKeyExample: z.infer<typeof CreatedApiKeySchema> = {
  ...apiKeyExample,
  lastUsedAt: null,
  lastUsedIp: null,
  requestCount: 0,
  secret: `${exampleKeyPrefix}…`,
};

export const apiKeyListExample = examplePage<ApiKey>(`api-keys:${apiKeyExample.teamId}`, null, [
  { ...apiKeyExample, id: exampleId('key', null, 'live'), name: 'Production', mode: 'live', prefix: 'parseo_live_Q7mZ', scopes: ['invoice:read', 'invoice:write'], createdAt: exampleTime(-1400) },
  apiKeyExample,
]);

export const revokedApiKeyExample: ApiKey = { ...apiKeyExample, revokedAt: exampleTime(50) };

export const createApiKeyExamples = {
  test: { summary: 'A test key with every scope', value: { name: 'CI', mode: 'test' } },
  live: { summary: 'A live key that may only upload and read invoices', value: { name: 'Production', mode: 'live', scopes: ['invoice:read', 'invoice:write'] } },
} satisfies NamedExamples<z.input<typeof CreateApiKeySchema>>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function presentApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    object: 'api_key',
    teamId: row.teamId,
    name: row.name,
    mode: row.mode,
    prefix: row.prefix,
    scopes: row.scopes as z.infer<typeof ScopeSchema>[],
    createdAt: row.createdAt.toISOString(),
    revokedAt: iso(row.revokedAt),
    lastUsedAt: iso(row.lastUsedAt),
    lastUsedIp: row.lastUsedIp,
    requestCount: row.requestCount,
  };
}

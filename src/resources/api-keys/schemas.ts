import { z } from '@hono/zod-openapi';
import { SCOPES } from '../../auth/keys.ts';
import { listQueryFields, listSchema } from '../../http/pagination.ts';

import type { ApiKeyRow } from './repository.ts';

export const ScopeSchema = z.enum(SCOPES).openapi('Scope');
import { ModeSchema } from '../../tenancy/schemas.ts';

export { ModeSchema };

export const ApiKeySchema = z
  .object({
    id: z.string().openapi({ example: 'key_7Hq2Lw9ZbXc4Rt1Vn8Mk3PsD' }),
    object: z.literal('api_key'),
    teamId: z.string(),
    name: z.string(),
    mode: ModeSchema,
    prefix: z.string().openapi({ description: 'The first 16 characters of the key; safe to log.', example: 'parseo_test_Ab3x' }),
    scopes: z.array(ScopeSchema),
    createdAt: z.iso.datetime(),
    revokedAt: z.iso.datetime().nullable(),
    lastUsedAt: z.iso.datetime().nullable().openapi({ description: 'May lag real use by a second or so.' }),
    lastUsedIp: z.string().nullable(),
    requestCount: z.number().int(),
  })
  .openapi('ApiKey');

export const CreatedApiKeySchema = ApiKeySchema.extend({
  secret: z.string().openapi({ description: 'The whole key. Shown only in this response: store it now.', example: 'parseo_test_Ab3x…' }),
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

export const KeyIdParams = z.strictObject({ id: z.string().max(64).openapi({ param: { name: 'id', in: 'path' } }) });
export const ApiKeyListQuery = z.strictObject(listQueryFields);
export const ApiKeyListSchema = listSchema(ApiKeySchema, 'ApiKeyList');

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function presentApiKey(row: ApiKeyRow): z.infer<typeof ApiKeySchema> {
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

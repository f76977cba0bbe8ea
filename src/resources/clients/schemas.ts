import { z } from '@hono/zod-openapi';
import { listQueryFields, listSchema } from '../../http/pagination.ts';
import { CountrySchema, MetadataSchema, ModeSchema, timestamps, VatIdSchema } from '../../tenancy/schemas.ts';
import type { ClientRow } from './repository.ts';

export const ClientSchema = z
  .object({
    id: z.string().openapi({ example: 'cl_test_9Z8y7X6w5V4u3T2s1R0qPoNm' }),
    object: z.literal('client'),
    mode: ModeSchema,
    name: z.string().openapi({ example: 'Müller Bau GmbH' }),
    externalRef: z.string().nullable().openapi({ description: 'Your own ID for this client.', example: 'CUST-1042' }),
    vatId: z.string().nullable().openapi({ example: 'DE123456789' }),
    country: z.string().nullable().openapi({ example: 'DE' }),
    metadata: z.record(z.string(), z.string()),
    ...timestamps,
  })
  .openapi('Client');

const fields = {
  name: z.string().trim().min(1).max(200),
  externalRef: z.string().trim().min(1).max(200).nullable(),
  vatId: VatIdSchema.nullable(),
  country: CountrySchema.nullable(),
};

export const CreateClientSchema = z
  .strictObject({
    name: fields.name,
    externalRef: fields.externalRef.optional(),
    vatId: fields.vatId.optional(),
    country: fields.country.optional(),
    metadata: MetadataSchema.optional(),
  })
  .openapi('CreateClientRequest', { example: { name: 'Müller Bau GmbH', externalRef: 'CUST-1042', vatId: 'DE123456789', country: 'DE' } });

export const UpdateClientSchema = z
  .strictObject({
    name: fields.name.optional(),
    externalRef: fields.externalRef.optional(),
    vatId: fields.vatId.optional(),
    country: fields.country.optional(),
    metadata: MetadataSchema.nullable().optional(),
  })
  .openapi('UpdateClientRequest', { description: 'Only the fields sent change; `null` clears an optional field.' });

export const ClientListQuery = z.strictObject({
  ...listQueryFields,
  externalRef: z.string().max(200).optional().openapi({ description: 'Only the client with this external reference.' }),
});

export const ClientListSchema = listSchema(ClientSchema, 'ClientList');

export const DeletedClientSchema = z
  .object({ id: z.string(), object: z.literal('client'), mode: ModeSchema, deleted: z.literal(true) })
  .openapi('DeletedClient');

export type Client = z.infer<typeof ClientSchema>;

export function presentClient(row: ClientRow): Client {
  return {
    id: row.id,
    object: 'client',
    mode: row.mode,
    name: row.name,
    externalRef: row.externalRef,
    vatId: row.vatId,
    country: row.country,
    metadata: row.metadata,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

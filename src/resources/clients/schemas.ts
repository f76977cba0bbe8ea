import { z } from '@hono/zod-openapi';
import { exampleId, exampleTime, type NamedExamples } from '../../http/openapi.ts';
import { examplePage, listQueryFields, listSchema } from '../../http/pagination.ts';
import { CountrySchema, MetadataSchema, ModeSchema, timestamps, VatIdSchema } from '../../tenancy/schemas.ts';
import type { ClientRow } from './repository.ts';

export const ClientSchema = z
  .object({
    id: z.string().openapi({ example: exampleId('cl') }),
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
  .openapi('CreateClientRequest');

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
  externalRef: z.string().max(200).optional().openapi({ description: 'Only the client with this external reference.', example: 'CUST-1042' }),
});

export const ClientListSchema = listSchema(ClientSchema, 'ClientList');

export const DeletedClientSchema = z
  .object({ id: z.string(), object: z.literal('client'), mode: ModeSchema, deleted: z.literal(true) })
  .openapi('DeletedClient');

export type Client = z.infer<typeof ClientSchema>;

export const clientExample: Client = {
  id: exampleId('cl'),
  object: 'client',
  mode: 'test',
  name: 'Müller Bau GmbH',
  externalRef: 'CUST-1042',
  vatId: 'DE123456789',
  country: 'DE',
  metadata: { erpId: '4711' },
  createdAt: exampleTime(),
  updatedAt: exampleTime(),
};

export const clientListExample = examplePage<Client>('clients', 'test', [
  { ...clientExample, id: exampleId('cl', 'test', 'second'), name: 'Schneider Logistik AG', externalRef: 'CUST-1043', vatId: 'DE811569869', createdAt: exampleTime(5), updatedAt: exampleTime(5) },
  clientExample,
]);

export const createClientExamples = {
  full: {
    summary: 'A client with every field',
    value: { name: 'Müller Bau GmbH', externalRef: 'CUST-1042', vatId: 'DE123456789', country: 'DE', metadata: { erpId: '4711' } },
  },
  minimal: { summary: 'Only the name', value: { name: 'Müller Bau GmbH' } },
} satisfies NamedExamples<z.input<typeof CreateClientSchema>>;

export const updateClientExamples = {
  rename: { summary: 'Change the name', value: { name: 'Müller Bau GmbH & Co. KG' } },
  clear: { summary: 'Clear the VAT ID and remove one metadata key', value: { vatId: null, metadata: { erpId: '' } } },
} satisfies NamedExamples<z.input<typeof UpdateClientSchema>>;

export const deletedClientExample = { id: clientExample.id, object: 'client', mode: 'test', deleted: true } satisfies z.infer<typeof DeletedClientSchema>;

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

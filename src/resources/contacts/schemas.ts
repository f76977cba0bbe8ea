import { z } from '@hono/zod-openapi';
import { exampleId, exampleTime, type NamedExamples } from '../../http/openapi.ts';
import { examplePage, listQueryFields, listSchema } from '../../http/pagination.ts';
import { CountrySchema, MetadataSchema, ModeSchema, timestamps, VatIdSchema } from '../../tenancy/schemas.ts';
import type { ContactRow } from './repository.ts';

const ROLES = ['supplier', 'customer', 'both'] as const;

const AddressSchema = z
  .strictObject({
    line1: z.string().trim().max(200).nullable().optional(),
    line2: z.string().trim().max(200).nullable().optional(),
    city: z.string().trim().max(100).nullable().optional(),
    postalCode: z.string().trim().max(20).nullable().optional(),
    country: CountrySchema.nullable().optional(),
  })
  .openapi('AddressInput');

export const PostalAddressSchema = z
  .object({
    line1: z.string().nullable(),
    line2: z.string().nullable(),
    city: z.string().nullable(),
    postalCode: z.string().nullable(),
    country: z.string().nullable(),
  })
  .openapi('Address', { example: { line1: 'Hauptstraße 1', line2: null, city: 'Berlin', postalCode: '10115', country: 'DE' } });

export const ContactSchema = z
  .object({
    id: z.string().openapi({ example: exampleId('ct') }),
    object: z.literal('contact'),
    mode: ModeSchema,
    name: z.string().openapi({ example: 'Schmidt Elektro KG' }),
    email: z.string().nullable().openapi({ example: 'billing@schmidt-elektro.de' }),
    vatId: z.string().nullable(),
    role: z.enum(ROLES).nullable(),
    clientId: z.string().nullable(),
    address: PostalAddressSchema.nullable(),
    metadata: z.record(z.string(), z.string()),
    ...timestamps,
  })
  .openapi('Contact');

const fields = {
  name: z.string().trim().min(1).max(200),
  email: z.email().max(254).nullable(),
  vatId: VatIdSchema.nullable(),
  role: z.enum(ROLES).nullable(),
  clientId: z.string().max(64).nullable().openapi({ description: 'A client of the same mode.' }),
  address: AddressSchema.nullable(),
};

export const CreateContactSchema = z
  .strictObject({
    name: fields.name,
    email: fields.email.optional(),
    vatId: fields.vatId.optional(),
    role: fields.role.optional(),
    clientId: fields.clientId.optional(),
    address: fields.address.optional(),
    metadata: MetadataSchema.optional(),
  })
  .openapi('CreateContactRequest');

export const UpdateContactSchema = z
  .strictObject({
    name: fields.name.optional(),
    email: fields.email.optional(),
    vatId: fields.vatId.optional(),
    role: fields.role.optional(),
    clientId: fields.clientId.optional(),
    address: fields.address.optional(),
    metadata: MetadataSchema.nullable().optional(),
  })
  .openapi('UpdateContactRequest', { description: 'Only the fields sent change; `null` clears an optional field. `address` is replaced whole.' });

export const ContactListQuery = z.strictObject({
  ...listQueryFields,
  clientId: z.string().max(64).optional().openapi({ description: 'Only contacts of this client.', example: exampleId('cl') }),
  email: z.string().max(254).optional().openapi({ description: 'Only contacts with this email (case-insensitive).', example: 'billing@schmidt-elektro.de' }),
  vatId: z.string().max(32).optional().openapi({ description: 'Only contacts with this VAT ID.', example: 'DE987654321' }),
});

export const ContactListSchema = listSchema(ContactSchema, 'ContactList');

export const DeletedContactSchema = z
  .object({ id: z.string(), object: z.literal('contact'), mode: ModeSchema, deleted: z.literal(true) })
  .openapi('DeletedContact');

export type Contact = z.infer<typeof ContactSchema>;
export type AddressInput = z.infer<typeof AddressSchema>;

export const contactExample: Contact = {
  id: exampleId('ct'),
  object: 'contact',
  mode: 'test',
  name: 'Schmidt Elektro KG',
  email: 'billing@schmidt-elektro.de',
  vatId: 'DE987654321',
  role: 'supplier',
  clientId: exampleId('cl'),
  address: { line1: 'Hauptstraße 1', line2: null, city: 'Berlin', postalCode: '10115', country: 'DE' },
  metadata: {},
  createdAt: exampleTime(10),
  updatedAt: exampleTime(10),
};

export const contactListExample = examplePage<Contact>('contacts', 'test', [
  { ...contactExample, id: exampleId('ct', 'test', 'buyer'), name: 'Parseo Test Buyer SARL', email: null, vatId: 'FR40303265045', role: 'customer', address: null, createdAt: exampleTime(12), updatedAt: exampleTime(12) },
  contactExample,
]);

export const createContactExamples = {
  supplier: {
    summary: 'A supplier of a client, with its address',
    value: {
      name: 'Schmidt Elektro KG',
      email: 'billing@schmidt-elektro.de',
      vatId: 'DE987654321',
      role: 'supplier',
      clientId: exampleId('cl'),
      address: { line1: 'Hauptstraße 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
    },
  },
  minimal: { summary: 'Only the name', value: { name: 'Schmidt Elektro KG' } },
} satisfies NamedExamples<z.input<typeof CreateContactSchema>>;

export const updateContactExamples = {
  role: { summary: 'Change the role and email', value: { role: 'both', email: 'invoices@schmidt-elektro.de' } },
  unlink: { summary: 'Detach from its client and clear the address', value: { clientId: null, address: null } },
} satisfies NamedExamples<z.input<typeof UpdateContactSchema>>;

export const deletedContactExample = { id: contactExample.id, object: 'contact', mode: 'test', deleted: true } satisfies z.infer<typeof DeletedContactSchema>;

export function presentContact(row: ContactRow): Contact {
  return {
    id: row.id,
    object: 'contact',
    mode: row.mode,
    name: row.name,
    email: row.email,
    vatId: row.vatId,
    role: row.role,
    clientId: row.clientId,
    address: row.address,
    metadata: row.metadata,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

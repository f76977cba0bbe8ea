import { z } from '@hono/zod-openapi';
import { createHash } from 'node:crypto';
import { exampleId, exampleTime, type NamedExamples } from '../../http/openapi.ts';
import { examplePage, listQueryFields, listSchema } from '../../http/pagination.ts';
import { crossCheck } from '../../pipeline/cross-check.ts';
import { fixtureInvoices, fixtureNames, type FixtureName } from '../../pipeline/fixtures.ts';
import { MetadataSchema, ModeSchema, timestamps } from '../../tenancy/schemas.ts';
import type { InvoiceRow } from './repository.ts';

const Money = z.string().regex(/^-?\d+(\.\d+)?$/).openapi({ description: 'A decimal string, never a float.', example: '1428.00' });
const DateString = z.string().openapi({ description: 'YYYY-MM-DD', example: '2026-01-15' });

const PartySchema = z
  .object({
    name: z.string().nullable(),
    vatId: z.string().nullable(),
    address: z
      .object({ line1: z.string().nullable(), line2: z.string().nullable(), city: z.string().nullable(), postalCode: z.string().nullable(), country: z.string().nullable() })
      .partial()
      .nullable(),
  })
  .openapi('InvoiceParty');

const LineSchema = z
  .object({
    description: z.string().nullable(),
    quantity: Money.nullable(),
    unitPrice: Money.nullable(),
    netAmount: Money.nullable(),
    taxRate: Money.nullable().openapi({ description: 'Percent, e.g. "19".' }),
  })
  .openapi('InvoiceLine');

const AllowanceChargeSchema = z
  .object({ kind: z.enum(['allowance', 'charge']), reason: z.string().nullable(), amount: Money, taxRate: Money.nullable() })
  .openapi('InvoiceAllowanceCharge', { description: 'A document-level allowance (discount) or charge (e.g. delivery).' });

export const InvoiceSchema = z
  .object({
    id: z.string().openapi({ example: exampleId('inv', 'test', 'plain') }),
    object: z.literal('invoice'),
    mode: ModeSchema,
    clientId: z.string().nullable(),
    jobId: z.string(),
    documentType: z.enum(['invoice', 'credit_note']),
    invoiceNumber: z.string().nullable(),
    issueDate: DateString.nullable(),
    dueDate: DateString.nullable(),
    currency: z.string().nullable().openapi({ example: 'EUR' }),
    seller: PartySchema.nullable(),
    buyer: PartySchema.nullable(),
    sellerContactId: z.string().nullable(),
    buyerContactId: z.string().nullable(),
    lines: z.array(LineSchema),
    allowanceCharges: z.array(AllowanceChargeSchema),
    totals: z
      .object({ net: Money.nullable(), tax: Money.nullable(), gross: Money.nullable(), due: Money.nullable() })
      .openapi({
        description:
          '`net` is the tax-exclusive total (EN 16931 BT-109), `tax` the VAT total in the invoice currency (BT-110), `gross` the tax-inclusive total (BT-112), `due` the amount payable (BT-115). Each is copied exactly as the document writes it.',
      }),
    extraction: z
      .object({ method: z.string(), format: z.string().nullable(), profile: z.string().nullable() })
      .openapi({
        description:
          '`method` is `fixture` (test mode) or `structured` (a parsed e-invoice). `format` is `ubl` (UBL 2.1 Invoice or CreditNote XML), `cii` (UN/CEFACT CII XML, ZUGFeRD 1.0 included) or `facturx` (a Factur-X / ZUGFeRD PDF and its embedded XML). `profile` is the specification identifier exactly as the document states it (UBL `cbc:CustomizationID`, CII guideline ID), e.g. `urn:cen.eu:en16931:2017`.',
      }),
    warnings: z
      .array(z.object({ code: z.string(), message: z.string() }))
      .openapi({ description: 'Arithmetic that does not add up, reported as found and never corrected.' }),
    file: z.object({ filename: z.string().nullable(), contentType: z.string(), size: z.number().int(), sha256: z.string() }),
    metadata: z.record(z.string(), z.string()),
    ...timestamps,
  })
  .openapi('Invoice');

export const UpdateInvoiceSchema = z
  .strictObject({
    clientId: z.string().max(64).nullable().optional(),
    sellerContactId: z.string().max(64).nullable().optional(),
    buyerContactId: z.string().max(64).nullable().optional(),
    metadata: MetadataSchema.nullable().optional(),
  })
  .openapi('UpdateInvoiceRequest', { description: 'Links to a client and contacts of the same mode, and metadata.' });

export const InvoiceListQuery = z.strictObject({
  ...listQueryFields,
  clientId: z.string().max(64).optional().openapi({ description: 'Only invoices of this client.', example: exampleId('cl') }),
  jobId: z.string().max(64).optional().openapi({ description: 'Only the invoice this job produced.', example: exampleId('job', 'test', 'plain') }),
});

export const InvoiceListSchema = listSchema(InvoiceSchema, 'InvoiceList');

export const DeletedInvoiceSchema = z
  .object({ id: z.string(), object: z.literal('invoice'), mode: ModeSchema, deleted: z.literal(true) })
  .openapi('DeletedInvoice');

export type Invoice = z.infer<typeof InvoiceSchema>;

export function presentInvoice(row: InvoiceRow): Invoice {
  return {
    id: row.id,
    object: 'invoice',
    mode: row.mode,
    clientId: row.clientId,
    jobId: row.jobId,
    documentType: row.documentType,
    invoiceNumber: row.invoiceNumber,
    issueDate: row.issueDate,
    dueDate: row.dueDate,
    currency: row.currency,
    seller: row.seller,
    buyer: row.buyer,
    sellerContactId: row.sellerContactId,
    buyerContactId: row.buyerContactId,
    lines: row.lines,
    allowanceCharges: row.allowanceCharges,
    totals: row.totals,
    extraction: row.extraction,
    warnings: row.warnings,
    file: { filename: row.filename, contentType: row.contentType, size: row.size, sha256: row.fileSha256 },
    metadata: row.metadata,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

// ---------------------------------------------------------------------------------------------
// Examples: the canned test invoices, presented exactly as the API answers them.

/** A file digest that makes `fixtureFor` pick this fixture, as a real test upload's would. */
function exampleSha256(name: FixtureName): string {
  const digest = createHash('sha256').update(`parseo-example-file:${name}`).digest('hex');
  const head = Number.parseInt(digest.slice(0, 8), 16);
  let picked = head - (head % fixtureNames.length) + fixtureNames.indexOf(name);
  if (picked > 0xffffffff) picked -= fixtureNames.length;
  return picked.toString(16).padStart(8, '0') + digest.slice(8);
}

/** The invoice row a test upload completes with, as the pipeline writes it. */
function exampleInvoiceRow(name: FixtureName, minutesLater: number): InvoiceRow {
  const fixture = fixtureInvoices[name];
  const at = new Date(exampleTime(minutesLater));
  return {
    id: exampleId('inv', 'test', name),
    teamId: exampleId('team', null),
    mode: 'test',
    jobId: exampleId('job', 'test', name),
    clientId: exampleId('cl'),
    sellerContactId: null,
    buyerContactId: null,
    ...fixture,
    warnings: crossCheck(fixture),
    fileSha256: exampleSha256(name),
    filename: `${fixture.invoiceNumber}.pdf`,
    contentType: 'application/pdf',
    size: 48_213,
    metadata: { erpId: '4711' },
    createdAt: at,
    updatedAt: at,
  };
}

/** Every canned test invoice, by fixture name (`plain`, `credit_note`, …). */
export const invoiceExamples: NamedExamples<Invoice> = Object.fromEntries(
  fixtureNames.map((name, i) => {
    const invoice = presentInvoice(exampleInvoiceRow(name, 20 + i));
    const kind = invoice.documentType === 'credit_note' ? 'credit note' : 'invoice';
    return [name, { summary: `Test mode: ${invoice.invoiceNumber} (${kind}, ${invoice.currency} ${invoice.totals.gross} gross)`, value: invoice }];
  }),
);

export const invoiceExample = presentInvoice(exampleInvoiceRow('plain', 20));

export const invoiceListExample = examplePage(
  'invoices',
  'test',
  fixtureNames
    .map((name, i) => presentInvoice(exampleInvoiceRow(name, 20 + i)))
    .reverse()
    .slice(0, 2),
);

export const updateInvoiceExamples = {
  link: {
    summary: 'Link to a client and its contacts',
    value: { clientId: exampleId('cl'), sellerContactId: exampleId('ct'), buyerContactId: exampleId('ct', 'test', 'buyer') },
  },
  metadata: { summary: 'Add one metadata key and remove another', value: { metadata: { approvedBy: 'j.doe', erpId: '' } } },
  unlink: { summary: 'Detach from its client', value: { clientId: null } },
} satisfies NamedExamples<z.input<typeof UpdateInvoiceSchema>>;

export const deletedInvoiceExample = { id: invoiceExample.id, object: 'invoice', mode: 'test', deleted: true } satisfies z.infer<typeof DeletedInvoiceSchema>;

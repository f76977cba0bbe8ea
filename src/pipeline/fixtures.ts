import type { ExtractedInvoice } from './types.ts';

/**
 * The canned invoices of test mode. A test upload completes with one of them, chosen from the
 * file's SHA-256 (the same file always gives the same invoice), so tests can assert exact values.
 * Every amount adds up: lines − allowances + charges = net; net + tax = gross = due.
 */
const seller = {
  name: 'Parseo Test Supplier GmbH',
  vatId: 'DE811907980',
  address: { line1: 'Teststraße 1', line2: null, city: 'Berlin', postalCode: '10115', country: 'DE' },
};
const buyer = {
  name: 'Parseo Test Buyer SARL',
  vatId: 'FR40303265045',
  address: { line1: '12 rue de l’Essai', line2: null, city: 'Lyon', postalCode: '69002', country: 'FR' },
};

const fixture = (profile: string) => ({ method: 'fixture', format: null, profile: `test:${profile}` });

export const fixtureInvoices = {
  plain: {
    documentType: 'invoice',
    invoiceNumber: 'TEST-INV-0001',
    issueDate: '2026-01-15',
    dueDate: null,
    currency: 'EUR',
    seller,
    buyer,
    lines: [{ description: 'Consulting services (hours)', quantity: '10', unitPrice: '120.00', netAmount: '1200.00', taxRate: '19' }],
    allowanceCharges: [],
    totals: { net: '1200.00', tax: '228.00', gross: '1428.00', due: '1428.00' },
    extraction: fixture('plain'),
  },
  multiple_vat_rates: {
    documentType: 'invoice',
    invoiceNumber: 'TEST-INV-0002',
    issueDate: '2026-01-20',
    dueDate: '2026-02-19',
    currency: 'EUR',
    seller,
    buyer,
    lines: [
      { description: 'Office chair', quantity: '4', unitPrice: '150.00', netAmount: '600.00', taxRate: '19' },
      { description: 'Technical book', quantity: '5', unitPrice: '40.00', netAmount: '200.00', taxRate: '7' },
    ],
    allowanceCharges: [],
    totals: { net: '800.00', tax: '128.00', gross: '928.00', due: '928.00' },
    extraction: fixture('multiple_vat_rates'),
  },
  credit_note: {
    documentType: 'credit_note',
    invoiceNumber: 'TEST-CN-0003',
    issueDate: '2026-02-02',
    dueDate: null,
    currency: 'EUR',
    seller,
    buyer,
    lines: [{ description: 'Refund: returned monitor', quantity: '1', unitPrice: '250.00', netAmount: '250.00', taxRate: '19' }],
    allowanceCharges: [],
    totals: { net: '250.00', tax: '47.50', gross: '297.50', due: '297.50' },
    extraction: fixture('credit_note'),
  },
  foreign_currency: {
    documentType: 'invoice',
    invoiceNumber: 'TEST-INV-0004',
    issueDate: '2026-02-10',
    dueDate: '2026-03-12',
    currency: 'CHF',
    seller: {
      name: 'Parseo Test Lieferant AG',
      vatId: 'CHE123456789MWST',
      address: { line1: 'Prüfweg 4', line2: null, city: 'Zürich', postalCode: '8001', country: 'CH' },
    },
    buyer,
    lines: [{ description: 'Software licence (annual)', quantity: '2', unitPrice: '450.00', netAmount: '900.00', taxRate: '8.1' }],
    allowanceCharges: [],
    totals: { net: '900.00', tax: '72.90', gross: '972.90', due: '972.90' },
    extraction: fixture('foreign_currency'),
  },
  due_date_allowances: {
    documentType: 'invoice',
    invoiceNumber: 'TEST-INV-0005',
    issueDate: '2026-03-01',
    dueDate: '2026-03-31',
    currency: 'EUR',
    seller,
    buyer,
    lines: [
      { description: 'Printer paper A4 (box)', quantity: '20', unitPrice: '24.50', netAmount: '490.00', taxRate: '19' },
      { description: 'Toner cartridge', quantity: '2', unitPrice: '75.00', netAmount: '150.00', taxRate: '19' },
    ],
    allowanceCharges: [
      { kind: 'allowance', reason: 'Volume discount', amount: '40.00', taxRate: '19' },
      { kind: 'charge', reason: 'Delivery', amount: '10.00', taxRate: '19' },
    ],
    // 640.00 − 40.00 + 10.00 = 610.00 net; 19 % of it = 115.90.
    totals: { net: '610.00', tax: '115.90', gross: '725.90', due: '725.90' },
    extraction: fixture('due_date_allowances'),
  },
} satisfies Record<string, ExtractedInvoice>;

export type FixtureName = keyof typeof fixtureInvoices;
export const fixtureNames = Object.keys(fixtureInvoices) as FixtureName[];

/** The same bytes always pick the same fixture. */
export function fixtureFor(sha256: string): FixtureName {
  return fixtureNames[Number.parseInt(sha256.slice(0, 8), 16) % fixtureNames.length]!;
}

/** `hints.testScenario` values, and what each does. */
export const testScenarios = {
  completed: 'Completes with the canned invoice chosen from the file’s SHA-256 (the default).',
  failed: 'Fails with error code `test.scenario_failed`.',
  credit_note: 'Completes with the canned credit note.',
  slow: 'Completes after about 3 seconds, for polling code.',
} as const;
export type TestScenario = keyof typeof testScenarios;
export const TEST_SCENARIOS = Object.keys(testScenarios) as [TestScenario, ...TestScenario[]];
export const SLOW_SCENARIO_DELAY_MS = 3000;

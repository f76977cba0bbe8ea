import type { AllowanceChargeRow, Extraction, InvoiceLine, Party, Totals } from '../../drizzle/invoices.ts';

export type AllowanceCharge = AllowanceChargeRow;

/** What any extractor (fixture or live engine) hands to the pipeline. Money is decimal strings. */
export type ExtractedInvoice = {
  documentType: 'invoice' | 'credit_note';
  invoiceNumber: string | null;
  issueDate: string | null;
  dueDate: string | null;
  currency: string | null;
  seller: Party | null;
  buyer: Party | null;
  lines: InvoiceLine[];
  allowanceCharges: AllowanceCharge[];
  totals: Totals;
  extraction: Extraction;
};

/** A job failure with a stable code partners can branch on; it is not retried. */
export class ExtractionError extends Error {
  readonly code: JobErrorCode;
  constructor(code: JobErrorCode, detail: string) {
    super(detail);
    this.code = code;
  }
}

/** Every `error.code` a failed job can carry. */
export const jobErrorCodes = {
  'extraction.no_invoice_data': 'The file holds no machine-readable invoice (UBL, CII or Factur-X/ZUGFeRD).',
  'extraction.unsupported_format': 'The file is XML or PDF, but not an e-invoice format Parseo reads.',
  'extraction.invalid_document': 'The e-invoice is malformed or unsafe (DTD, entities) and was not read.',
  'extraction.timeout': 'Reading the file took longer than the time budget.',
  'extraction.limit_exceeded': 'The file needs more memory or decompressed data than one file may use (a decompression bomb, or simply too big).',
  'job.attempts_exhausted': 'The job failed on our side too many times. The credit was refunded; upload again.',
  'test.scenario_failed': 'Test mode only: the upload asked for `hints.testScenario=failed`.',
} as const;
export type JobErrorCode = keyof typeof jobErrorCodes;

import type { ExtractedInvoice } from './types.ts';

export type StoredFile = { path: string; contentType: string; size: number; sha256: string };

/**
 * Turns a stored file into an invoice, or throws an ExtractionError with a job error code.
 * Live mode only: test mode never reaches an extractor.
 */
export type Extractor = (file: StoredFile) => Promise<ExtractedInvoice>;

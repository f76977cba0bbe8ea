import type { Extractor } from './extractor.ts';
import { ExtractionError } from './types.ts';

/**
 * The live extraction engine. Until structured e-invoice parsing is in place, every live file
 * fails its job with a clear code (and its credit is refunded): a live result is never invented.
 */
export const liveExtractor: Extractor = async (file) => {
  throw new ExtractionError('extraction.unsupported_format', `No live extractor reads ${file.contentType} files yet; the credit was refunded.`);
};

import type { Extractor } from './extractor.ts';
import { limits } from './live/limits.ts';
import { ExtractionSandbox, type SandboxOptions } from './live/sandbox.ts';
import { ExtractionError } from './types.ts';

/**
 * The live extraction engine: structured e-invoices (UBL, CII, Factur-X / ZUGFeRD) read exactly,
 * each file in a worker thread under a time and memory budget (see src/pipeline/live/).
 */
export function createLiveExtractor(options: SandboxOptions = {}): Extractor {
  const sandbox = new ExtractionSandbox(options);
  return async (file) => {
    try {
      if (file.size > limits.maxFileBytes) {
        throw new ExtractionError('extraction.limit_exceeded', `The file is ${file.size} bytes; the engine reads at most ${limits.maxFileBytes}.`);
      }
      const { invoice } = await sandbox.run(file.path);
      return invoice;
    } catch (err) {
      // A verdict on the file fails the job, and the pipeline then refunds the live credit.
      if (err instanceof ExtractionError) throw new ExtractionError(err.code, `${err.message} The credit for this file was refunded.`);
      throw err;
    }
  };
}

export const liveExtractor: Extractor = createLiveExtractor();

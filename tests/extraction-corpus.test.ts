import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectLiveExtraction, loadExpected } from './fixtures/einvoice-expectations.ts';
import { harness, type Harness } from './support/harness.ts';
import { CORPUS_DIR, corpusFile } from './support/uploads.ts';

/**
 * The public e-invoice corpus (CORPUS_DIR, default /work/shared/corpus/einvoices), every file
 * uploaded in live mode through the API and compared with its `expected.json` entry.
 */
let h: Harness;

beforeAll(async () => {
  h = await harness();
});

// Read at collection time so each file is its own test; a missing corpus fails below, loudly.
const table = existsSync(CORPUS_DIR) ? loadExpected(CORPUS_DIR) : [];

describe('the e-invoice corpus, read live through the API', () => {
  it(`is all there: 36 files in ${CORPUS_DIR}, 12 UBL, 12 CII, 12 Factur-X / ZUGFeRD PDFs`, () => {
    expect(existsSync(CORPUS_DIR), `set CORPUS_DIR to the e-invoice corpus (looked in ${CORPUS_DIR})`).toBe(true);
    expect(table).toHaveLength(36);
    const formats = table.map(([, e]) => e.format);
    expect(formats.filter((f) => f === 'ubl')).toHaveLength(12);
    expect(formats.filter((f) => f === 'cii')).toHaveLength(12);
    expect(formats.filter((f) => f === 'facturx')).toHaveLength(12);
  });

  it.each(table)('%s', async (name, expected) => {
    await expectLiveExtraction(h, name, corpusFile(name), expected);
  });
});

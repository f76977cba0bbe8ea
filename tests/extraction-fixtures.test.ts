import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectLiveExtraction, loadExpected } from './fixtures/einvoice-expectations.ts';
import { harness, type Harness } from './support/harness.ts';
import { CORPUS_DIR } from './support/uploads.ts';

/**
 * The corpus files whose licences let them live in this repository (Apache-2.0, BSD-3-Clause,
 * EUPL-1.2; see THIRD_PARTY_NOTICES.md), so a fresh clone tests UBL, CII, XRechnung and a
 * Factur-X PDF without the shared corpus.
 */
const DIR = join(import.meta.dirname, 'fixtures', 'einvoices');
const table = loadExpected(DIR);

let h: Harness;

beforeAll(async () => {
  h = await harness();
});

describe('in-repository e-invoice fixtures, read live through the API', () => {
  it('has an expected.json entry for every file and a file for every entry', () => {
    const files = readdirSync(DIR).filter((f) => f !== 'expected.json');
    expect(table.map(([name]) => name).sort()).toEqual(files.sort());
    expect(files.length).toBe(7);
    expect(new Set(table.map(([, e]) => e.format))).toEqual(new Set(['ubl', 'cii', 'facturx']));
  });

  it.runIf(existsSync(join(CORPUS_DIR, 'expected.json')))('agrees with the shared corpus table, entry for entry', () => {
    const shared = new Map(loadExpected(CORPUS_DIR));
    for (const [name, entry] of table) expect(entry, name).toEqual(shared.get(name));
  });

  it.each(table)('%s', async (name, expected) => {
    await expectLiveExtraction(h, name, readFileSync(join(DIR, name)), expected);
  });
});

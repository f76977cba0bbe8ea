import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { decodePDFRawStream, PDFDocument, PDFName, PDFRawStream } from 'pdf-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { extractInvoice } from '../src/pipeline/live/index.ts';
import { listAttachments } from '../src/pipeline/live/pdf/attachments.ts';
import { PdfDocument } from '../src/pipeline/live/pdf/document.ts';
import { ExtractionSandbox } from '../src/pipeline/live/sandbox.ts';
import { decimal, isoDate } from '../src/pipeline/live/values.ts';
import { parseXml } from '../src/pipeline/live/xml.ts';
import { ExtractionError } from '../src/pipeline/types.ts';
import { loadExpected } from './fixtures/einvoice-expectations.ts';
import { buildPdf, facturX, pdfStream } from './fixtures/pdf-builder.ts';
import { CORPUS_DIR, corpusFile } from './support/uploads.ts';

/**
 * The engine below the API: what the corpus says about each file's structure (root element,
 * namespace, the embedded XML of each PDF), checked against the reader directly and against
 * pdf-lib; the XML and PDF readers' safety rules; and the worker-thread sandbox's budgets.
 */
const FIXTURES = join(import.meta.dirname, 'fixtures', 'einvoices');
const table = loadExpected(CORPUS_DIR);

function failure(run: () => unknown): ExtractionError {
  try {
    run();
  } catch (err) {
    if (err instanceof ExtractionError) return err;
    throw err;
  }
  throw new Error('expected an ExtractionError');
}

describe('corpus structure, read by the engine', () => {
  it.each(table)('%s', (name, e) => {
    const { invoice, source } = extractInvoice(corpusFile(name));
    expect(invoice.documentType).toBe(e.documentType);
    const embedded = e.embeddedXml;
    expect({ rootElement: source.rootElement, namespace: source.namespace, attachment: source.attachment }).toEqual({
      rootElement: embedded?.rootElement ?? e.rootElement,
      namespace: embedded?.namespace ?? e.namespace,
      attachment: embedded?.fileName ?? null,
    });
  });

  const pdfs = table.filter(([, e]) => e.embeddedXml);
  it('has twelve PDFs', () => expect(pdfs).toHaveLength(12));

  it.each(pdfs)('%s: the embedded XML bytes are exactly the ones pdf-lib finds, with the recorded size, BOM and other attachments', async (name, e) => {
    const bytes = corpusFile(name);
    const doc = new PdfDocument(bytes);
    const attachments = listAttachments(doc);
    const invoice = attachments.find((a) => a.name === e.embeddedXml!.fileName)!;
    const xml = doc.decode(invoice.stream!);
    expect(xml.length).toBe((e.embeddedXml as any).sizeBytes);
    expect(xml.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe((e.embeddedXml as any).utf8Bom);
    expect(attachments.filter((a) => a !== invoice).map((a) => a.name)).toEqual(e.embeddedXml!.otherAttachments);

    // An independent reader: every embedded-file stream pdf-lib decodes; ours must be among them.
    const other = await PDFDocument.load(bytes, { updateMetadata: false });
    const embeddedByPdfLib = other.context
      .enumerateIndirectObjects()
      .map(([, object]) => object)
      .filter((o): o is PDFRawStream => o instanceof PDFRawStream && o.dict.get(PDFName.of('Type')) === PDFName.of('EmbeddedFile'))
      .map((s) => Buffer.from(decodePDFRawStream(s).decode()));
    expect(embeddedByPdfLib.some((b) => b.equals(xml))).toBe(true);
  });
});

describe('XML safety and decoding', () => {
  const cii = (body: string) => `<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" xmlns:ram="r">${body}</rsm:CrossIndustryInvoice>`;

  it('refuses a DTD however it is encoded (UTF-16 here) and whatever it declares', () => {
    const xxe = `<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>${cii('&x;')}`;
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xxe, 'utf16le')]);
    expect(failure(() => parseXml(utf16)).code).toBe('extraction.invalid_document');
    for (const dtd of ['<!DOCTYPE r>', '<!DOCTYPE r SYSTEM "http://example.com/x.dtd">', '<!DOCTYPE r [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>']) {
      expect(failure(() => parseXml(Buffer.from(`${dtd}${cii('')}`))).message).toMatch(/DTD/);
    }
  });

  it('decodes the predefined entities and character references, leaves CDATA as written, and refuses undeclared entities', () => {
    const root = parseXml(Buffer.from(cii('<ram:A>GmbH &amp; Co. KG &#228;&#xFC; &lt;x&gt;</ram:A><ram:B><![CDATA[a &amp; b]]></ram:B>')));
    expect(root.textAt('A')).toBe('GmbH & Co. KG äü <x>');
    expect(root.textAt('B')).toBe('a &amp; b');
    expect(failure(() => parseXml(Buffer.from(cii('&nbsp;')))).message).toMatch(/undeclared entity/);
    expect(failure(() => parseXml(Buffer.from(cii('&#0;')))).code).toBe('extraction.invalid_document');
  });

  it('reads the declared encoding, and refuses bytes that are not valid in it', () => {
    const latin1 = Buffer.from(`<?xml version="1.0" encoding="ISO-8859-1"?>${cii('<ram:Name>Müller</ram:Name>')}`, 'latin1');
    expect(parseXml(latin1).textAt('Name')).toBe('Müller');
    const badUtf8 = Buffer.concat([Buffer.from(cii('<ram:Name>')), Buffer.from([0xc3, 0x28]), Buffer.from('</ram:Name>')]);
    expect(failure(() => parseXml(badUtf8)).code).toBe('extraction.invalid_document');
  });

  it('refuses two roots, and nesting deep enough to hurt, quickly', () => {
    expect(failure(() => parseXml(Buffer.from('<a/><a/>'))).message).toMatch(/2 root elements/);
    const started = Date.now();
    const deep = `${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}`;
    expect(failure(() => parseXml(Buffer.from(deep))).code).toBe('extraction.invalid_document');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('never takes a value from an element inside a comment', () => {
    const root = parseXml(Buffer.from(cii('<!-- <ram:ID>ghost</ram:ID> --><ram:ID>real</ram:ID>')));
    expect(root.all('ID').map((e) => e.text)).toEqual(['real']);
  });
});

describe('values', () => {
  it('keeps decimals exactly as written, changing only spellings the API cannot carry', () => {
    expect(['229.60', '229.6', '10000', '-7.67', '0.00'].map((v) => decimal(v, 'x'))).toEqual(['229.60', '229.6', '10000', '-7.67', '0.00']);
    expect(['+5', '.5', '5.', '-.25'].map((v) => decimal(v, 'x'))).toEqual(['5', '0.5', '5', '-0.25']);
    for (const bad of ['1,50', '1e3', '12 EUR', '.', '-', 'NaN']) expect(() => decimal(bad, 'TaxExclusiveAmount')).toThrow(/TaxExclusiveAmount is not a decimal/);
    expect(decimal(null, 'x')).toBeNull();
  });

  it('reads ISO dates and CII format 102, and nothing that is not a real date', () => {
    expect([isoDate('2013-06-30'), isoDate('2013-06-30+01:00'), isoDate('20180305')]).toEqual(['2013-06-30', '2013-06-30', '2018-03-05']);
    expect([isoDate('2018-02-30'), isoDate('05.03.2018'), isoDate('201803')]).toEqual([null, null, null]);
  });
});

describe('PDF reader robustness', () => {
  const xml = readFileSync(join(FIXTURES, 'akretion-facturx-factur-x-minimum.xml'));

  it('recovers when every cross-reference offset is wrong, as real readers do', () => {
    const good = facturX(xml);
    const text = good.toString('latin1').replace(/(\d{10}) 00000 n/g, (_, offset: string) => `${String(Number(offset) + 7).padStart(10, '0')} 00000 n`);
    const { invoice, source } = extractInvoice(Buffer.from(text, 'latin1'));
    expect(source.attachment).toBe('factur-x.xml');
    expect(invoice.invoiceNumber).toBe(extractInvoice(xml).invoice.invoiceNumber);
  });

  it('recovers when startxref points nowhere: the objects are found by scanning, the trailer by its keyword', () => {
    const good = facturX(xml).toString('latin1');
    const broken = good.replace(/startxref\n\d+/, 'startxref\n12');
    expect(broken).not.toBe(good);
    expect(extractInvoice(Buffer.from(broken, 'latin1')).source.attachment).toBe('factur-x.xml');
  });

  it('ends a name tree whose /Kids point back at themselves', () => {
    const pdf = buildPdf(['<< /Type /Catalog /Names << /EmbeddedFiles 2 0 R >> >>', '<< /Kids [2 0 R 3 0 R] >>', '<< /Kids [2 0 R] >>']);
    expect(failure(() => extractInvoice(pdf)).code).toBe('extraction.no_invoice_data');
  });

  it('refuses objects nested thousands deep without overflowing the stack', () => {
    const pdf = buildPdf([`<< /Type /Catalog /Names ${'['.repeat(5000)}${']'.repeat(5000)} >>`]);
    expect(failure(() => extractInvoice(pdf)).message).toMatch(/damaged or truncated: objects nested too deeply/);
  });

  it('stops a decompression bomb hidden in an object stream (the catalog compressed, a cross-reference stream)', () => {
    const bomb = deflateSync(Buffer.concat([Buffer.from('1 0 '), Buffer.alloc(48 * 1024 * 1024, 0x20)]), { level: 9 });
    expect(failure(() => extractInvoice(pdfWithCompressedCatalog(bomb))).code).toBe('extraction.limit_exceeded');
    // The same layout with an honest object stream reads fine.
    const honest = deflateSync(Buffer.from('1 0 << /Type /Catalog >>'));
    expect(failure(() => extractInvoice(pdfWithCompressedCatalog(honest))).code).toBe('extraction.no_invoice_data');
  });

  it('says so when a PDF is encrypted', () => {
    const pdf = buildPdf(['<< /Type /Catalog >>', '<< /Filter /Standard /V 2 >>'], { trailer: '/Encrypt 2 0 R' });
    expect(failure(() => extractInvoice(pdf)).message).toMatch(/encrypted/);
  });
});

describe('the worker-thread sandbox', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parseo-sandbox-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A valid UBL invoice with `lines` lines (12,000 make about 10 MB): real work for the parser. */
  function bigInvoice(lines: number): string {
    const ubl = readFileSync(join(FIXTURES, 'en16931-ubl-tc434-example1.xml'), 'utf8');
    const first = ubl.indexOf('<cac:InvoiceLine>');
    const line = ubl.slice(first, ubl.indexOf('</cac:InvoiceLine>', first) + '</cac:InvoiceLine>'.length);
    const path = join(dir, `big-${lines}.xml`);
    writeFileSync(path, ubl.replace(line, line.repeat(lines)));
    return path;
  }
  const small = join(FIXTURES, 'en16931-ubl-tc434-creditnote1.xml');

  it('terminates a file that overruns its time budget, then reads the next file on a fresh thread', async () => {
    const sandbox = new ExtractionSandbox({ timeBudgetMs: 250 });
    await expect(sandbox.run(bigInvoice(12_000))).rejects.toMatchObject({ code: 'extraction.timeout', message: expect.stringContaining('250 ms') });
    // The stopped thread is gone; a file that fits the budget gets a new one (a generous budget,
    // as a cold thread start alone can take longer than 250 ms on a busy machine).
    const generous = new ExtractionSandbox();
    expect((await generous.run(small)).invoice.documentType).toBe('credit_note');
    await Promise.all([sandbox.close(), generous.close()]);
  });

  it('stops a file that needs more memory than the heap ceiling, and replaces the thread', async () => {
    const sandbox = new ExtractionSandbox({ maxOldGenerationSizeMb: 12, timeBudgetMs: 60_000 });
    await expect(sandbox.run(bigInvoice(12_000))).rejects.toMatchObject({ code: 'extraction.limit_exceeded', message: expect.stringContaining('memory') });
    expect((await sandbox.run(small)).invoice.documentType).toBe('credit_note');
    await sandbox.close();
  });

  it('reads a dense 20 MB invoice (24,000 lines) under the default heap ceiling', { timeout: 60_000 }, async () => {
    // Memory is what is measured here; the time budget is widened so a busy machine cannot flake it.
    const sandbox = new ExtractionSandbox({ timeBudgetMs: 50_000 });
    const { invoice } = await sandbox.run(bigInvoice(24_000));
    expect(invoice.lines).toHaveLength(24_019);
    await sandbox.close();
  });

  it('reuses a warm thread: the second file costs milliseconds, not a thread start', async () => {
    const sandbox = new ExtractionSandbox();
    const pdf = join(FIXTURES, 'akretion-facturx-invoice_EN16931.pdf');
    await sandbox.run(pdf);
    const timings: number[] = [];
    for (let i = 0; i < 15; i++) {
      const started = performance.now();
      await sandbox.run(pdf);
      timings.push(performance.now() - started);
    }
    timings.sort((a, b) => a - b);
    expect(timings[7]).toBeLessThan(60);
    await sandbox.close();
  });
});

/** Catalog (object 1) inside object stream 2, located through a cross-reference stream (object 3). */
function pdfWithCompressedCatalog(objectStream: Buffer): Buffer {
  const head = Buffer.from('%PDF-1.7\n', 'latin1');
  const stream2 = Buffer.concat([Buffer.from('2 0 obj\n'), pdfStream('/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode', objectStream), Buffer.from('\nendobj\n')]);
  const offset2 = head.length;
  const offset3 = offset2 + stream2.length;
  const row = (type: number, field2: number, field3: number) => Buffer.from([type, (field2 >> 24) & 255, (field2 >> 16) & 255, (field2 >> 8) & 255, field2 & 255, field3]);
  const rows = Buffer.concat([row(0, 0, 255), row(2, 2, 0), row(1, offset2, 0), row(1, offset3, 0)]);
  const xref = Buffer.concat([Buffer.from('3 0 obj\n'), pdfStream('/Type /XRef /Size 4 /W [1 4 1] /Root 1 0 R', rows), Buffer.from('\nendobj\n')]);
  return Buffer.concat([head, stream2, xref, Buffer.from(`startxref\n${offset3}\n%%EOF\n`)]);
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { AFRelationship, PDFDocument, StandardFonts } from 'pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { embeddedFile, facturX, pdfStream, pdfWithAttachments } from './fixtures/pdf-builder.ts';
import { createTenant, partner, harness, type Harness } from './support/harness.ts';
import { uploadBytes, waitForJob, type Job } from './support/uploads.ts';

/**
 * Live uploads that must fail (hostile XML, PDFs without an invoice, broken files) or that are
 * easy to get wrong (credit notes), each through the API: the job's error code, the credit
 * refunded exactly when the job fails, and nothing of a local file ever in an answer.
 */
let h: Harness;

beforeAll(async () => {
  h = await harness();
});

const FIXTURES = join(import.meta.dirname, 'fixtures', 'einvoices');
const fixture = (name: string) => readFileSync(join(FIXTURES, name));
const credits = async (key: string) => (await partner(h.app, 'GET', '/me/credits', key)).body.credits as number;

/** Uploads one file live; answers the finished job, the tenant and the balance before and after. */
async function liveUpload(bytes: Buffer, filename: string) {
  const t = await createTenant(h.app, { plan: 'enterprise', credits: 3 });
  const started = Date.now();
  const res = await uploadBytes(h.app, t.live, bytes, { filename });
  expect(res.status, res.text).toBe(202);
  const job = await waitForJob(h.app, t.live, res.body.jobId);
  return { t, job, elapsedMs: Date.now() - started, balance: await credits(t.live) };
}

async function expectFailed(bytes: Buffer, filename: string, code: string): Promise<Job> {
  const { t, job, balance } = await liveUpload(bytes, filename);
  expect(job, JSON.stringify(job)).toMatchObject({ status: 'failed', invoiceId: null, error: { code } });
  expect(job.error!.detail).toMatch(/refunded/);
  // The reserved credit came back, and no invoice exists for the job.
  expect(balance).toBe(3);
  expect((await partner(h.app, 'GET', '/invoices', t.live, { query: { jobId: job.id } })).body.data).toEqual([]);
  return job;
}

const UBL = 'xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"';

describe('hostile XML', () => {
  it('XXE: an external entity naming /etc/passwd fails the job, and the file never shows up anywhere', async () => {
    const xml = `<?xml version="1.0"?>\n<!DOCTYPE Invoice [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n<Invoice ${UBL}><cbc:ID>&xxe;</cbc:ID><cbc:IssueDate>2026-01-15</cbc:IssueDate></Invoice>`;
    const job = await expectFailed(Buffer.from(xml), 'xxe.xml', 'extraction.invalid_document');
    expect(job.error!.detail).toMatch(/DTD|DOCTYPE/);
    const secret = readFileSync('/etc/passwd', 'utf8').split('\n')[0]!;
    expect(secret.length).toBeGreaterThan(5);
    const answered = (await partner(h.app, 'GET', `/jobs/${job.id}`, (await createTenant(h.app)).live)).text;
    for (const text of [JSON.stringify(job), answered, h.logs.join('\n')]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain('root:x:0:0');
    }
  });

  it('an entity expansion bomb ("billion laughs") fails fast', async () => {
    const entities = ['<!ENTITY lol0 "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`)];
    const xml = `<?xml version="1.0"?>\n<!DOCTYPE Invoice [ ${entities.join(' ')} ]>\n<Invoice ${UBL}><cbc:ID>&lol9;</cbc:ID></Invoice>`;
    const started = Date.now();
    const job = await expectFailed(Buffer.from(xml), 'lol.xml', 'extraction.invalid_document');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(Date.parse(job.completedAt!) - Date.parse(job.createdAt)).toBeLessThan(1500);
  });

  it('XXE in the XML embedded in a Factur-X PDF is refused the same way', async () => {
    const xml = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">&x;</rsm:CrossIndustryInvoice>`;
    const job = await expectFailed(facturX(Buffer.from(xml)), 'xxe.pdf', 'extraction.invalid_document');
    expect(job.error!.detail).not.toContain('root:x:0:0');
  });
});

describe('files that hold no e-invoice', () => {
  it('a plain text PDF: no_invoice_data', async () => {
    const doc = await PDFDocument.create();
    const page = doc.addPage();
    page.drawText('Invoice 2026-001, total 119.00 EUR', { font: await doc.embedFont(StandardFonts.Helvetica), x: 50, y: 700 });
    const job = await expectFailed(Buffer.from(await doc.save()), 'plain.pdf', 'extraction.no_invoice_data');
    expect(job.error!.detail).toMatch(/no embedded files/);
  });

  it('an image-only (scanned) PDF: no_invoice_data', async () => {
    const doc = await PDFDocument.create();
    const image = await doc.embedPng(tinyPng());
    doc.addPage().drawImage(image, { x: 0, y: 0, width: 595, height: 842 });
    await expectFailed(Buffer.from(await doc.save()), 'scan.pdf', 'extraction.no_invoice_data');
  });

  it('a PDF whose only attachment is not XML: no_invoice_data, naming what it found', async () => {
    const pdf = pdfWithAttachments([{ name: 'terms.txt', stream: embeddedFile(Buffer.from('Payable in 30 days.'), '/text#2Fplain') }]);
    const job = await expectFailed(pdf, 'terms.pdf', 'extraction.no_invoice_data');
    expect(job.error!.detail).toContain('terms.txt');
  });

  it('a PDF whose factur-x.xml is not an invoice: unsupported_format', async () => {
    const order = `<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"><ID>1</ID></Order>`;
    const job = await expectFailed(facturX(Buffer.from(order)), 'order.pdf', 'extraction.unsupported_format');
    expect(job.error!.detail).toContain('Order');
  });

  it('a truncated PDF: invalid_document', async () => {
    const whole = fixture('akretion-facturx-invoice_EN16931.pdf');
    const job = await expectFailed(whole.subarray(0, Math.floor(whole.length / 2)), 'truncated.pdf', 'extraction.invalid_document');
    expect(job.error!.detail).toMatch(/truncated/);
  });

  it('XML with the wrong root (a UBL Order): unsupported_format, naming the root', async () => {
    const xml = `<?xml version="1.0"?><Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"><cbc:ID>PO-1</cbc:ID></Order>`;
    const job = await expectFailed(Buffer.from(xml), 'order.xml', 'extraction.unsupported_format');
    expect(job.error!.detail).toContain('<Order> in namespace urn:oasis:names:specification:ubl:schema:xsd:Order-2');
  });

  it('an Invoice root in no e-invoice namespace is not taken for UBL', async () => {
    await expectFailed(Buffer.from('<Invoice><ID>1</ID></Invoice>'), 'invoice.xml', 'extraction.unsupported_format');
  });

  it('unrelated XML: unsupported_format', async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>';
    await expectFailed(Buffer.from(svg), 'logo.svg', 'extraction.unsupported_format');
  });

  it('a truncated e-invoice XML: invalid_document', async () => {
    const whole = fixture('en16931-ubl-tc434-example1.xml');
    await expectFailed(whole.subarray(0, Math.floor(whole.length * 0.6)), 'cut.xml', 'extraction.invalid_document');
  });
});

describe('limits', () => {
  it('a decompression bomb in a PDF attachment stops at the inflate limit: limit_exceeded, fast', async () => {
    // 64 MiB of zeros deflate to 64 KiB: twice what one stream may inflate to.
    const bomb = pdfStream('/Type /EmbeddedFile /Filter /FlateDecode', deflateSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 }));
    const started = Date.now();
    const job = await expectFailed(pdfWithAttachments([{ name: 'factur-x.xml', stream: bomb }]), 'bomb.pdf', 'extraction.limit_exceeded');
    expect(job.error!.detail).toMatch(/inflates to more than/);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('documents that complete', () => {
  it('a UBL CreditNote is a credit note; its credit is charged exactly once', async () => {
    const { t, job, balance } = await liveUpload(fixture('en16931-ubl-tc434-creditnote1.xml'), 'credit-note.xml');
    expect(job).toMatchObject({ status: 'completed', error: null });
    const invoice = (await partner(h.app, 'GET', `/invoices/${job.invoiceId}`, t.live)).body;
    expect(invoice.documentType).toBe('credit_note');
    expect(invoice.extraction).toEqual({ method: 'structured', format: 'ubl', profile: 'urn:cen.eu:en16931:2017' });
    expect(balance).toBe(2);
    // Reading it again later changes nothing: the charge is final.
    await waitForJob(h.app, t.live, job.id);
    expect(await credits(t.live)).toBe(2);
  });

  it('totals that do not add up are kept as written and reported as warnings, never corrected', async () => {
    const original = fixture('en16931-ubl-tc434-example1.xml').toString('utf8');
    const tampered = original.replace('<cbc:TaxExclusiveAmount currencyID="EUR">229.60<', '<cbc:TaxExclusiveAmount currencyID="EUR">229.70<');
    expect(tampered).not.toBe(original);
    const { t, job, balance } = await liveUpload(Buffer.from(tampered), 'tampered.xml');
    expect(job.status).toBe('completed');
    const invoice = (await partner(h.app, 'GET', `/invoices/${job.invoiceId}`, t.live)).body;
    expect(invoice.totals).toEqual({ net: '229.70', tax: '20.73', gross: '250.33', due: '250.33' });
    expect(invoice.warnings.map((w: { code: string }) => w.code).sort()).toEqual(['totals.gross_mismatch', 'totals.lines_mismatch']);
    expect(invoice.warnings.find((w: { code: string }) => w.code === 'totals.lines_mismatch').message).toContain('229.60');
    expect(balance).toBe(2);
  });

  it('Factur-X written by another producer (pdf-lib: object and cross-reference streams) reads like the XML it embeds', async () => {
    const xml = fixture('en16931-CII_example5.xml');
    const doc = await PDFDocument.create();
    doc.addPage().drawText('Invoice TOSL110', { x: 50, y: 700 });
    await doc.attach(Buffer.from('not the invoice'), 'readme.txt', { mimeType: 'text/plain' });
    await doc.attach(xml, 'factur-x.xml', { mimeType: 'text/xml', afRelationship: AFRelationship.Alternative });
    const pdf = Buffer.from(await doc.save({ useObjectStreams: true }));
    expect(pdf.includes('/ObjStm')).toBe(true);

    const fromPdf = await liveUpload(pdf, 'tosl110.pdf');
    const fromXml = await liveUpload(xml, 'tosl110.xml');
    const read = async (r: typeof fromPdf) => (await partner(h.app, 'GET', `/invoices/${r.job.invoiceId}`, r.t.live)).body;
    const [a, b] = [await read(fromPdf), await read(fromXml)];
    expect(a.extraction.format).toBe('facturx');
    expect(b.extraction.format).toBe('cii');
    const content = (i: any) => ({ ...i, id: undefined, jobId: undefined, file: undefined, createdAt: undefined, updatedAt: undefined, extraction: { ...i.extraction, format: undefined } });
    expect(content(a)).toEqual(content(b));
    expect(a.lines.length).toBeGreaterThan(0);
  });
});

/** A 1×1 PNG, built here so no binary fixture is needed. */
function tinyPng(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const header = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.from([0, 200, 30, 30]))), chunk('IEND', Buffer.alloc(0))]);
}

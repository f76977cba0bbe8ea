import { ExtractionError } from '../types.ts';
import { requireInvoiceSyntax, type Syntax } from './detect.ts';
import { DecodeLimitError, UnsupportedFilterError } from './pdf/filters.ts';
import { listAttachments, type Attachment } from './pdf/attachments.ts';
import { PdfDocument } from './pdf/document.ts';
import { PdfSyntaxError } from './pdf/objects.ts';
import { parseXml } from './xml.ts';
import type { XmlElement } from './xml-element.ts';

/** The names the Factur-X / ZUGFeRD generations give the invoice XML, compared case-insensitively. */
const INVOICE_ATTACHMENT_NAMES = ['factur-x.xml', 'zugferd-invoice.xml', 'xrechnung.xml'];

export type EmbeddedInvoice = { root: XmlElement; syntax: Syntax; attachment: string };

/**
 * The e-invoice XML embedded in a Factur-X / ZUGFeRD PDF. Candidates are chosen by name (the
 * standard names first, then any *.xml), never by position, /AFRelationship or MIME type: real
 * files put a delivery note first, mark the invoice /Unspecified, or call it octet-stream.
 */
export function embeddedInvoice(bytes: Buffer): EmbeddedInvoice {
  return readingPdf(() => {
    const doc = new PdfDocument(bytes);
    if (doc.trailer.get('Encrypt')) {
      throw new ExtractionError('extraction.unsupported_format', 'The PDF is encrypted, so its attachments cannot be read (PDF/A, and so Factur-X, forbids encryption).');
    }
    const attachments = listAttachments(doc);
    const candidates = rank(attachments);
    if (candidates.length === 0) {
      const what =
        attachments.length === 0
          ? 'The PDF has no embedded files'
          : `The PDF's embedded files (${attachments.map((a) => quote(a.name)).join(', ')}) include no XML`;
      throw new ExtractionError('extraction.no_invoice_data', `${what}, so it carries no machine-readable invoice (Factur-X / ZUGFeRD embed factur-x.xml, zugferd-invoice.xml or xrechnung.xml).`);
    }
    let firstFailure: unknown;
    for (const candidate of candidates) {
      try {
        if (!candidate.stream) throw new ExtractionError('extraction.invalid_document', `The PDF lists ${quote(candidate.name)} but holds no data for it.`);
        const root = parseXml(doc.decode(candidate.stream));
        return { root, syntax: requireInvoiceSyntax(root, `The PDF's attachment ${quote(candidate.name)}`), attachment: candidate.name };
      } catch (err) {
        firstFailure ??= err;
      }
    }
    throw firstFailure;
  });
}

function rank(attachments: Attachment[]): Attachment[] {
  const base = (a: Attachment) => a.name.split(/[\\/]/).pop()!.toLowerCase();
  const standard = attachments.filter((a) => INVOICE_ATTACHMENT_NAMES.includes(base(a)));
  const otherXml = attachments.filter((a) => base(a).endsWith('.xml') && !standard.includes(a));
  return [...standard, ...otherXml];
}

const quote = (name: string) => JSON.stringify(name.length > 80 ? `${name.slice(0, 77)}...` : name);

/** Turns the PDF reader's own failures into job error codes. */
function readingPdf<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof DecodeLimitError) throw new ExtractionError('extraction.limit_exceeded', `The PDF was not read: ${err.message} (a decompression bomb, or simply too big).`);
    if (err instanceof UnsupportedFilterError) throw new ExtractionError('extraction.unsupported_format', `The PDF was not read: ${err.message}.`);
    if (err instanceof PdfSyntaxError) throw new ExtractionError('extraction.invalid_document', `The PDF is damaged or truncated: ${err.message}.`);
    throw err;
  }
}

import type { ExtractedInvoice } from '../types.ts';
import { mapCii } from './cii.ts';
import { containerOf, requireInvoiceSyntax, type Container, type Syntax } from './detect.ts';
import { embeddedInvoice } from './pdf-attachments.ts';
import { mapUbl } from './ubl.ts';
import { parseXml } from './xml.ts';

/** Where the invoice was read from, for logs and tests; the partner sees `extraction` only. */
export type ExtractionSource = { container: Container; syntax: Syntax; rootElement: string; namespace: string | null; attachment: string | null };
export type Extraction = { invoice: ExtractedInvoice; source: ExtractionSource };

/**
 * Reads an e-invoice from the bytes of an uploaded file: UBL or CII XML as it is, or the XML
 * embedded in a Factur-X / ZUGFeRD PDF. Synchronous and pure, so it can run in a worker thread
 * under a time and memory budget (see sandbox.ts); throws ExtractionError with a job code.
 */
export function extractInvoice(bytes: Buffer): Extraction {
  const container = containerOf(bytes);
  const { root, syntax, attachment } = container === 'pdf' ? embeddedInvoice(bytes) : xmlInvoice(bytes);
  const format = container === 'pdf' ? 'facturx' : syntax;
  const invoice = syntax === 'ubl' ? mapUbl(root, format) : mapCii(root, format);
  return { invoice, source: { container, syntax, rootElement: root.name, namespace: root.namespace, attachment } };
}

function xmlInvoice(bytes: Buffer) {
  const root = parseXml(bytes);
  return { root, syntax: requireInvoiceSyntax(root, 'The XML document'), attachment: null };
}

import { ExtractionError } from '../types.ts';
import type { XmlElement } from './xml-element.ts';

export type Container = 'pdf' | 'xml';
export type Syntax = 'ubl' | 'cii';

/**
 * XML when the bytes open with markup (after a byte-order mark and white space), else PDF by its
 * header, which readers accept anywhere in the first 1024 bytes; anything else is read as XML and
 * fails there.
 */
export function containerOf(bytes: Uint8Array): Container {
  const head = Buffer.from(bytes.subarray(0, 1024));
  const text = head.toString('latin1').replace(/^(\xef\xbb\xbf|\xfe\xff|\xff\xfe)/, '').replace(/\0/g, '').trimStart();
  if (text.startsWith('<')) return 'xml';
  return head.includes('%PDF-') ? 'pdf' : 'xml';
}

/** The e-invoice roots Parseo reads, by local name and namespace (never by prefix). */
const invoiceRoots: { name: string; namespace: string; syntax: Syntax }[] = [
  { name: 'Invoice', namespace: 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2', syntax: 'ubl' },
  { name: 'CreditNote', namespace: 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2', syntax: 'ubl' },
  { name: 'CrossIndustryInvoice', namespace: 'urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100', syntax: 'cii' },
  // ZUGFeRD 1.0: same data model, older wrapper names (see cii.ts).
  { name: 'CrossIndustryDocument', namespace: 'urn:ferd:CrossIndustryDocument:invoice:1p0', syntax: 'cii' },
];

export function syntaxOf(root: XmlElement): Syntax | null {
  return invoiceRoots.find((r) => r.name === root.name && r.namespace === root.namespace)?.syntax ?? null;
}

/** The syntax of an e-invoice root, or an `unsupported_format` failure naming what was found. */
export function requireInvoiceSyntax(root: XmlElement, where: string): Syntax {
  const syntax = syntaxOf(root);
  if (syntax) return syntax;
  const found = `<${clip(root.name)}>${root.namespace ? ` in namespace ${clip(root.namespace)}` : ' without a namespace'}`;
  throw new ExtractionError(
    'extraction.unsupported_format',
    `${where} is ${found}, which is not an e-invoice Parseo reads (UBL 2.1 Invoice or CreditNote, UN/CEFACT CII CrossIndustryInvoice, ZUGFeRD 1.0 CrossIndustryDocument).`,
  );
}

const clip = (text: string) => (text.length > 100 ? `${text.slice(0, 97)}...` : text);

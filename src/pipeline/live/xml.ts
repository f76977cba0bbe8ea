import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ExtractionError } from '../types.ts';
import { limits } from './limits.ts';
import { XmlElement } from './xml-element.ts';

/**
 * Untrusted XML in, an element tree out, with nothing resolved from outside the bytes:
 * a document declaring a DTD or an entity is refused before the parser sees it, so there is no
 * external entity to fetch and no entity to expand. Values stay strings (no number parsing), so
 * "229.60" is still "229.60" when it reaches the invoice.
 */
export function parseXml(bytes: Uint8Array): XmlElement {
  if (bytes.length > limits.maxXmlBytes) {
    throw new ExtractionError('extraction.limit_exceeded', `The XML is ${bytes.length} bytes; at most ${limits.maxXmlBytes} are read.`);
  }
  // White space before the XML declaration is not well-formed, but harmless: tolerated.
  const text = decodeXmlText(bytes).trimStart();
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) {
    throw new ExtractionError(
      'extraction.invalid_document',
      'The XML declares a DTD or entities (<!DOCTYPE>/<!ENTITY>). E-invoices never need one, and they are refused so that no external entity is fetched and no entity is expanded.',
    );
  }
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) {
    throw new ExtractionError('extraction.invalid_document', `The XML is not well-formed (line ${valid.err.line}, column ${valid.err.col}): ${clip(valid.err.msg)}`);
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = parser.parse(text) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof ExtractionError) throw err;
    throw new ExtractionError('extraction.invalid_document', `The XML could not be read: ${clip(err instanceof Error ? err.message : String(err))}`);
  }
  const roots = Object.entries(parsed).flatMap(([name, nodes]) => (Array.isArray(nodes) ? nodes.map((node) => [name, node] as const) : []));
  if (roots.length !== 1) throw new ExtractionError('extraction.invalid_document', `The XML has ${roots.length} root elements; a document has exactly one.`);
  const [name, node] = roots[0]!;
  return new XmlElement(name, node as string | Record<string, unknown>);
}

const clip = (message: string) => (message.length > 160 ? `${message.slice(0, 157)}...` : message);

/** The text of the bytes: a BOM first, then the XML declaration's encoding, else UTF-8. */
function decodeXmlText(bytes: Uint8Array): string {
  let label = 'utf-8';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) label = 'utf-16be';
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) label = 'utf-16le';
  else if (!(bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)) {
    const head = Buffer.from(bytes.subarray(0, 256)).toString('latin1');
    const declared = /^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head);
    if (declared) label = declared[1]!.toLowerCase();
  }
  try {
    // fatal: a byte sequence that is not valid in the encoding is an error, not a U+FFFD.
    return new TextDecoder(label, { fatal: true }).decode(bytes);
  } catch (err) {
    const reason = err instanceof RangeError ? `the encoding "${clip(label)}" is not supported` : `it is not valid ${label}`;
    throw new ExtractionError('extraction.invalid_document', `The XML text could not be decoded: ${reason}.`);
  }
}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const REFERENCE = /&(#x[0-9A-Fa-f]{1,8}|#[0-9]{1,9}|[A-Za-z_][\w.-]*);/g;

function characterReference(_match: string, ref: string): string {
  if (ref.startsWith('#')) {
    const code = ref[1] === 'x' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
    const allowed = code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0x10ffff && code !== 0xfffe && code !== 0xffff);
    if (!allowed) throw new ExtractionError('extraction.invalid_document', `The XML contains a character reference to a character XML does not allow (&${clip(ref)};).`);
    return String.fromCodePoint(code);
  }
  const value = PREDEFINED[ref];
  if (value === undefined) throw new ExtractionError('extraction.invalid_document', `The XML refers to an undeclared entity (&${clip(ref)};).`);
  return value;
}

/**
 * The only references an XML document without a DTD may contain: the five predefined entities
 * and character references. Entities from a DTD are refused here too, as a second line behind
 * the <!DOCTYPE> check above.
 */
const xmlReferences = {
  decode: (text: string) => (text.includes('&') ? text.replace(REFERENCE, characterReference) : text),
  addInputEntities: (entities: Record<string, string>) => {
    if (Object.keys(entities).length > 0) throw new ExtractionError('extraction.invalid_document', 'The XML declares entities; they are refused.');
  },
  setExternalEntities: () => {
    throw new Error('external entities are never configured');
  },
  reset: () => {},
  setXmlVersion: () => {},
};

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  entityDecoder: xmlReferences,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: false,
  cdataPropName: false,
  allowBooleanAttributes: false,
  maxNestedTags: limits.maxXmlDepth,
  // Every element is a list, so a repeated element never turns an object into an array.
  isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
});

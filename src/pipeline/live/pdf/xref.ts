import { limits } from '../limits.ts';
import { PdfDict, PdfName, PdfParser, PdfStream, PdfSyntaxError, type PdfValue } from './objects.ts';

export type XrefEntry = { kind: 'offset'; offset: number } | { kind: 'compressed'; stream: number; index: number };
export type Xref = { entries: Map<number, XrefEntry>; trailer: PdfDict };

type Decode = (stream: PdfStream) => Buffer;
type Resolve = (value: PdfValue | undefined) => PdfValue;

/** Offset of the last cross-reference section, from `startxref` near the end of the file. */
export function startXref(bytes: Buffer): number | null {
  const at = bytes.lastIndexOf('startxref', bytes.length, 'latin1');
  if (at === -1) return null;
  const parser = new PdfParser(bytes, at + 'startxref'.length);
  try {
    const offset = parser.integer();
    return offset < bytes.length ? offset : null;
  } catch {
    return null;
  }
}

/**
 * Every cross-reference section from the newest back through /Prev (incremental updates), tables
 * and streams alike (and /XRefStm in hybrid files). The newest entry for an object wins.
 */
export function readXref(bytes: Buffer, first: number, decode: Decode, resolve: Resolve): Xref {
  const entries = new Map<number, XrefEntry>();
  const trailer = new Map<string, PdfValue>();
  const pending = [first];
  const seen = new Set<number>();
  while (pending.length > 0) {
    const offset = pending.shift()!;
    if (seen.has(offset)) continue;
    if (seen.size >= limits.maxXrefSections) throw new PdfSyntaxError('too many cross-reference sections');
    seen.add(offset);
    const parser = new PdfParser(bytes, offset);
    const section = parser.startsWith('xref') ? readTable(parser) : readStream(parser, decode, resolve);
    for (const [num, entry] of section.entries) if (!entries.has(num)) entries.set(num, entry);
    for (const [key, value] of section.trailer.entries) if (!trailer.has(key)) trailer.set(key, value);
    const hybrid = section.trailer.get('XRefStm');
    if (typeof hybrid === 'number') pending.unshift(hybrid);
    const prev = section.trailer.get('Prev');
    if (typeof prev === 'number') pending.push(prev);
  }
  trailer.delete('Prev');
  trailer.delete('XRefStm');
  return { entries, trailer: new PdfDict(trailer) };
}

function readTable(parser: PdfParser): Xref {
  parser.pos += 'xref'.length;
  const entries = new Map<number, XrefEntry>();
  while (!parser.startsWith('trailer')) {
    const start = parser.integer();
    const count = parser.integer();
    for (let i = 0; i < count; i++) {
      const offset = parser.integer();
      parser.integer();
      const type = parser.token();
      if (type !== 'n' && type !== 'f') throw new PdfSyntaxError('bad cross-reference entry');
      if (type === 'n' && offset > 0) entries.set(start + i, { kind: 'offset', offset });
    }
  }
  parser.pos += 'trailer'.length;
  const trailer = parser.value();
  if (!(trailer instanceof PdfDict)) throw new PdfSyntaxError('trailer is not a dictionary');
  return { entries, trailer };
}

function readStream(parser: PdfParser, decode: Decode, resolve: Resolve): Xref {
  const { value } = parser.indirectObject((v) => (typeof v === 'number' ? v : null));
  if (!(value instanceof PdfStream) || !(value.dict.get('Type') instanceof PdfName) || (value.dict.get('Type') as PdfName).value !== 'XRef') {
    throw new PdfSyntaxError('startxref points to neither a table nor a cross-reference stream');
  }
  const widths = resolve(value.dict.get('W'));
  const size = resolve(value.dict.get('Size'));
  const index = resolve(value.dict.get('Index')) ?? [0, size];
  if (!Array.isArray(widths) || widths.length < 3 || !widths.every((w) => typeof w === 'number' && w >= 0 && w <= 8)) throw new PdfSyntaxError('bad /W');
  if (!Array.isArray(index) || !index.every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0)) throw new PdfSyntaxError('bad /Index');
  const [w1, w2, w3] = widths as [number, number, number];
  const data = decode(value);
  const rowBytes = w1 + w2 + w3;
  if (rowBytes === 0) throw new PdfSyntaxError('bad /W');
  const entries = new Map<number, XrefEntry>();
  let pos = 0;
  for (let s = 0; s + 1 < index.length; s += 2) {
    const start = index[s] as number;
    const count = index[s + 1] as number;
    for (let i = 0; i < count && pos + rowBytes <= data.length; i++, pos += rowBytes) {
      const type = w1 === 0 ? 1 : field(data, pos, w1);
      const a = field(data, pos + w1, w2);
      const b = field(data, pos + w1 + w2, w3);
      if (type === 1 && a > 0) entries.set(start + i, { kind: 'offset', offset: a });
      else if (type === 2) entries.set(start + i, { kind: 'compressed', stream: a, index: b });
    }
  }
  return { entries, trailer: value.dict };
}

function field(data: Buffer, pos: number, width: number): number {
  let n = 0;
  for (let i = 0; i < width; i++) n = n * 256 + data[pos + i]!;
  return n;
}

/**
 * The repair path every PDF reader has: when the cross-reference data is wrong, find the objects
 * by scanning for `N G obj`. A later definition of the same number wins, as an update would.
 */
export function scanObjects(bytes: Buffer): Map<number, number> {
  const text = bytes.toString('latin1');
  const found = new Map<number, number>();
  const pattern = /(?<![\d])(\d{1,10})[ \t\r\n\f\0]+(\d{1,5})[ \t\r\n\f\0]+obj\b/g;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) found.set(Number(m[1]), m.index);
  return found;
}

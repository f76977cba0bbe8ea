import { limits } from '../limits.ts';
import type { PdfDocument } from './document.ts';
import { PdfDict, PdfStream, PdfString, PdfSyntaxError, type PdfValue } from './objects.ts';

export type Attachment = { name: string; stream: PdfStream | null };

/**
 * The document's embedded files: the catalog's /Names → /EmbeddedFiles name tree (flat /Names
 * or nested /Kids) and its /AF array (PDF/A-3 associated files), without duplicates. Order is
 * the name tree's, then /AF's; callers choose by name, never by position.
 */
export function listAttachments(doc: PdfDocument): Attachment[] {
  const catalog = doc.dict(doc.trailer.get('Root'));
  if (!catalog) throw new PdfSyntaxError('the trailer names no document catalog');
  const filespecs: { key: string | null; spec: PdfDict }[] = [];
  const tree = doc.dict(doc.dict(catalog.get('Names'))?.get('EmbeddedFiles'));
  if (tree) walkNameTree(doc, tree, filespecs);
  const associated = doc.resolve(catalog.get('AF'));
  if (Array.isArray(associated)) {
    for (const item of associated.slice(0, limits.maxAttachments)) {
      const spec = doc.dict(item);
      if (spec) filespecs.push({ key: null, spec });
    }
  }
  const seen = new Set<PdfDict>();
  const attachments: Attachment[] = [];
  for (const { key, spec } of filespecs) {
    if (seen.has(spec)) continue;
    seen.add(spec);
    const name = textOf(doc.resolve(spec.get('UF'))) ?? textOf(doc.resolve(spec.get('F'))) ?? key ?? '';
    const files = doc.dict(spec.get('EF'));
    const stream = doc.resolve(files?.get('UF') ?? files?.get('F'));
    attachments.push({ name, stream: stream instanceof PdfStream ? stream : null });
    if (attachments.length >= limits.maxAttachments) break;
  }
  return attachments;
}

function walkNameTree(doc: PdfDocument, root: PdfDict, out: { key: string | null; spec: PdfDict }[]): void {
  const pending = [root];
  const visited = new Set<PdfDict>();
  while (pending.length > 0 && out.length < limits.maxAttachments) {
    const node = pending.shift()!;
    if (visited.has(node)) continue;
    if (visited.size >= limits.maxNameTreeNodes) throw new PdfSyntaxError('the embedded-files name tree is too large');
    visited.add(node);
    const names = doc.resolve(node.get('Names'));
    if (Array.isArray(names)) {
      for (let i = 0; i + 1 < names.length; i += 2) {
        const spec = doc.dict(names[i + 1]);
        if (spec) out.push({ key: textOf(doc.resolve(names[i])), spec });
      }
    }
    const kids = doc.resolve(node.get('Kids'));
    if (Array.isArray(kids)) {
      for (const kid of kids) {
        const child = doc.dict(kid);
        if (child) pending.push(child);
      }
    }
  }
}

/** A PDF text string: UTF-16BE or UTF-8 with their byte-order marks, else PDFDocEncoding (≈ Latin-1). */
export function textOf(value: PdfValue): string | null {
  if (!(value instanceof PdfString)) return null;
  const b = value.bytes;
  let text: string;
  if (b[0] === 0xfe && b[1] === 0xff) text = Buffer.from(b.subarray(2, 2 + ((b.length - 2) & ~1))).swap16().toString('utf16le');
  else if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) text = b.subarray(3).toString('utf8');
  else text = b.toString('latin1');
  return text.replace(/\0+$/, '');
}

import { limits } from '../limits.ts';
import { DecodeBudget, decodeStream } from './filters.ts';
import { PdfDict, PdfName, PdfParser, PdfRef, PdfStream, PdfSyntaxError, type PdfValue } from './objects.ts';
import { readXref, scanObjects, startXref, type XrefEntry } from './xref.ts';

type ObjectStream = { data: Buffer; offsets: Map<number, number> };

/**
 * A PDF's object graph, read lazily: only the objects a caller follows are parsed, and only the
 * object streams holding them are inflated. Finding an attachment touches a handful of objects
 * whatever the size of the file.
 */
export class PdfDocument {
  readonly bytes: Buffer;
  readonly trailer: PdfDict;
  #entries = new Map<number, XrefEntry>();
  readonly #budget = new DecodeBudget();
  readonly #cache = new Map<number, PdfValue>();
  readonly #objectStreams = new Map<number, ObjectStream>();
  readonly #inProgress = new Set<number>();
  #scanned: Map<number, number> | undefined;
  #loaded = 0;

  constructor(bytes: Buffer) {
    this.bytes = bytes;
    const first = startXref(bytes);
    if (first === null) throw new PdfSyntaxError('no startxref: the file is truncated or not a complete PDF');
    let xref;
    try {
      xref = readXref(bytes, first, (s) => this.decode(s), (v) => this.resolve(v));
    } catch (err) {
      if (!(err instanceof PdfSyntaxError)) throw err;
      xref = { entries: new Map<number, XrefEntry>(), trailer: this.#recoverTrailer() };
    }
    this.#entries = xref.entries;
    this.trailer = xref.trailer;
  }

  /** Follows references (a chain of them, too) to the value they point at. */
  resolve(value: PdfValue | undefined): PdfValue {
    let v = value ?? null;
    for (let hops = 0; v instanceof PdfRef; hops++) {
      if (hops > 16) throw new PdfSyntaxError('a chain of references that never ends');
      v = this.object(v.num);
    }
    return v;
  }

  dict(value: PdfValue | undefined): PdfDict | null {
    const v = this.resolve(value);
    if (v instanceof PdfDict) return v;
    return v instanceof PdfStream ? v.dict : null;
  }

  decode(stream: PdfStream): Buffer {
    return decodeStream(stream, (v) => this.resolve(v), this.#budget);
  }

  object(num: number): PdfValue {
    if (this.#cache.has(num)) return this.#cache.get(num)!;
    // A stream whose /Length refers to itself would otherwise recurse for ever.
    if (this.#inProgress.has(num)) return null;
    if (++this.#loaded > limits.maxPdfObjects) throw new PdfSyntaxError(`more than ${limits.maxPdfObjects} objects followed`);
    this.#inProgress.add(num);
    try {
      const value = this.#load(num);
      this.#cache.set(num, value);
      return value;
    } finally {
      this.#inProgress.delete(num);
    }
  }

  #load(num: number): PdfValue {
    const entry = this.#entries.get(num);
    if (entry?.kind === 'compressed') return this.#fromObjectStream(num, entry.stream);
    let damage: PdfSyntaxError | undefined;
    if (entry?.kind === 'offset') {
      const parsed = this.#parseAt(entry.offset, num);
      if (!(parsed instanceof PdfSyntaxError)) return parsed.value;
      damage = parsed;
    }
    // Missing from the cross-reference data, or the offset is wrong: look where the object really is.
    const offset = this.#scan().get(num);
    if (offset !== undefined && offset !== (entry as { offset?: number } | undefined)?.offset) {
      const parsed = this.#parseAt(offset, num);
      if (!(parsed instanceof PdfSyntaxError)) return parsed.value;
      damage = parsed;
    }
    const compressed = this.#fromScannedObjectStreams(num);
    if (compressed === null && damage) throw damage;
    return compressed;
  }

  /** The object at an offset, or why there is none (a wrong offset, or a damaged object). */
  #parseAt(offset: number, num: number): { value: PdfValue } | PdfSyntaxError {
    try {
      const parsed = new PdfParser(this.bytes, offset).indirectObject((v) => {
        const length = this.resolve(v);
        return typeof length === 'number' ? length : null;
      });
      return parsed.num === num ? { value: parsed.value } : new PdfSyntaxError(`object ${num} is not where the cross-reference table says`);
    } catch (err) {
      if (err instanceof PdfSyntaxError) return err;
      throw err;
    }
  }

  #fromObjectStream(num: number, streamNum: number): PdfValue {
    const stream = this.#objectStream(streamNum);
    const offset = stream?.offsets.get(num);
    if (stream === null || offset === undefined) return null;
    return new PdfParser(stream.data, offset).value();
  }

  #objectStream(num: number): ObjectStream | null {
    const cached = this.#objectStreams.get(num);
    if (cached) return cached;
    const stream = this.resolve(new PdfRef(num, 0));
    if (!(stream instanceof PdfStream)) return null;
    const type = stream.dict.get('Type');
    const count = this.resolve(stream.dict.get('N'));
    const first = this.resolve(stream.dict.get('First'));
    if (!(type instanceof PdfName) || type.value !== 'ObjStm' || typeof count !== 'number' || typeof first !== 'number') return null;
    const data = this.decode(stream);
    const header = new PdfParser(data.subarray(0, Math.min(first, data.length)));
    const offsets = new Map<number, number>();
    for (let i = 0; i < count && i < limits.maxPdfObjects; i++) {
      const objectNum = header.integer();
      const offset = header.integer();
      if (!offsets.has(objectNum)) offsets.set(objectNum, first + offset);
    }
    const result = { data, offsets };
    this.#objectStreams.set(num, result);
    return result;
  }

  /** Repair: the object is in some object stream the broken cross-reference data did not list. */
  #fromScannedObjectStreams(num: number): PdfValue {
    for (const candidate of this.#scan().keys()) {
      if (!this.#mayBeObjectStream(candidate)) continue;
      const stream = this.#objectStream(candidate);
      if (stream?.offsets.has(num)) return this.#fromObjectStream(num, candidate);
    }
    return null;
  }

  #mayBeObjectStream(num: number): boolean {
    const offset = this.#scan().get(num)!;
    return this.bytes.toString('latin1', offset, offset + 512).includes('/ObjStm');
  }

  #scan(): Map<number, number> {
    this.#scanned ??= scanObjects(this.bytes);
    return this.#scanned;
  }

  /** No usable cross-reference data: take the last `trailer`, else any dictionary naming a /Root. */
  #recoverTrailer(): PdfDict {
    const at = this.bytes.lastIndexOf('trailer', this.bytes.length, 'latin1');
    if (at !== -1) {
      try {
        const trailer = new PdfParser(this.bytes, at + 'trailer'.length).value();
        if (trailer instanceof PdfDict && trailer.get('Root')) return trailer;
      } catch (err) {
        if (!(err instanceof PdfSyntaxError)) throw err;
      }
    }
    for (const [num, offset] of [...this.#scan()].reverse()) {
      const window = this.bytes.toString('latin1', offset, offset + 1024);
      if (!/\/Root\b/.test(window) && !/\/Type\s*\/Catalog\b/.test(window)) continue;
      const parsed = this.#parseAt(offset, num);
      const value = parsed instanceof PdfSyntaxError ? null : parsed.value;
      const dict = value instanceof PdfStream ? value.dict : value;
      if (dict instanceof PdfDict && dict.get('Root')) return dict;
      if (dict instanceof PdfDict && (dict.get('Type') as PdfName | undefined)?.value === 'Catalog') return new PdfDict(new Map([['Root', new PdfRef(num, 0)]]));
    }
    throw new PdfSyntaxError('no trailer and no document catalog: the file is damaged');
  }
}

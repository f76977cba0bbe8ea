import { limits } from '../limits.ts';

/**
 * PDF's object syntax (ISO 32000 §7.3), read from untrusted bytes: every loop is bounded by the
 * input, nesting by `limits.maxPdfDepth`, and anything unexpected is a PdfSyntaxError.
 */
export class PdfName {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
}

export class PdfRef {
  readonly num: number;
  readonly gen: number;
  constructor(num: number, gen: number) {
    this.num = num;
    this.gen = gen;
  }
}

export class PdfString {
  readonly bytes: Buffer;
  constructor(bytes: Buffer) {
    this.bytes = bytes;
  }
}

export class PdfDict {
  readonly entries: Map<string, PdfValue>;
  constructor(entries: Map<string, PdfValue>) {
    this.entries = entries;
  }
  get(key: string): PdfValue | undefined {
    return this.entries.get(key);
  }
}

export class PdfStream {
  readonly dict: PdfDict;
  /** The bytes between `stream` and `endstream`, still encoded. */
  readonly raw: Buffer;
  constructor(dict: PdfDict, raw: Buffer) {
    this.dict = dict;
    this.raw = raw;
  }
}

export type PdfValue = null | boolean | number | PdfName | PdfRef | PdfString | PdfDict | PdfStream | PdfValue[];

export class PdfSyntaxError extends Error {}

const isSpace = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0c || c === 0x00;
const isDelimiter = (c: number | undefined) => c === 0x28 || c === 0x29 || c === 0x3c || c === 0x3e || c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d || c === 0x2f || c === 0x25;
const INTEGER = /^\d+$/;
/** \n \r \t \b \f \( \) \\ in a literal string. */
const SIMPLE_ESCAPES: Record<number, number> = { 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x62: 0x08, 0x66: 0x0c, 0x28: 0x28, 0x29: 0x29, 0x5c: 0x5c };
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)$/;

/** Resolves an indirect /Length while a stream is read (the document knows how). */
export type LengthResolver = (value: PdfValue | undefined) => number | null;

export class PdfParser {
  readonly bytes: Buffer;
  pos: number;

  constructor(bytes: Buffer, pos = 0) {
    this.bytes = bytes;
    this.pos = pos;
  }

  skipSpace(): void {
    const b = this.bytes;
    while (this.pos < b.length) {
      const c = b[this.pos];
      if (isSpace(c)) this.pos++;
      else if (c === 0x25) {
        while (this.pos < b.length && b[this.pos] !== 0x0a && b[this.pos] !== 0x0d) this.pos++;
      } else break;
    }
  }

  /** A run of regular characters: a number, a keyword or `R`. */
  token(): string {
    this.skipSpace();
    const start = this.pos;
    while (this.pos < this.bytes.length && !isSpace(this.bytes[this.pos]) && !isDelimiter(this.bytes[this.pos])) this.pos++;
    return this.bytes.toString('latin1', start, this.pos);
  }

  startsWith(keyword: string): boolean {
    this.skipSpace();
    return this.bytes.toString('latin1', this.pos, this.pos + keyword.length) === keyword;
  }

  integer(): number {
    const t = this.token();
    if (!INTEGER.test(t)) throw new PdfSyntaxError(`expected an integer at byte ${this.pos}`);
    return Number(t);
  }

  value(depth = 0): PdfValue {
    if (depth > limits.maxPdfDepth) throw new PdfSyntaxError('objects nested too deeply');
    this.skipSpace();
    const c = this.bytes[this.pos];
    if (c === undefined) throw new PdfSyntaxError('unexpected end of file');
    if (c === 0x2f) return this.name();
    if (c === 0x28) return this.literalString();
    if (c === 0x3c) return this.bytes[this.pos + 1] === 0x3c ? this.dict(depth) : this.hexString();
    if (c === 0x5b) return this.array(depth);
    const start = this.pos;
    const t = this.token();
    if (t === '') throw new PdfSyntaxError(`unexpected character at byte ${start}`);
    if (t === 'true') return true;
    if (t === 'false') return false;
    if (t === 'null') return null;
    if (!NUMBER.test(t)) throw new PdfSyntaxError(`unexpected token at byte ${start}`);
    if (INTEGER.test(t)) {
      // `12 0 R` is a reference; look ahead two tokens and step back when it is not one.
      const after = this.pos;
      const gen = this.token();
      if (INTEGER.test(gen) && this.token() === 'R') return new PdfRef(Number(t), Number(gen));
      this.pos = after;
    }
    return Number(t);
  }

  private name(): PdfName {
    this.pos++;
    const start = this.pos;
    while (this.pos < this.bytes.length && !isSpace(this.bytes[this.pos]) && !isDelimiter(this.bytes[this.pos])) this.pos++;
    const raw = this.bytes.toString('latin1', start, this.pos);
    return new PdfName(raw.includes('#') ? raw.replace(/#([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))) : raw);
  }

  private array(depth: number): PdfValue[] {
    this.pos++;
    const items: PdfValue[] = [];
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.bytes.length) throw new PdfSyntaxError('unterminated array');
      if (this.bytes[this.pos] === 0x5d) {
        this.pos++;
        return items;
      }
      items.push(this.value(depth + 1));
    }
  }

  private dict(depth: number): PdfDict {
    this.pos += 2;
    const entries = new Map<string, PdfValue>();
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.bytes.length) throw new PdfSyntaxError('unterminated dictionary');
      if (this.bytes[this.pos] === 0x3e && this.bytes[this.pos + 1] === 0x3e) {
        this.pos += 2;
        return new PdfDict(entries);
      }
      const key = this.value(depth + 1);
      if (!(key instanceof PdfName)) throw new PdfSyntaxError(`dictionary key is not a name at byte ${this.pos}`);
      entries.set(key.value, this.value(depth + 1));
    }
  }

  private hexString(): PdfString {
    const end = this.bytes.indexOf(0x3e, this.pos);
    if (end === -1) throw new PdfSyntaxError('unterminated hex string');
    let hex = this.bytes.toString('latin1', this.pos + 1, end).replace(/[\s\0]/g, '');
    if (!/^[0-9A-Fa-f]*$/.test(hex)) throw new PdfSyntaxError('bad hex string');
    if (hex.length % 2 === 1) hex += '0';
    this.pos = end + 1;
    return new PdfString(Buffer.from(hex, 'hex'));
  }

  private literalString(): PdfString {
    const b = this.bytes;
    const out: number[] = [];
    let nesting = 0;
    this.pos++;
    for (;;) {
      const c = b[this.pos++];
      if (c === undefined) throw new PdfSyntaxError('unterminated string');
      if (c === 0x29 && nesting === 0) return new PdfString(Buffer.from(out));
      if (c === 0x28) nesting++;
      if (c === 0x29) nesting--;
      if (c === 0x0d) {
        // An end of line in a string is a line feed, however it was written.
        if (b[this.pos] === 0x0a) this.pos++;
        out.push(0x0a);
      } else if (c === 0x5c) this.escape(out);
      else out.push(c);
    }
  }

  private escape(out: number[]): void {
    const b = this.bytes;
    const c = b[this.pos++];
    if (c === undefined) return;
    const simple = SIMPLE_ESCAPES[c];
    if (simple !== undefined) out.push(simple);
    else if (c >= 0x30 && c <= 0x37) {
      let code = c - 0x30;
      for (let i = 0; i < 2 && b[this.pos]! >= 0x30 && b[this.pos]! <= 0x37; i++) code = code * 8 + (b[this.pos++]! - 0x30);
      out.push(code & 0xff);
    } else if (c === 0x0d) {
      if (b[this.pos] === 0x0a) this.pos++;
    } else if (c !== 0x0a) out.push(c);
  }

  /** `num gen obj <value> [stream … endstream]` at the current position. */
  indirectObject(resolveLength: LengthResolver): { num: number; gen: number; value: PdfValue } {
    const num = this.integer();
    const gen = this.integer();
    if (this.token() !== 'obj') throw new PdfSyntaxError(`no object at byte ${this.pos}`);
    const value = this.value();
    if (value instanceof PdfDict && this.startsWith('stream')) return { num, gen, value: this.stream(value, resolveLength) };
    return { num, gen, value };
  }

  private stream(dict: PdfDict, resolveLength: LengthResolver): PdfStream {
    const b = this.bytes;
    this.pos += 'stream'.length;
    if (b[this.pos] === 0x0d) this.pos++;
    if (b[this.pos] === 0x0a) this.pos++;
    const start = this.pos;
    const length = resolveLength(dict.get('Length'));
    if (length !== null && Number.isInteger(length) && length >= 0 && start + length <= b.length) {
      this.pos = start + length;
      if (this.startsWith('endstream')) {
        this.pos += 'endstream'.length;
        return new PdfStream(dict, b.subarray(start, start + length));
      }
    }
    // A wrong or missing /Length: the data ends at the keyword, as every PDF reader assumes.
    const end = b.indexOf('endstream', start, 'latin1');
    if (end === -1) throw new PdfSyntaxError('stream without endstream: the file is truncated');
    let last = end;
    if (b[last - 1] === 0x0a) last--;
    if (b[last - 1] === 0x0d) last--;
    this.pos = end + 'endstream'.length;
    return new PdfStream(dict, b.subarray(start, Math.max(start, last)));
  }
}

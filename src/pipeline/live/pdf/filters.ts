import { constants, inflateSync } from 'node:zlib';
import { limits } from '../limits.ts';
import { PdfDict, PdfName, PdfSyntaxError, type PdfStream, type PdfValue } from './objects.ts';

/** Decoding would exceed what one stream or one document may inflate to. */
export class DecodeLimitError extends Error {}
/** A filter this reader does not implement (the stream is then unreadable, not the file). */
export class UnsupportedFilterError extends Error {}

/** How many decoded bytes a document may still produce, across all its streams. */
export class DecodeBudget {
  remaining: number;
  constructor(total = limits.maxDecodedBytesPerDocument) {
    this.remaining = total;
  }
  spend(bytes: number): void {
    this.remaining -= bytes;
    if (this.remaining < 0) throw new DecodeLimitError(`the PDF's streams inflate to more than ${limits.maxDecodedBytesPerDocument} bytes`);
  }
}

type Resolve = (value: PdfValue | undefined) => PdfValue;

/** The decoded bytes of a stream: FlateDecode (with PNG/TIFF predictors) and ASCIIHexDecode. */
export function decodeStream(stream: PdfStream, resolve: Resolve, budget: DecodeBudget): Buffer {
  const filter = resolve(stream.dict.get('Filter'));
  const params = resolve(stream.dict.get('DecodeParms'));
  const filters = filter === null ? [] : Array.isArray(filter) ? filter.map(resolve) : [filter];
  let data = stream.raw;
  filters.forEach((f, i) => {
    if (!(f instanceof PdfName)) throw new PdfSyntaxError('a stream filter is not a name');
    const p = resolve(Array.isArray(params) ? params[i] : i === 0 ? params : null);
    data = applyFilter(f.value, data, p instanceof PdfDict ? p : null, resolve, budget);
  });
  return data;
}

function applyFilter(name: string, data: Buffer, params: PdfDict | null, resolve: Resolve, budget: DecodeBudget): Buffer {
  switch (name) {
    case 'FlateDecode':
    case 'Fl':
      return predict(inflate(data, budget), params, resolve);
    case 'ASCIIHexDecode':
    case 'AHx':
      return asciiHex(data);
    default:
      throw new UnsupportedFilterError(`the ${name.slice(0, 40)} filter is not supported`);
  }
}

function inflate(data: Buffer, budget: DecodeBudget): Buffer {
  const cap = Math.min(limits.maxDecodedStreamBytes, Math.max(0, budget.remaining));
  let out: Buffer;
  try {
    // maxOutputLength stops a decompression bomb while it inflates, not after; SYNC_FLUSH keeps
    // what a truncated stream did hold instead of failing it outright.
    out = inflateSync(data, { maxOutputLength: Math.max(1, cap), finishFlush: constants.Z_SYNC_FLUSH });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
      throw new DecodeLimitError(`a stream inflates to more than ${cap} bytes`);
    }
    throw new PdfSyntaxError(`a FlateDecode stream is corrupt (${(err as Error).message.slice(0, 60)})`);
  }
  budget.spend(out.length);
  return out;
}

function asciiHex(data: Buffer): Buffer {
  let hex = data.toString('latin1');
  const end = hex.indexOf('>');
  if (end !== -1) hex = hex.slice(0, end);
  hex = hex.replace(/\s/g, '');
  if (!/^[0-9A-Fa-f]*$/.test(hex)) throw new PdfSyntaxError('bad ASCIIHexDecode data');
  return Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex');
}

const intParam = (params: PdfDict | null, key: string, fallback: number, resolve: Resolve) => {
  const v = resolve(params?.get(key));
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : fallback;
};

/** Undoes a predictor (cross-reference streams use PNG "Up", /Predictor 12). */
function predict(data: Buffer, params: PdfDict | null, resolve: Resolve): Buffer {
  const predictor = intParam(params, 'Predictor', 1, resolve);
  if (predictor === 1) return data;
  const colors = intParam(params, 'Colors', 1, resolve);
  const bits = intParam(params, 'BitsPerComponent', 8, resolve);
  const columns = intParam(params, 'Columns', 1, resolve);
  if (colors > 32 || columns > 1 << 20 || ![1, 2, 4, 8, 16].includes(bits)) throw new PdfSyntaxError('bad predictor parameters');
  const pixelBytes = Math.max(1, Math.ceil((colors * bits) / 8));
  const rowBytes = Math.ceil((colors * bits * columns) / 8);
  if (predictor === 2) {
    if (bits !== 8) throw new UnsupportedFilterError('TIFF predictor with other than 8 bits per component');
    const out = Buffer.from(data);
    for (let row = 0; row + rowBytes <= out.length; row += rowBytes) {
      for (let i = pixelBytes; i < rowBytes; i++) out[row + i] = (out[row + i]! + out[row + i - pixelBytes]!) & 0xff;
    }
    return out;
  }
  return png(data, rowBytes, pixelBytes);
}

function png(data: Buffer, rowBytes: number, pixelBytes: number): Buffer {
  const rows = Math.floor(data.length / (rowBytes + 1));
  const out = Buffer.alloc(rows * rowBytes);
  for (let r = 0; r < rows; r++) {
    const type = data[r * (rowBytes + 1)];
    const src = r * (rowBytes + 1) + 1;
    const dst = r * rowBytes;
    for (let i = 0; i < rowBytes; i++) {
      const raw = data[src + i]!;
      const left = i >= pixelBytes ? out[dst + i - pixelBytes]! : 0;
      const up = r > 0 ? out[dst - rowBytes + i]! : 0;
      const upLeft = r > 0 && i >= pixelBytes ? out[dst - rowBytes + i - pixelBytes]! : 0;
      let value: number;
      if (type === 0) value = raw;
      else if (type === 1) value = raw + left;
      else if (type === 2) value = raw + up;
      else if (type === 3) value = raw + ((left + up) >> 1);
      else if (type === 4) value = raw + paeth(left, up, upLeft);
      else throw new PdfSyntaxError(`unknown PNG predictor row type ${type}`);
      out[dst + i] = value & 0xff;
    }
  }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

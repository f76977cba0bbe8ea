import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import busboy from 'busboy';
import { ApiError } from '../errors/api-error.ts';
import type { FileStore, StagedFile } from '../storage/file-store.ts';

export type ParsedUpload = {
  file: (StagedFile & { filename: string | null }) | null;
  /** Every non-file part, in order (names may repeat; the caller decides what that means). */
  fields: [string, string][];
  /** File parts other than the first `file`. */
  extraFileParts: string[];
};

const FIELD_MAX_BYTES = 64 * 1024;
const MAX_FIELDS = 100;
/** Room for part headers and fields beside the file, in the early Content-Length check. */
export const MULTIPART_OVERHEAD_BYTES = MAX_FIELDS * 1024 + 64 * 1024;

const tooLarge = (max: number) => new ApiError('upload.too_large', `The file is larger than the ${max}-byte upload limit. Nothing was stored.`, { param: 'file' });

/** What the parser needs of a request: two headers and the body as a Node stream. */
export type UploadSource = { contentType: string | undefined; contentLength: string | undefined; body: Readable | null };

/**
 * The request body as a Node stream: the socket's own IncomingMessage when the Node server gives
 * us one (no web-stream round trip, and backpressure all the way to the client's TCP window), or
 * the web Request's body otherwise (in-process requests).
 */
export function uploadSource(c: { env: unknown; req: { header(name: string): string | undefined; raw: Request } }): UploadSource {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  const body = incoming ?? (c.req.raw.body ? Readable.fromWeb(c.req.raw.body as WebReadableStream<Uint8Array>) : null);
  return { contentType: c.req.header('content-type'), contentLength: c.req.header('content-length'), body };
}

/**
 * Streams a multipart body with busboy: the `file` part goes straight to the file store (hashed on
 * the way), fields are collected. busboy's size limit truncates silently, so truncation is checked
 * and answered with 413 — never a shortened file.
 */
export function parseUpload(request: UploadSource, files: FileStore, maxBytes: number): Promise<ParsedUpload> {
  const contentType = request.contentType ?? '';
  if (!/^multipart\/form-data\s*;/i.test(contentType)) {
    throw new ApiError('request.unsupported_media_type', 'Uploads are `multipart/form-data` with a `file` part, e.g. `curl -F file=@invoice.pdf`.');
  }
  const declared = Number(request.contentLength);
  if (Number.isFinite(declared) && declared > maxBytes + MULTIPART_OVERHEAD_BYTES) throw tooLarge(maxBytes);
  const source = request.body;
  if (!source) throw new ApiError('upload.missing_file', 'The request has no body.', { param: 'file' });

  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { 'content-type': contentType },
        defParamCharset: 'utf8',
        // One byte over the limit: busboy flags a file that *reaches* fileSize, and a file of
        // exactly UPLOAD_MAX_BYTES is allowed.
        limits: { fileSize: maxBytes + 1, files: 1, fields: MAX_FIELDS, fieldSize: FIELD_MAX_BYTES, parts: MAX_FIELDS + 2 },
      });
    } catch {
      reject(new ApiError('upload.malformed_multipart', 'The multipart Content-Type has no usable boundary.'));
      return;
    }
    const result: ParsedUpload = { file: null, fields: [], extraFileParts: [] };
    let fileStream: Readable | undefined;
    let staging: Promise<void> | undefined;
    let settled = false;

    // Answers only once the staged bytes are gone, so a refused upload leaves nothing behind.
    const fail = (err: ApiError) => {
      if (settled) return;
      settled = true;
      // Read and drop the rest, so the client still gets its answer on a healthy connection.
      source.unpipe(parser);
      source.resume();
      // With an error: a file stream destroyed without one can leave the staging pipeline waiting.
      fileStream?.destroy(err);
      void (staging ?? Promise.resolve())
        .catch(() => {})
        .then(() => (result.file ? files.discard(result.file) : undefined))
        .finally(() => reject(err));
    };

    parser.on('file', (name, stream, info) => {
      // After a refusal busboy still emits what it had buffered: nothing more is staged.
      if (settled) {
        stream.resume();
        return;
      }
      if (name !== 'file' || staging) {
        result.extraFileParts.push(name ?? '');
        stream.resume();
        return;
      }
      fileStream = stream;
      stream.on('limit', () => fail(tooLarge(maxBytes)));
      staging = files.stage(stream).then(
        (staged) => {
          // The name is only shown back: what text cannot hold (NUL, broken Unicode) becomes U+FFFD.
          result.file = { ...staged, filename: info.filename === undefined ? null : info.filename.replaceAll('\u0000', '\ufffd').toWellFormed() };
          if ((stream as { truncated?: boolean }).truncated || staged.size > maxBytes) fail(tooLarge(maxBytes));
        },
        (err: Error) => fail(new ApiError('upload.malformed_multipart', `The file part could not be read: ${err.message}`)),
      );
    });
    parser.on('field', (name, value, info) => {
      // A part without a name (busboy hands undefined) is reported as such, not as "undefined".
      if (info.valueTruncated) fail(new ApiError('validation.invalid_request', `The field \`${name}\` is longer than ${FIELD_MAX_BYTES} bytes.`, { param: name ?? '' }));
      else result.fields.push([name ?? '', value]);
    });
    parser.on('filesLimit', () => result.extraFileParts.push('(second file)'));
    parser.on('fieldsLimit', () => fail(new ApiError('validation.invalid_request', `At most ${MAX_FIELDS} fields are accepted.`)));
    parser.on('partsLimit', () => fail(new ApiError('validation.invalid_request', 'The body has too many parts.')));
    parser.on('error', (err: Error) => fail(new ApiError('upload.malformed_multipart', `The multipart body is malformed: ${err.message}.`)));
    parser.on('close', () => {
      void (staging ?? Promise.resolve()).then(() => {
        if (settled) return;
        settled = true;
        resolve(result);
      });
    });
    source.on('error', () => fail(new ApiError('upload.malformed_multipart', 'The upload was interrupted.')));
    source.pipe(parser);
  });
}

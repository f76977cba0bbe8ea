import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { once } from 'node:events';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export type StagedFile = { tempPath: string; sha256: string; size: number; head: Buffer };

const HEAD_BYTES = 1024;
const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Content-addressed storage under DATA_DIR/files: a file lives at sha256/ab/cd/<sha256>, so the
 * same bytes are stored once and no name a client sends ever becomes part of a path.
 */
export class FileStore {
  readonly #root: string;
  readonly #tmpDir: string;

  constructor(dataDir: string) {
    this.#root = join(dataDir, 'files');
    this.#tmpDir = join(this.#root, 'tmp');
    mkdirSync(this.#tmpDir, { recursive: true });
  }

  /**
   * Streams into a temporary file, hashing on the way; nothing is held whole in memory. The
   * pipeline is attached before any await, so a source that fails early is always seen failing.
   */
  async stage(source: Readable): Promise<StagedFile> {
    const tempPath = join(this.#tmpDir, randomUUID());
    const hash = createHash('sha256');
    const head: Buffer[] = [];
    let headLength = 0;
    let size = 0;
    const measure = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        size += chunk.length;
        if (headLength < HEAD_BYTES) {
          head.push(chunk.subarray(0, HEAD_BYTES - headLength));
          headLength += Math.min(chunk.length, HEAD_BYTES - headLength);
        }
        callback(null, chunk);
      },
    });
    const out = createWriteStream(tempPath, { flags: 'wx' });
    try {
      await pipeline(source, measure, out);
    } catch (err) {
      // The file may still be opening; remove it only once its descriptor is closed.
      if (!out.closed) await once(out, 'close');
      await rm(tempPath, { force: true });
      throw err;
    }
    return { tempPath, sha256: hash.digest('hex'), size, head: Buffer.concat(head) };
  }

  /** Moves a staged file to its content address (keeping the copy already there, if any). */
  async commit(staged: StagedFile): Promise<void> {
    const path = this.pathOf(staged.sha256);
    await mkdir(join(path, '..'), { recursive: true });
    await rename(staged.tempPath, path);
  }

  async discard(staged: StagedFile): Promise<void> {
    await rm(staged.tempPath, { force: true });
  }

  pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error('not a sha256 digest');
    return join(this.#root, 'sha256', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  open(sha256: string): Readable {
    return createReadStream(this.pathOf(sha256));
  }

  async exists(sha256: string): Promise<boolean> {
    return stat(this.pathOf(sha256)).then(
      () => true,
      () => false,
    );
  }

  /** True when there was a file to remove. */
  async remove(sha256: string): Promise<boolean> {
    return rm(this.pathOf(sha256)).then(
      () => true,
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return false;
        throw err;
      },
    );
  }
}

/** The type from the bytes, never from the name: PDF by its magic, XML by its first markup. */
export function sniffContentType(head: Buffer): 'application/pdf' | 'application/xml' | null {
  // PDF readers accept the header anywhere in the first 1024 bytes, and so do we.
  if (head.includes('%PDF-')) return 'application/pdf';
  let text = head.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  text = text.trimStart();
  if (/^<\?xml[\s?]/.test(text) || /^<[A-Za-z_][\w.-]*(:[A-Za-z_][\w.-]*)?[\s/>]/.test(text) || /^<!--/.test(text)) return 'application/xml';
  return null;
}

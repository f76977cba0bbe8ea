import type { Database } from '../db/client.ts';
import type { FileStore } from './file-store.ts';
import { lockStoredFiles, referencedFiles } from './repository.ts';

/** Files per transaction: few enough advisory locks for PostgreSQL's lock table. */
const BATCH = 500;

/**
 * Removes the stored files among `digests` that no job refers to any more, answering how many
 * were removed. Each batch holds the files' locks while it checks and unlinks, so an upload of the
 * same bytes committing meanwhile is either seen as a reference or puts its file back afterwards.
 */
export async function removeUnreferencedFiles(db: Database, files: FileStore, digests: string[]): Promise<number> {
  let removed = 0;
  const unique = [...new Set(digests)];
  for (let i = 0; i < unique.length; i += BATCH) {
    const batch = unique.slice(i, i + BATCH);
    removed += await db.transaction(async (tx) => {
      await lockStoredFiles(tx, batch);
      const kept = await referencedFiles(tx, batch);
      let n = 0;
      for (const digest of batch) if (!kept.has(digest) && (await files.remove(digest))) n += 1;
      return n;
    });
  }
  return removed;
}

import { sql } from 'drizzle-orm';
import { jobs } from '../../drizzle/schema.ts';
import type { Database } from '../db/client.ts';
import { rowsOf } from '../db/rows.ts';

/** A text[] parameter list: drizzle would expand a bare JS array into a row constructor. */
const textArray = (values: string[]) => sql`array[${sql.join(
  values.map((v) => sql`${v}`),
  sql`, `,
)}]::text[]`;

// Any fixed number: the first half of the advisory lock key, naming what is locked.
const STORED_FILE_LOCK = 724_003;

/**
 * Holds, until the transaction ends, the right to add or remove these stored files: an upload
 * takes it before moving its bytes into place, the sweeper before deciding a file is unreferenced.
 */
export async function lockStoredFiles(db: Database, digests: string[]): Promise<void> {
  if (digests.length === 0) return;
  await db.execute(sql`select pg_advisory_xact_lock(${STORED_FILE_LOCK}, hashtext(d)) from unnest(${textArray(digests)}) as d order by d`);
}

/** Which of these files a job of any team or mode still refers to (files are shared by content). */
export async function referencedFiles(db: Database, digests: string[]): Promise<Set<string>> {
  if (digests.length === 0) return new Set();
  const result = await db.execute(sql`select distinct ${jobs.fileSha256} as d from ${jobs} where ${jobs.fileSha256} = any(${textArray(digests)})`);
  return new Set(rowsOf<{ d: string }>(result).map((r) => r.d));
}

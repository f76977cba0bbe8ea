import postgres from 'postgres';
import { inject } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/db/client.ts';
import { randomBase62 } from '../../src/ids.ts';
import { withDatabaseName } from './database-target.ts';

/**
 * A database of its own, for tests that must control every worker touching it (crash and
 * concurrency tests): a fresh PGlite, or a fresh database on the PostgreSQL server under test.
 * The returned `drop` closes and removes it.
 */
export async function isolatedDatabase(): Promise<{ database: DatabaseHandle; url: string | null; drop: () => Promise<void> }> {
  const shared = inject('databaseUrl');
  if (!shared) {
    const database = openDatabase({ kind: 'pglite' });
    await database.migrate();
    return { database, url: null, drop: () => database.close() };
  }
  const name = `parseo_iso_${Date.now()}_${randomBase62(6).toLowerCase()}`;
  const admin = postgres(shared, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = withDatabaseName(shared, name);
  const database = openDatabase({ kind: 'postgres', url, poolSize: 5 });
  await database.migrate();
  await database.enforceRowLevelSecurity();
  return {
    database,
    url,
    drop: async () => {
      await database.close();
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}

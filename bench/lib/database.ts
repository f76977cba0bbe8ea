import postgres from 'postgres';
import { openDatabase } from '../../src/db/client.ts';

export type BenchDatabase = { url: string; sql: postgres.Sql; drop: () => Promise<void> };

/** A fresh, migrated database on the server under test, dropped at the end. */
export async function freshDatabase(serverUrl: string): Promise<BenchDatabase> {
  const name = `parseo_bench_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const handle = openDatabase({ kind: 'postgres', url, poolSize: 1 });
  await handle.migrate();
  await handle.close();
  const sql = postgres(url, { max: 4, onnotice: () => {} });
  return {
    url,
    sql,
    drop: async () => {
      await sql.end({ timeout: 5 });
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}

/**
 * Which database the suite runs on:
 * - PGlite (embedded) by default;
 * - PostgreSQL when TEST_DATABASE_URL or DATABASE_URL is set (a fresh database is created in it per run);
 * - a testcontainers PostgreSQL when TEST_DB=container (needs a Docker engine).
 */
export type DatabaseTarget = { kind: 'pglite' } | { kind: 'postgres'; serverUrl: string } | { kind: 'container' };

export function databaseTarget(env = process.env): DatabaseTarget {
  if (env.TEST_DB === 'container') return { kind: 'container' };
  if (env.TEST_DB === 'pglite') return { kind: 'pglite' };
  const url = env.TEST_DATABASE_URL || env.DATABASE_URL;
  return url ? { kind: 'postgres', serverUrl: url } : { kind: 'pglite' };
}

/** Same server and credentials, another database name. */
export function withDatabaseName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/client.ts';
import { randomBase62 } from '../../src/ids.ts';
import { databaseTarget, withDatabaseName } from './database-target.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string | null;
    dataDir: string;
  }
}

/** On PostgreSQL, every run gets a fresh database, migrated once here and dropped afterwards. */
export default async function setup(project: TestProject) {
  const dataDir = mkdtempSync(join(tmpdir(), 'parseo-test-'));
  project.provide('dataDir', dataDir);
  const removeDataDir = () => rmSync(dataDir, { recursive: true, force: true });
  const target = databaseTarget();
  if (target.kind === 'pglite') {
    project.provide('databaseUrl', null);
    return removeDataDir;
  }

  let serverUrl: string;
  let stopContainer: (() => Promise<unknown>) | undefined;
  if (target.kind === 'container') {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:15-alpine').start();
    serverUrl = container.getConnectionUri();
    stopContainer = () => container.stop();
  } else {
    serverUrl = target.serverUrl;
  }

  const name = `parseo_test_${Date.now()}_${randomBase62(6).toLowerCase()}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = withDatabaseName(serverUrl, name);
  const database = openDatabase({ kind: 'postgres', url, poolSize: 1 });
  await database.migrate();
  await database.close();
  project.provide('databaseUrl', url);

  return async () => {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end();
    await stopContainer?.();
    removeDataDir();
  };
}

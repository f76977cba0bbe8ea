// Writes or checks openapi/openapi.json: the committed copy of the document the server serves.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildOpenApiDocument, createApp } from '../src/app.ts';
import { KeyCache } from '../src/auth/key-cache.ts';
import { Metrics } from '../src/observability/metrics.ts';
import { KeyUsageTracker } from '../src/auth/key-usage.ts';
import { loadConfig } from '../src/config.ts';
import type { DatabaseHandle } from '../src/db/client.ts';
import { createLogger } from '../src/logger.ts';
import { JobSignals } from '../src/pipeline/signals.ts';
import { FileStore } from '../src/storage/file-store.ts';
import { SecretBox } from '../src/webhooks/secrets.ts';

export const committedPath = fileURLToPath(new URL('../openapi/openapi.json', import.meta.url));

/** The document needs no database: routes are only registered, never called. */
export function generateOpenApiJson(): string {
  const logger = createLogger('silent');
  const database = { db: {} } as DatabaseHandle;
  const config = loadConfig({});
  const app = createApp({
    config,
    database,
    logger,
    keyUsage: new KeyUsageTracker(database.db, logger, 60_000),
    keys: new KeyCache(database, logger),
    metrics: new Metrics(),
    files: new FileStore(config.dataDir),
    signals: new JobSignals(),
    box: new SecretBox(Buffer.alloc(32)),
  });
  return `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const mode = process.argv[2];
  const generated = generateOpenApiJson();
  if (mode === 'write') {
    writeFileSync(committedPath, generated);
    console.log(`wrote ${committedPath}`);
  } else {
    let committed = '';
    try {
      committed = readFileSync(committedPath, 'utf8');
    } catch {
      // a missing file is stale too
    }
    if (committed !== generated) {
      console.error('openapi/openapi.json is stale: run `npm run openapi` and commit the result.');
      process.exit(1);
    }
    console.log('openapi/openapi.json is up to date');
  }
  process.exit(0);
}

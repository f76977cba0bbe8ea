import { serve } from '@hono/node-server';
import { createApp } from './app.ts';
import type { createServer } from 'node:http';
import { apiServerOptions, createApiServer } from './http/node-server.ts';
import { KeyCache } from './auth/key-cache.ts';
import { KeyUsageTracker } from './auth/key-usage.ts';
import { embeddedAdminToken, seedDemoTeam } from './bootstrap.ts';
import { configOrExit, createDeliveryWorker, createWorker, onShutdownSignal, openRuntime } from './runtime.ts';

const config = configOrExit();
const runtime = await openRuntime(config);
const { logger, database } = runtime;
const embedded = config.databaseUrl === undefined;

const banner: string[] = [];
if (embedded && !config.adminToken) {
  const admin = embeddedAdminToken(config.dataDir);
  config.adminToken = admin.token;
  banner.push(admin.created ? `Admin token (saved to ${admin.path}): ${admin.token}` : `Admin token: read from ${admin.path}`);
}
if (embedded) {
  const demo = await seedDemoTeam(database.db);
  if (demo) {
    banner.push(`Created team "demo" (${demo.teamId}). These keys are shown once:`, `  live: ${demo.liveKey}`, `  test: ${demo.testKey}`);
  }
}

const keyUsage = new KeyUsageTracker(database.db, logger, config.keyUsageFlushMs);
const keys = new KeyCache(database, logger);
await keys.start();
const workers = config.worker === 'inline' ? [createWorker(runtime), createDeliveryWorker(runtime)] : [];
for (const worker of workers) await worker.start();
const app = createApp({ ...runtime, keyUsage, keys });
const server = serve(
  {
    fetch: app.fetch,
    port: config.port,
    serverOptions: apiServerOptions(config.http),
    createServer: createApiServer(config.publicBaseUrl, logger) as unknown as typeof createServer,
  },
  (info) => {
    logger.info({ port: info.port, database: database.kind, worker: config.worker }, 'listening');
    // A banner for the person at the terminal, not a log line: keys never go to the log stream.
    if (banner.length) {
      console.log(['', ...banner, '', `Try: curl -H "Authorization: Bearer <key>" http://localhost:${info.port}/external/v1/me`, `Docs: http://localhost:${info.port}/docs`, ''].join('\n'));
    }
  },
);

onShutdownSignal(logger, config.shutdownTimeoutMs, async () => {
  // Stop accepting and let in-flight requests finish (long polls answer at once), then the jobs in
  // hand, then the database.
  runtime.signals.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await Promise.all(workers.map((w) => w.stop()));
  await keyUsage.stop();
  await keys.stop();
  await database.close();
});

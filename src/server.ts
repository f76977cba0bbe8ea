import { serve } from '@hono/node-server';
import { createApp } from './app.ts';
import { answerClientErrors } from './http/client-errors.ts';
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
    serverOptions: {
      // Slow or oversized clients are cut off, whatever the route: a slow-loris holds no socket long.
      headersTimeout: config.http.headersTimeoutMs,
      requestTimeout: config.http.requestTimeoutMs,
      keepAliveTimeout: config.http.keepAliveTimeoutMs,
      // How often those limits are checked (Node's default, 30 s, would let a slow client linger).
      connectionsCheckingInterval: Math.min(1000, config.http.headersTimeoutMs),
      maxHeaderSize: 16 * 1024,
    },
  },
  (info) => {
    logger.info({ port: info.port, database: database.kind, worker: config.worker }, 'listening');
    // A banner for the person at the terminal, not a log line: keys never go to the log stream.
    if (banner.length) {
      console.log(['', ...banner, '', `Try: curl -H "Authorization: Bearer <key>" http://localhost:${info.port}/external/v1/me`, `Docs: http://localhost:${info.port}/docs`, ''].join('\n'));
    }
  },
);
answerClientErrors(server, config.publicBaseUrl, logger);

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

import { serve } from '@hono/node-server';
import { createApp } from './app.ts';
import { KeyUsageTracker } from './auth/key-usage.ts';
import { embeddedAdminToken, seedDemoTeam } from './bootstrap.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { openDatabase } from './db/client.ts';
import { createLogger } from './logger.ts';

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

const config = readConfig();
const logger = createLogger(config.logLevel);
const embedded = config.databaseUrl === undefined;
const database = openDatabase(embedded ? { kind: 'pglite', dataDir: config.dataDir } : { kind: 'postgres', url: config.databaseUrl! });
await database.migrate();
logger.info({ database: database.kind }, 'migrations applied');

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
const app = createApp({ config, database, logger, keyUsage });
const server = serve({ fetch: app.fetch, port: config.port }, (info) => {
  logger.info({ port: info.port, database: database.kind }, 'listening');
  // A banner for the person at the terminal, not a log line: keys never go to the log stream.
  if (banner.length) console.log(['', ...banner, '', `Try: curl -H "Authorization: Bearer <key>" http://localhost:${info.port}/external/v1/me`, `Docs: http://localhost:${info.port}/docs`, ''].join('\n'));
});

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  const deadline = setTimeout(() => {
    logger.error('shutdown took too long; exiting');
    process.exit(1);
  }, config.shutdownTimeoutMs);
  deadline.unref();
  // Stop accepting, let in-flight requests finish, then release the database.
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await keyUsage.stop();
  await database.close();
  logger.info('stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

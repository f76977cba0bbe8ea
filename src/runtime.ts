import type { Logger } from 'pino';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { openDatabase, type DatabaseHandle } from './db/client.ts';
import { createLogger, stdoutDestination } from './logger.ts';
import { Metrics } from './observability/metrics.ts';
import { queueDepths } from './observability/repository.ts';
import { liveExtractor } from './pipeline/live-extractor.ts';
import { JobSignals } from './pipeline/signals.ts';
import { JobWorker } from './pipeline/worker.ts';
import { FileStore } from './storage/file-store.ts';
import { DeliveryWorker } from './webhooks/delivery-worker.ts';
import { loadSecretKey, SecretBox } from './webhooks/secrets.ts';

/** Reads the environment or exits with one line per bad variable. */
export function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

export type Runtime = { config: Config; logger: Logger; database: DatabaseHandle; files: FileStore; signals: JobSignals; box: SecretBox; metrics: Metrics };

/** What the API and the standalone worker share: the migrated database, the file store, signals. */
export async function openRuntime(config: Config): Promise<Runtime> {
  const logger = createLogger(config.logLevel, stdoutDestination());
  const database = openDatabase(config.databaseUrl === undefined ? { kind: 'pglite', dataDir: config.dataDir } : { kind: 'postgres', url: config.databaseUrl });
  await database.migrate();
  const rowLevelSecurity = config.rowLevelSecurity && (await database.enforceRowLevelSecurity());
  logger.info({ database: database.kind, rowLevelSecurity }, 'migrations applied');
  if (config.rowLevelSecurity && database.kind === 'postgres' && !rowLevelSecurity) {
    logger.warn('row-level security is not enforced: the login role cannot act as parseo_app (see SECURITY.md)');
  }
  const secretKey = loadSecretKey(config.webhookSecretKey, config.dataDir);
  if (secretKey.generated && config.databaseUrl) {
    logger.warn('WEBHOOK_SECRET_KEY is unset: generated one under DATA_DIR. Instances sharing this database must share the key.');
  }
  const metrics = new Metrics(() => queueDepths(database.db));
  return { config, logger, database, files: new FileStore(config.dataDir), signals: new JobSignals(), box: new SecretBox(secretKey.key), metrics };
}

export function createWorker(runtime: Runtime): JobWorker {
  return new JobWorker({ database: runtime.database, files: runtime.files, extractor: liveExtractor, logger: runtime.logger, signals: runtime.signals, metrics: runtime.metrics });
}

export function createDeliveryWorker(runtime: Runtime): DeliveryWorker {
  const { config } = runtime;
  return new DeliveryWorker({
    database: runtime.database,
    logger: runtime.logger,
    box: runtime.box,
    metrics: runtime.metrics,
    retrySchedule: config.webhookRetrySchedule,
    timeoutMs: config.webhookTimeoutMs,
    allowPrivateTargets: config.webhookAllowPrivateTargets,
    disableAfterHours: config.webhookDisableAfterHours,
  });
}

/** Runs `stop` once on SIGTERM or SIGINT, exiting 0 when it finishes and 1 after the time limit. */
export function onShutdownSignal(logger: Logger, timeoutMs: number, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, timeoutMs).unref();
    stop().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => handler('SIGTERM'));
  process.on('SIGINT', () => handler('SIGINT'));
}

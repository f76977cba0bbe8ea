import type { Logger } from 'pino';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { openDatabase, type DatabaseHandle } from './db/client.ts';
import { createLogger } from './logger.ts';
import { liveExtractor } from './pipeline/live-extractor.ts';
import { JobSignals } from './pipeline/signals.ts';
import { JobWorker } from './pipeline/worker.ts';
import { FileStore } from './storage/file-store.ts';

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

export type Runtime = { config: Config; logger: Logger; database: DatabaseHandle; files: FileStore; signals: JobSignals };

/** What the API and the standalone worker share: the migrated database, the file store, signals. */
export async function openRuntime(config: Config): Promise<Runtime> {
  const logger = createLogger(config.logLevel);
  const database = openDatabase(config.databaseUrl === undefined ? { kind: 'pglite', dataDir: config.dataDir } : { kind: 'postgres', url: config.databaseUrl });
  await database.migrate();
  logger.info({ database: database.kind }, 'migrations applied');
  return { config, logger, database, files: new FileStore(config.dataDir), signals: new JobSignals() };
}

export function createWorker(runtime: Runtime): JobWorker {
  return new JobWorker({ database: runtime.database, files: runtime.files, extractor: liveExtractor, logger: runtime.logger, signals: runtime.signals });
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

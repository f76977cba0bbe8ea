import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { DatabaseHandle } from '../db/client.ts';
import { randomBase62 } from '../ids.ts';
import { QueueWorker } from '../queue/queue-worker.ts';
import type { JobRow } from '../resources/jobs/repository.ts';
import type { FileStore } from '../storage/file-store.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Extractor } from './extractor.ts';
import { processJob } from './process-job.ts';
import { claimNextJob, nextRunAt } from './repository.ts';
import { JOBS_CHANNEL, type JobSignals } from './signals.ts';

export type WorkerOptions = {
  database: DatabaseHandle;
  files: FileStore;
  extractor: Extractor;
  logger: Logger;
  signals: JobSignals;
  metrics?: Metrics;
  concurrency?: number;
  leaseMs?: number;
  idlePollMs?: number;
};

/** Runs upload jobs: claimed under a lease, so a crashed worker's job is picked up again. */
export class JobWorker {
  readonly id = `${hostname()}:${process.pid}:${randomBase62(6)}`;
  readonly #queue: QueueWorker<JobRow>;
  readonly #signals: JobSignals;
  #unsubscribe: (() => void) | undefined;

  constructor(options: WorkerOptions) {
    const leaseMs = options.leaseMs ?? 60_000;
    const deps = { db: options.database.db, files: options.files, extractor: options.extractor, logger: options.logger, workerId: this.id, metrics: options.metrics };
    this.#signals = options.signals;
    this.#queue = new QueueWorker<JobRow>({
      name: 'jobs',
      database: options.database,
      logger: options.logger,
      channel: JOBS_CHANNEL,
      claim: async () => {
        const job = await claimNextJob(deps.db, this.id, leaseMs);
        return job ? [job] : [];
      },
      process: (job) => processJob(deps, job),
      nextDueAt: () => nextRunAt(deps.db),
      afterEach: (job) => this.#signals.finished(job.id),
      concurrency: options.concurrency ?? 4,
      idlePollMs: options.idlePollMs ?? 1000,
    });
  }

  async start(): Promise<void> {
    this.#unsubscribe = this.#signals.onQueued(() => this.#queue.wake());
    await this.#queue.start();
  }

  wake(): void {
    this.#queue.wake();
  }

  async stop(): Promise<void> {
    this.#unsubscribe?.();
    await this.#queue.stop();
  }
}

import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { DatabaseHandle } from '../db/client.ts';
import { randomBase62 } from '../ids.ts';
import type { FileStore } from '../storage/file-store.ts';
import type { Extractor } from './extractor.ts';
import { processJob, type PipelineDeps } from './process-job.ts';
import { claimNextJob, nextRunAt } from './repository.ts';
import { JOBS_CHANNEL, type JobSignals } from './signals.ts';

export type WorkerOptions = {
  database: DatabaseHandle;
  files: FileStore;
  extractor: Extractor;
  logger: Logger;
  signals: JobSignals;
  concurrency?: number;
  leaseMs?: number;
  idlePollMs?: number;
};

/**
 * Claims jobs (FOR UPDATE SKIP LOCKED, under a lease) and runs up to `concurrency` at once.
 * Woken at once by an in-process signal or a NOTIFY from another process; polls as a fallback,
 * which is also how jobs of a crashed worker (expired leases) and delayed jobs are picked up.
 */
export class JobWorker {
  readonly id = `${hostname()}:${process.pid}:${randomBase62(6)}`;
  readonly #deps: PipelineDeps;
  readonly #options: Required<Omit<WorkerOptions, 'database' | 'files' | 'extractor' | 'logger' | 'signals'>>;
  readonly #database: DatabaseHandle;
  readonly #signals: JobSignals;
  readonly #running = new Set<Promise<void>>();
  #stopped = true;
  #wake: (() => void) | undefined;
  // A wake-up that arrived while the loop was busy claiming: the next sleep returns at once.
  #wakePending = false;
  #loop: Promise<void> | undefined;
  #cleanups: (() => unknown)[] = [];

  constructor(options: WorkerOptions) {
    this.#database = options.database;
    this.#signals = options.signals;
    this.#deps = { db: options.database.db, files: options.files, extractor: options.extractor, logger: options.logger, workerId: this.id };
    this.#options = { concurrency: options.concurrency ?? 4, leaseMs: options.leaseMs ?? 60_000, idlePollMs: options.idlePollMs ?? 1000 };
  }

  async start(): Promise<void> {
    this.#stopped = false;
    this.#cleanups.push(this.#signals.onQueued(() => this.wake()));
    try {
      this.#cleanups.push(await this.#database.listen(JOBS_CHANNEL, () => this.wake()));
    } catch (err) {
      this.#deps.logger.warn({ err }, 'LISTEN unavailable; the worker polls');
    }
    this.#loop = this.#run();
  }

  wake(): void {
    if (this.#wake) this.#wake();
    else this.#wakePending = true;
  }

  /** Stops claiming and waits for the jobs in hand to finish. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.wake();
    await this.#loop;
    await Promise.allSettled([...this.#running]);
    for (const cleanup of this.#cleanups.splice(0)) await cleanup();
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      try {
        while (!this.#stopped && this.#running.size < this.#options.concurrency) {
          const job = await claimNextJob(this.#deps.db, this.id, this.#options.leaseMs);
          if (!job) break;
          const run = processJob(this.#deps, job)
            .catch((err) => this.#deps.logger.error({ err, jobId: job.id }, 'job processing crashed'))
            .finally(() => {
              this.#running.delete(run);
              this.#signals.finished(job.id);
              this.wake();
            });
          this.#running.add(run);
        }
      } catch (err) {
        this.#deps.logger.error({ err }, 'claiming jobs failed; retrying');
      }
      if (!this.#stopped) await this.#sleep();
    }
  }

  async #sleep(): Promise<void> {
    if (this.#wakePending) {
      this.#wakePending = false;
      return;
    }
    let ms = this.#options.idlePollMs;
    if (this.#running.size < this.#options.concurrency) {
      const next = await nextRunAt(this.#deps.db).catch(() => null);
      if (next) ms = Math.max(0, Math.min(ms, next.getTime() - Date.now()));
    }
    if (this.#wakePending) {
      this.#wakePending = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
    this.#wake = undefined;
  }
}

import { Worker } from 'node:worker_threads';
import { ExtractionError, jobErrorCodes, type JobErrorCode } from '../types.ts';
import type { WorkerAnswer, WorkerTask } from './extract-worker.ts';
import type { Extraction } from './index.ts';
import { limits } from './limits.ts';

export type SandboxOptions = {
  /** Wall-clock budget per file, from the moment a worker thread takes it. */
  timeBudgetMs?: number;
  /** V8 heap ceiling of each worker thread. */
  maxOldGenerationSizeMb?: number;
  /** Warm threads kept between files, and how many files one thread reads before it is replaced. */
  maxIdleWorkers?: number;
  maxFilesPerWorker?: number;
  /** An idle thread is ended after this long. */
  idleMs?: number;
};

type Slot = { worker: Worker; files: number; idleTimer?: NodeJS.Timeout };

const WORKER_URL = new URL('./extract-worker.ts', import.meta.url);

/**
 * Runs extractions in worker threads: each has its own V8 heap with a ceiling and is terminated
 * when a file overruns its time budget, so a hostile file costs one thread for a few seconds and
 * never the API's event loop or memory. Threads are kept warm between files (starting one and
 * loading the parsers costs ~100 ms, a file ~5 ms); a thread that timed out, ran out of memory or
 * crashed is never reused, and every thread is replaced after `maxFilesPerWorker` files.
 */
export class ExtractionSandbox {
  readonly #options: Required<SandboxOptions>;
  readonly #idle: Slot[] = [];
  #nextTask = 0;

  constructor(options: SandboxOptions = {}) {
    this.#options = {
      timeBudgetMs: options.timeBudgetMs ?? limits.timeBudgetMs,
      maxOldGenerationSizeMb: options.maxOldGenerationSizeMb ?? limits.maxOldGenerationSizeMb,
      maxIdleWorkers: options.maxIdleWorkers ?? 4,
      maxFilesPerWorker: options.maxFilesPerWorker ?? 200,
      idleMs: options.idleMs ?? 30_000,
    };
  }

  run(path: string): Promise<Extraction> {
    const slot = this.#idle.pop() ?? this.#spawn();
    clearTimeout(slot.idleTimer);
    slot.worker.ref();
    slot.files++;
    const { worker } = slot;
    const id = ++this.#nextTask;
    const budget = this.#options.timeBudgetMs;
    return new Promise<Extraction>((resolve, reject) => {
      const finish = (reusable: boolean, outcome: () => void) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        if (reusable) this.#release(slot);
        else void worker.terminate();
        outcome();
      };
      const onMessage = (message: { id: number; answer: WorkerAnswer }) => {
        if (message.id !== id) return;
        const { answer } = message;
        finish(true, () => (answer.ok ? resolve(answer.extraction) : reject(failureOf(answer))));
      };
      const onError = (err: NodeJS.ErrnoException) =>
        finish(false, () =>
          reject(
            err.code === 'ERR_WORKER_OUT_OF_MEMORY'
              ? new ExtractionError('extraction.limit_exceeded', 'Reading the file needed more memory than one file may use, so it was stopped.')
              : err,
          ),
        );
      const onExit = (code: number) => finish(false, () => reject(new Error(`the extraction worker exited (code ${code}) without an answer`)));
      const timer = setTimeout(
        () => finish(false, () => reject(new ExtractionError('extraction.timeout', `Reading the file took longer than the ${budget} ms budget, so it was stopped.`))),
        budget,
      );
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage({ id, path } satisfies WorkerTask);
    });
  }

  /** Ends the idle threads (busy ones end with their file). */
  async close(): Promise<void> {
    const idle = this.#idle.splice(0);
    await Promise.all(idle.map((slot) => (clearTimeout(slot.idleTimer), slot.worker.terminate())));
  }

  #spawn(): Slot {
    const worker = new Worker(WORKER_URL, {
      // The parser needs no configuration, so it gets no environment (and no secrets) at all.
      env: {},
      resourceLimits: {
        maxOldGenerationSizeMb: this.#options.maxOldGenerationSizeMb,
        maxYoungGenerationSizeMb: limits.maxYoungGenerationSizeMb,
        stackSizeMb: limits.stackSizeMb,
      },
    });
    const slot: Slot = { worker, files: 0 };
    // An idle thread that dies leaves the pool quietly; an unhandled 'error' would end the process.
    worker.on('error', () => this.#forget(slot));
    worker.on('exit', () => this.#forget(slot));
    return slot;
  }

  #release(slot: Slot): void {
    if (slot.files >= this.#options.maxFilesPerWorker || this.#idle.length >= this.#options.maxIdleWorkers) {
      void slot.worker.terminate();
      return;
    }
    slot.worker.unref();
    slot.idleTimer = setTimeout(() => {
      this.#forget(slot);
      void slot.worker.terminate();
    }, this.#options.idleMs);
    slot.idleTimer.unref();
    this.#idle.push(slot);
  }

  #forget(slot: Slot): void {
    clearTimeout(slot.idleTimer);
    const at = this.#idle.indexOf(slot);
    if (at !== -1) this.#idle.splice(at, 1);
  }
}

/** A job error code from the worker, or an internal error (retried by the pipeline) otherwise. */
function failureOf(answer: Extract<WorkerAnswer, { ok: false }>): Error {
  if (answer.code !== null && answer.code in jobErrorCodes) return new ExtractionError(answer.code as JobErrorCode, answer.detail);
  return new Error(`extraction failed inside the worker: ${answer.detail}`);
}

import { EventEmitter } from 'node:events';

/**
 * In-process signals: "a job was queued" wakes the local worker at once, and "job X finished"
 * answers long-polls without waiting for their next database check.
 */
export class JobSignals {
  readonly #emitter = new EventEmitter();

  constructor() {
    this.#emitter.setMaxListeners(0);
  }

  queued(): void {
    this.#emitter.emit('queued');
  }

  onQueued(listener: () => void): () => void {
    this.#emitter.on('queued', listener);
    return () => this.#emitter.off('queued', listener);
  }

  finished(jobId: string): void {
    this.#emitter.emit(`finished:${jobId}`);
  }

  /** Resolves when the job finishes here, or after `ms`, whichever comes first. */
  waitForFinish(jobId: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#emitter.off(`finished:${jobId}`, done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#emitter.once(`finished:${jobId}`, done);
    });
  }
}

export const JOBS_CHANNEL = 'parseo_jobs';

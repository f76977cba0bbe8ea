import { EventEmitter } from 'node:events';

/**
 * In-process signals: "a job was queued" wakes the local worker at once, and "job X finished"
 * answers long-polls without waiting for their next database check.
 */
export class JobSignals {
  readonly #emitter = new EventEmitter();
  #closing = false;

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

  /** The server is shutting down: every long poll answers now, with the job as it stands. */
  close(): void {
    this.#closing = true;
    this.#emitter.emit('closing');
  }

  get closing(): boolean {
    return this.#closing;
  }

  /** Resolves when the job finishes here, after `ms`, or at shutdown, whichever comes first. */
  waitForFinish(jobId: string, ms: number): Promise<void> {
    if (this.#closing) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#emitter.off(`finished:${jobId}`, done);
        this.#emitter.off('closing', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#emitter.once(`finished:${jobId}`, done);
      this.#emitter.once('closing', done);
    });
  }
}

export const JOBS_CHANNEL = 'parseo_jobs';

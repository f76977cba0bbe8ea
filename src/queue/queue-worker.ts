import type { Logger } from 'pino';
import type { DatabaseHandle } from '../db/client.ts';
import { runAsSystem } from '../db/db-scope.ts';

export type QueueWorkerOptions<T> = {
  name: string;
  database: DatabaseHandle;
  logger: Logger;
  /** NOTIFY channel that announces new work from other processes (and, being transactional, only committed work). */
  channel: string;
  /** Claims up to `limit` items under a lease (FOR UPDATE SKIP LOCKED); [] when there is nothing to do. */
  claim: (limit: number) => Promise<T[]>;
  process: (item: T) => Promise<void>;
  /** When the next item becomes due, so the worker sleeps no longer than needed. */
  nextDueAt: () => Promise<Date | null>;
  afterEach?: (item: T) => void;
  concurrency: number;
  idlePollMs: number;
};

/**
 * How long the loop waits on a claim or a look at the next due time. postgres.js can lose a
 * statement in flight at the instant its connection breaks (it never settles; seen in the outage
 * suite): the loop then carries on as if the statement had failed, instead of stalling for good.
 */
const STALLED_AFTER_MS = 10_000;

class Stalled extends Error {}

function bounded<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Stalled(`${what} did not settle within ${STALLED_AFTER_MS} ms`)), STALLED_AFTER_MS);
  });
  return Promise.race([promise, stalled]).finally(() => clearTimeout(timer));
}

/**
 * The loop both the job pipeline and webhook delivery run on: claim while there is room, process
 * concurrently, and otherwise sleep until woken (in-process call or NOTIFY), until the next item is
 * due, or until the idle poll — which is also how expired leases of crashed workers come back.
 */
export class QueueWorker<T> {
  readonly #o: QueueWorkerOptions<T>;
  readonly #running = new Set<Promise<void>>();
  #stopped = true;
  #wake: (() => void) | undefined;
  // A wake-up that arrived while the loop was busy claiming: the next sleep returns at once.
  #wakePending = false;
  #loop: Promise<void> | undefined;
  #unlisten: (() => Promise<void>) | undefined;

  constructor(options: QueueWorkerOptions<T>) {
    this.#o = options;
  }

  get busy(): number {
    return this.#running.size;
  }

  async start(): Promise<void> {
    this.#stopped = false;
    try {
      this.#unlisten = await this.#o.database.listen(this.#o.channel, () => this.wake());
    } catch (err) {
      this.#o.logger.warn({ err, worker: this.#o.name }, 'LISTEN unavailable; polling only');
    }
    // Workers serve every team: their statements run in the system scope of row-level security.
    this.#loop = runAsSystem(() => this.#run());
  }

  wake(): void {
    if (this.#wake) this.#wake();
    else this.#wakePending = true;
  }

  /** Stops claiming and waits for the items in hand. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.wake();
    await this.#loop;
    await Promise.allSettled([...this.#running]);
    await this.#unlisten?.().catch(() => {});
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      try {
        let room = this.#o.concurrency - this.#running.size;
        while (!this.#stopped && room > 0) {
          const claim = this.#o.claim(room);
          const items = await bounded(claim, 'a claim').catch((err: unknown) => {
            // Should the lost claim answer after all, what it leased is still worked on.
            if (err instanceof Stalled) claim.then((late) => late.forEach((item) => this.#track(item)), () => {});
            throw err;
          });
          for (const item of items) this.#track(item);
          room = this.#o.concurrency - this.#running.size;
          if (items.length === 0) break;
        }
      } catch (err) {
        this.#o.logger.error({ err, worker: this.#o.name }, 'claiming failed; retrying');
      }
      if (!this.#stopped) await this.#sleep();
    }
  }

  #track(item: T): void {
    const run = this.#o
      .process(item)
      .catch((err) => this.#o.logger.error({ err, worker: this.#o.name }, 'processing crashed'))
      .finally(() => {
        this.#running.delete(run);
        this.#o.afterEach?.(item);
        this.wake();
      });
    this.#running.add(run);
  }

  async #sleep(): Promise<void> {
    let ms = this.#o.idlePollMs;
    if (!this.#wakePending && this.#running.size < this.#o.concurrency) {
      const next = await bounded(this.#o.nextDueAt(), 'the next due time').catch(() => null);
      if (next) ms = Math.max(0, Math.min(ms, next.getTime() - Date.now()));
    }
    if (this.#wakePending || ms === 0) {
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

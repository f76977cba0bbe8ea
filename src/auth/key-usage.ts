import type { Logger } from 'pino';
import type { Database } from '../db/client.ts';
import { recordKeyUsage, type KeyUsage } from '../resources/api-keys/repository.ts';

/**
 * Counts key use in memory and writes it in one batched statement every interval, so
 * authentication costs no database write. Figures may lag by up to one interval.
 */
export class KeyUsageTracker {
  #pending = new Map<string, KeyUsage>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  readonly #db: Database;
  readonly #logger: Logger;

  constructor(db: Database, logger: Logger, intervalMs: number) {
    this.#db = db;
    this.#logger = logger;
    this.#timer = setInterval(() => void this.flush(), intervalMs);
    this.#timer.unref();
  }

  record(keyId: string, ip: string | null): void {
    const now = new Date();
    const entry = this.#pending.get(keyId);
    if (entry) {
      entry.count += 1;
      entry.lastUsedAt = now;
      entry.lastUsedIp = ip ?? entry.lastUsedIp;
    } else {
      this.#pending.set(keyId, { keyId, count: 1, lastUsedAt: now, lastUsedIp: ip });
    }
  }

  /** Writes what has accumulated; flushes never overlap, and a failed batch is merged back. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(async () => {
      if (this.#pending.size === 0) return;
      const batch = [...this.#pending.values()];
      this.#pending = new Map();
      try {
        await recordKeyUsage(this.#db, batch);
      } catch (err) {
        this.#logger.warn({ err }, 'could not record API key usage; will retry');
        for (const usage of batch) {
          const newer = this.#pending.get(usage.keyId);
          this.#pending.set(usage.keyId, newer ? { ...newer, count: newer.count + usage.count } : usage);
        }
      }
    });
    return this.#flushing;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}

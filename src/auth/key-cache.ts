import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Database, DatabaseHandle } from '../db/client.ts';
import { randomBase62 } from '../ids.ts';
import type { KeyWithTeam } from '../resources/api-keys/repository.ts';
import { AUTH_CHANNEL, bumpAuthRevision, heartbeat, instancesBehind, LIVE_INSTANCE_MS, removeInstance } from './repository.ts';

const HEARTBEAT_MS = 1000;
/** How long after sending a heartbeat that succeeded the cache may be trusted. Below LIVE_INSTANCE_MS. */
const TRUST_MS = 2000;
const MAX_ENTRIES = 10_000;
/** The longest a change waits for every instance to drop what it cached. */
const SETTLE_TIMEOUT_MS = 5000;

/**
 * Authenticated keys (with their team's name and limits), cached in memory so a request costs no
 * database round trip for its key. It never weakens revocation:
 * - a revocation (or a change of a team's limits) bumps a revision and NOTIFYs every instance,
 *   which empties its cache and acknowledges; the change answers only once every live instance has
 *   acknowledged (`settle`), so the very next request anywhere looks the key up again;
 * - an instance trusts its cache only while its LISTEN connection is up and its last heartbeat
 *   (which also catches up on a revision whose NOTIFY was lost) succeeded less than 2 s ago; an
 *   instance whose heartbeat is older than 3 s is not waited for, and by then trusts nothing.
 */
export class KeyCache {
  readonly id = `${hostname()}:${process.pid}:${randomBase62(8)}`;
  readonly #database: DatabaseHandle;
  readonly #logger: Logger;
  readonly #entries = new Map<string, KeyWithTeam>();
  #seen = 0;
  #listening = false;
  #trustedUntil = 0;
  #timer: NodeJS.Timeout | undefined;
  #unlisten: (() => Promise<void>) | undefined;
  #beating: Promise<void> = Promise.resolve();
  #healthy = true;
  // Bumped whenever the cache is emptied: a lookup that began before cannot put a stale key back.
  #generation = 0;

  constructor(database: DatabaseHandle, logger: Logger) {
    this.#database = database;
    this.#logger = logger;
  }

  async start(): Promise<void> {
    try {
      this.#unlisten = await this.#database.listen(AUTH_CHANNEL, (payload) => this.#onRevision(Number(payload)));
      this.#listening = true;
    } catch (err) {
      this.#logger.warn({ err }, 'LISTEN unavailable: API keys are looked up on every request');
      return;
    }
    await this.#heartbeat();
    this.#timer = setInterval(() => void this.#heartbeat(), HEARTBEAT_MS);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#listening = false;
    this.#clear();
    await this.#beating;
    await this.#unlisten?.().catch(() => {});
    await removeInstance(this.#database.db, this.id).catch(() => {});
  }

  get(digest: string): KeyWithTeam | undefined {
    return this.#trusted() ? this.#entries.get(digest) : undefined;
  }

  /** Take this before looking a key up in the database, and hand it to `set`. */
  get generation(): number {
    return this.#generation;
  }

  /** Caches what a lookup that started at `generation` found, unless the cache was emptied since. */
  set(digest: string, key: KeyWithTeam, generation: number): void {
    if (!this.#trusted() || generation !== this.#generation) return;
    if (this.#entries.size >= MAX_ENTRIES) this.#clear();
    this.#entries.set(digest, key);
  }

  #clear(): void {
    this.#entries.clear();
    this.#generation += 1;
  }

  /** Whether cached keys are served at all right now (listening, and heartbeat recent). */
  get trusted(): boolean {
    return this.#trusted();
  }

  #trusted(): boolean {
    return this.#listening && performance.now() < this.#trustedUntil;
  }

  #onRevision(revision: number): void {
    this.#clear();
    if (revision > this.#seen) this.#seen = revision;
    // Acknowledge at once rather than at the next heartbeat: the change that bumped it is waiting.
    void this.#heartbeat();
  }

  #heartbeat(): Promise<void> {
    this.#beating = this.#beating.then(async () => {
      const sent = performance.now();
      try {
        const current = await heartbeat(this.#database.db, this.id, this.#seen);
        if (current > this.#seen) {
          // A NOTIFY went missing: catch up, and say so before trusting anything again.
          this.#clear();
          this.#seen = current;
          await heartbeat(this.#database.db, this.id, this.#seen);
        }
        this.#trustedUntil = sent + TRUST_MS;
        if (!this.#healthy) this.#logger.info('key cache heartbeat restored');
        this.#healthy = true;
      } catch (err) {
        this.#clear();
        if (this.#healthy) this.#logger.warn({ err }, 'key cache heartbeat failed: keys are looked up on every request until it recovers');
        this.#healthy = false;
      }
    });
    return this.#beating;
  }
}

/**
 * Makes a change that cached keys depend on, then waits until every live instance has dropped its
 * cache: when this resolves, the very next request on any instance sees the change.
 */
export async function changeAuth<T>(db: Database, logger: Logger, change: (tx: Database) => Promise<T>): Promise<T> {
  const { result, revision } = await db.transaction(async (tx) => ({ result: await change(tx), revision: await bumpAuthRevision(tx) }));
  const deadline = performance.now() + SETTLE_TIMEOUT_MS;
  while ((await instancesBehind(db, revision)) > 0) {
    if (performance.now() > deadline) {
      // Only an instance that heartbeats yet ignores NOTIFY lands here; its next heartbeat catches up.
      logger.warn({ revision }, 'an API instance has not acknowledged an auth change within 5 s');
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return result;
}

export { LIVE_INSTANCE_MS };

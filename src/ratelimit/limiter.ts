import type { Database } from '../db/client.ts';
import type { TenantScope } from '../tenancy/scope.ts';
import { grantRequests, type Grant, type RequestLimits } from './repository.ts';

export type WindowState = { limit: number; remaining: number; resetsAt: Date };
export type Decision = { allowed: boolean; minute: WindowState; hour: WindowState; retryAfterSeconds: number };

/** The largest block of requests one instance takes from the shared counters at once. */
const MAX_LEASE = 256;
/** A lease takes at most this fraction of what is left, so instances hold little unused quota. */
const LEASE_FRACTION = 32;

type Lease = {
  limitsKey: string;
  counts: Grant;
  /** Requests granted to this instance and not yet used. */
  slots: number;
  /** The end of the minute window the slots belong to (hour windows end on a minute boundary too). */
  validUntil: number;
  /** No request can be granted before this time (a ceiling was reached): answer 429 without asking. */
  exhaustedUntil: number;
};

/**
 * Per-(team, mode) request ceilings shared by every API instance through PostgreSQL. An instance
 * leases blocks of requests from the shared counters in one atomic statement and spends them
 * locally, so most requests cost no database round trip; near a ceiling the blocks shrink to one
 * request. The counters never grant more than a ceiling: several instances together stay exact,
 * at the price of a few leased but unused requests (at most 1/32 of what was left per instance).
 */
export class RateLimiter {
  readonly #db: Database;
  readonly #leases = new Map<string, Lease>();
  readonly #pending = new Map<string, Promise<void>>();

  constructor(db: Database) {
    this.#db = db;
  }

  async admit(scope: TenantScope, limits: RequestLimits): Promise<Decision> {
    const key = `${scope.teamId}:${scope.mode}`;
    const limitsKey = `${limits.perMinute}/${limits.perHour}`;
    for (;;) {
      const lease = this.#leases.get(key);
      const now = Date.now();
      if (lease && lease.limitsKey === limitsKey && now < lease.validUntil) {
        if (lease.slots > 0) {
          lease.slots -= 1;
          return decide(true, lease, limits, now);
        }
        if (now < lease.exhaustedUntil) return decide(false, lease, limits, now);
      }
      // One lease request per key at a time; everyone else waits for it and tries again.
      const pending = this.#pending.get(key);
      if (pending) {
        await pending;
        continue;
      }
      const leasing = this.#lease(key, scope, limits, limitsKey, lease).finally(() => this.#pending.delete(key));
      this.#pending.set(key, leasing);
      await leasing;
    }
  }

  async #lease(key: string, scope: TenantScope, limits: RequestLimits, limitsKey: string, previous: Lease | undefined): Promise<void> {
    const known = previous && previous.limitsKey === limitsKey && Date.now() < previous.validUntil ? previous.counts : undefined;
    const left = Math.min(limits.perMinute - (known?.minuteCount ?? 0), limits.perHour - (known?.hourCount ?? 0));
    const want = Math.max(1, Math.min(MAX_LEASE, Math.floor(left / LEASE_FRACTION)));
    const counts = await grantRequests(this.#db, scope, want, limits);
    const minuteEnd = counts.minuteStart.getTime() + 60_000;
    const hourEnd = counts.hourStart.getTime() + 3_600_000;
    let exhaustedUntil = 0;
    if (counts.granted === 0) exhaustedUntil = counts.hourCount >= limits.perHour ? hourEnd : minuteEnd;
    this.#leases.set(key, { limitsKey, counts, slots: counts.granted, validUntil: minuteEnd, exhaustedUntil });
  }
}

function decide(allowed: boolean, lease: Lease, limits: RequestLimits, now: number): Decision {
  const { counts, slots } = lease;
  const minuteReset = counts.minuteStart.getTime() + 60_000;
  const hourReset = counts.hourStart.getTime() + 3_600_000;
  // What is left to anyone: the shared remainder plus what this instance still holds.
  const minute = { limit: limits.perMinute, remaining: clamp(limits.perMinute - counts.minuteCount + slots, limits.perMinute), resetsAt: new Date(minuteReset) };
  const hour = { limit: limits.perHour, remaining: clamp(limits.perHour - counts.hourCount + slots, limits.perHour), resetsAt: new Date(hourReset) };
  const blockedUntil = allowed ? now : lease.exhaustedUntil;
  return { allowed, minute, hour, retryAfterSeconds: Math.max(1, Math.ceil((blockedUntil - now) / 1000)) };
}

const clamp = (n: number, max: number) => Math.max(0, Math.min(max, n));

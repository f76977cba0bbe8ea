import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { Webhook } from 'standardwebhooks';
import type { DatabaseHandle } from '../db/client.ts';
import { randomBase62 } from '../ids.ts';
import { QueueWorker } from '../queue/queue-worker.ts';
import { DELIVERIES_CHANNEL } from './event-types.ts';
import { claimDeliveries, nextDeliveryDueAt, recordDeliveryAttempt, recordEndpointHealth, type ClaimedDelivery } from './repository.ts';
import type { SecretBox } from './secrets.ts';
import { sendWebhook } from './sender.ts';

export type DeliveryWorkerOptions = {
  database: DatabaseHandle;
  logger: Logger;
  box: SecretBox;
  /** Seconds between attempts; its length + 1 is the number of attempts in a round. */
  retrySchedule: number[];
  timeoutMs: number;
  allowPrivateTargets: boolean;
  disableAfterHours: number;
  concurrency?: number;
  idlePollMs?: number;
};

/** ±20 % so that many failed deliveries do not all come back in the same second. */
const jitter = (seconds: number) => Math.round(seconds * 1000 * (0.8 + Math.random() * 0.4));

/**
 * Delivers the outbox: signs each event per Standard Webhooks (the event ID is the `webhook-id`,
 * the same on every retry and redelivery), records every attempt, and backs off on failure.
 */
export class DeliveryWorker {
  readonly id = `${hostname()}:${process.pid}:${randomBase62(6)}`;
  readonly #queue: QueueWorker<ClaimedDelivery>;
  readonly #o: DeliveryWorkerOptions;

  constructor(options: DeliveryWorkerOptions) {
    this.#o = options;
    const db = options.database.db;
    const leaseMs = options.timeoutMs + 30_000;
    this.#queue = new QueueWorker<ClaimedDelivery>({
      name: 'webhooks',
      database: options.database,
      logger: options.logger,
      channel: DELIVERIES_CHANNEL,
      claim: (limit) => claimDeliveries(db, this.id, leaseMs, limit),
      process: (delivery) => this.#deliver(delivery),
      nextDueAt: () => nextDeliveryDueAt(db),
      concurrency: options.concurrency ?? 32,
      idlePollMs: options.idlePollMs ?? 1000,
    });
  }

  start(): Promise<void> {
    return this.#queue.start();
  }

  wake(): void {
    this.#queue.wake();
  }

  stop(): Promise<void> {
    return this.#queue.stop();
  }

  async #deliver(delivery: ClaimedDelivery): Promise<void> {
    const db = this.#o.database.db;
    const at = new Date();
    let result;
    if (delivery.endpointStatus === 'disabled' && delivery.eventType !== 'webhook.ping') {
      result = { statusCode: null, durationMs: 0, error: 'the endpoint is disabled' };
    } else {
      const body = JSON.stringify({
        id: delivery.eventId,
        object: 'event',
        mode: delivery.mode,
        type: delivery.eventType,
        data: delivery.eventData,
        createdAt: delivery.eventCreatedAt.toISOString(),
      });
      const signature = new Webhook(this.#o.box.open(delivery.secretCiphertext)).sign(delivery.eventId, at, body);
      const headers = { 'webhook-id': delivery.eventId, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature };
      result = await sendWebhook(delivery.url, headers, body, { timeoutMs: this.#o.timeoutMs, allowPrivate: this.#o.allowPrivateTargets });
    }
    const succeeded = result.error === null;
    const attemptNumber = delivery.roundAttempts + 1;
    const retryAfter = this.#o.retrySchedule[attemptNumber - 1];
    const disabled = delivery.endpointStatus === 'disabled' && delivery.eventType !== 'webhook.ping';
    const outcome = succeeded
      ? ({ status: 'succeeded' } as const)
      : retryAfter !== undefined && !disabled
        ? ({ status: 'pending', retryInMs: jitter(retryAfter) } as const)
        : ({ status: 'failed' } as const);
    const recorded = await recordDeliveryAttempt(db, delivery, this.id, { at: at.toISOString(), ...result }, outcome);
    if (recorded && !disabled) await recordEndpointHealth(db, delivery, succeeded, this.#o.disableAfterHours * 3_600_000);
    if (!succeeded) this.#o.logger.info({ deliveryId: delivery.id, attempt: attemptNumber, error: result.error }, 'webhook attempt failed');
  }
}

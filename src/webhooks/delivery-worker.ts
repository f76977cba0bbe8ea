import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { Webhook } from 'standardwebhooks';
import type { DatabaseHandle } from '../db/client.ts';
import { randomBase62 } from '../ids.ts';
import { QueueWorker } from '../queue/queue-worker.ts';
import { DELIVERIES_CHANNEL } from './event-types.ts';
import { claimDeliveries, nextDeliveryDueAt, recordDeliveryAttempt, recordEndpointHealth, type ClaimedDelivery } from './repository.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { SecretBox } from './secrets.ts';
import { sendWebhook, type SendResult } from './sender.ts';
import type { HostResolver } from './ssrf.ts';

export type DeliveryWorkerOptions = {
  database: DatabaseHandle;
  logger: Logger;
  box: SecretBox;
  /** Seconds between attempts; its length + 1 is the number of attempts in a round. */
  retrySchedule: number[];
  timeoutMs: number;
  allowPrivateTargets: boolean;
  disableAfterHours: number;
  metrics?: Metrics;
  /** How target host names are resolved (tests substitute one); the SSRF guard judges its answers. */
  resolve?: HostResolver;
  concurrency?: number;
  idlePollMs?: number;
};

/** ±20 % so that many failed deliveries do not all come back in the same second. */
const jitter = (seconds: number) => seconds * 1000 * (0.8 + Math.random() * 0.4);

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
    // Longer than any attempt may take (the timeout) plus recording it; a crashed worker's deliveries
    // are picked up again once it runs out.
    const leaseMs = options.timeoutMs + 5_000;
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
    const at = new Date();
    // A paused or auto-disabled endpoint gets nothing more, except the pings sent to test it.
    const disabled = delivery.endpointStatus === 'disabled' && delivery.eventType !== 'webhook.ping';
    const result = disabled ? { statusCode: null, durationMs: 0, error: 'not sent: the endpoint is disabled' } : await this.#send(delivery, at);
    const succeeded = result.error === null;
    // The attempt and the endpoint's health change together, so a reader never sees one without the other.
    const status = await this.#o.database.db.transaction(async (tx) => {
      const recorded = await recordDeliveryAttempt(
        tx,
        delivery,
        this.id,
        { at: at.toISOString(), ...result },
        succeeded ? { succeeded } : { succeeded, retryDelaysMs: disabled ? [] : this.#o.retrySchedule.map(jitter) },
      );
      if (recorded !== null && !disabled) await recordEndpointHealth(tx, delivery, succeeded, this.#o.disableAfterHours * 3_600_000);
      return recorded;
    });
    if (status) this.#o.metrics?.deliveryAttempt(status === 'pending' ? 'retrying' : status, delivery.mode);
    if (!succeeded) this.#o.logger.info({ deliveryId: delivery.id, endpointId: delivery.endpointId, status, error: result.error }, 'webhook attempt failed');
  }

  /** One signed POST: the event ID is the `webhook-id`, the attempt's time the `webhook-timestamp`. */
  async #send(delivery: ClaimedDelivery, at: Date): Promise<SendResult> {
    const body = JSON.stringify({
      id: delivery.eventId,
      object: 'event',
      mode: delivery.mode,
      type: delivery.eventType,
      data: delivery.eventData,
      createdAt: delivery.eventCreatedAt.toISOString(),
    });
    let secret: string;
    try {
      secret = this.#o.box.open(delivery.secretCiphertext, delivery.endpointId);
    } catch {
      this.#o.logger.error({ endpointId: delivery.endpointId }, 'the signing secret does not decrypt: WEBHOOK_SECRET_KEY differs from the one it was sealed with');
      return { statusCode: null, durationMs: 0, error: 'not sent: the signing secret could not be read on our side; rotate the secret' };
    }
    const headers = {
      'webhook-id': delivery.eventId,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(delivery.eventId, at, body),
    };
    return sendWebhook(delivery.url, headers, body, { timeoutMs: this.#o.timeoutMs, allowPrivate: this.#o.allowPrivateTargets, resolve: this.#o.resolve });
  }
}

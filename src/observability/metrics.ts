import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

type Mode = 'live' | 'test' | 'none';

/**
 * The Prometheus metrics of one process (prom-client, on a registry of its own so several apps in
 * one process never share counters). Labels are bounded: a route is its pattern, never a path with
 * IDs in it, and no tenant identifier is ever a label.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly #requests = new Counter({
    name: 'parseo_http_requests_total',
    help: 'HTTP requests answered, by route pattern, method, status and mode.',
    labelNames: ['method', 'route', 'status', 'mode'] as const,
    registers: [this.registry],
  });
  readonly #duration = new Histogram({
    name: 'parseo_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route pattern, method, status and mode.',
    labelNames: ['method', 'route', 'status', 'mode'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly #jobsFinished = new Counter({
    name: 'parseo_jobs_finished_total',
    help: 'Jobs this process finished, by outcome (completed, failed) and mode.',
    labelNames: ['outcome', 'mode'] as const,
    registers: [this.registry],
  });
  readonly #deliveries = new Counter({
    name: 'parseo_webhook_delivery_attempts_total',
    help: 'Webhook delivery attempts this process made, by outcome (succeeded; failed, to be retried; failed for good) and mode.',
    labelNames: ['outcome', 'mode'] as const,
    registers: [this.registry],
  });

  constructor(queueDepths?: () => Promise<{ jobs: QueueCount[]; deliveries: QueueCount[] }>) {
    collectDefaultMetrics({ register: this.registry, prefix: 'parseo_' });
    if (!queueDepths) return;
    // Read from the database at scrape time, so every instance reports the same, shared queues.
    let pending: Promise<{ jobs: QueueCount[]; deliveries: QueueCount[] }> | undefined;
    const depths = () => (pending ??= queueDepths().finally(() => setTimeout(() => (pending = undefined), 0)));
    new Gauge({
      name: 'parseo_jobs_in_flight',
      help: 'Jobs accepted and not yet finished, by mode (all instances).',
      labelNames: ['mode'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const row of (await depths()).jobs) this.set({ mode: row.mode }, row.count);
      },
    });
    new Gauge({
      name: 'parseo_webhook_deliveries_pending',
      help: 'Webhook deliveries waiting for an attempt or a retry, by mode (all instances).',
      labelNames: ['mode'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const row of (await depths()).deliveries) this.set({ mode: row.mode }, row.count);
      },
    });
  }

  request(method: string, route: string, status: number, mode: Mode, seconds: number): void {
    const labels = { method, route, status: String(status), mode };
    this.#requests.inc(labels);
    this.#duration.observe(labels, seconds);
  }

  jobFinished(outcome: 'completed' | 'failed', mode: 'live' | 'test'): void {
    this.#jobsFinished.inc({ outcome, mode });
  }

  deliveryAttempt(outcome: 'succeeded' | 'retrying' | 'failed', mode: 'live' | 'test'): void {
    this.#deliveries.inc({ outcome, mode });
  }
}

export type QueueCount = { mode: 'live' | 'test'; count: number };

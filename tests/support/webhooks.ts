import type { IncomingHttpHeaders } from 'node:http';
import { Webhook } from 'standardwebhooks';
import type { App } from '../../src/app.ts';
import { partner } from './harness.ts';
import { eventually } from './receiver.ts';

export type Endpoint = {
  id: string;
  object: 'webhook_endpoint';
  mode: 'live' | 'test';
  url: string;
  description: string | null;
  events: string[];
  status: 'enabled' | 'disabled';
  disabledReason: string | null;
  metadata: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  secret?: string;
};

export type Attempt = { at: string; statusCode: number | null; durationMs: number; error: string | null };

export type Delivery = {
  id: string;
  object: 'webhook_delivery';
  mode: 'live' | 'test';
  endpointId: string;
  eventId: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: Attempt[];
  nextAttemptAt: string | null;
  createdAt: string;
};

/** POST /webhooks; fails the test unless it answers 201. */
export async function registerEndpoint(app: App, key: string, url: string, body: Record<string, unknown> = {}): Promise<Endpoint & { secret: string }> {
  const res = await partner(app, 'POST', '/webhooks', key, { body: { url, events: ['*'], ...body } });
  if (res.status !== 201) throw new Error(`POST /webhooks answered ${res.status}: ${res.text}`);
  return res.body;
}

/** Every delivery of an endpoint (one page of 100 is plenty in a test). */
export async function deliveriesOf(app: App, key: string, endpointId: string): Promise<Delivery[]> {
  const res = await partner(app, 'GET', `/webhooks/${endpointId}/deliveries`, key, { query: { limit: '100' } });
  if (res.status !== 200) throw new Error(`GET deliveries answered ${res.status}: ${res.text}`);
  return res.body.data;
}

/** POST /webhooks/{id}/ping; answers the ping event and its delivery. */
export async function ping(app: App, key: string, endpointId: string): Promise<{ eventId: string; delivery: Delivery }> {
  const res = await partner(app, 'POST', `/webhooks/${endpointId}/ping`, key);
  if (res.status !== 202) throw new Error(`ping answered ${res.status}: ${res.text}`);
  const delivery = (await deliveriesOf(app, key, endpointId)).find((d) => d.eventId === res.body.id);
  if (!delivery) throw new Error(`no delivery of ${res.body.id} was queued with the ping`);
  return { eventId: res.body.id, delivery };
}

/** Polls a delivery until `done` holds of it; answers its last state. */
export async function waitForDelivery(
  app: App,
  key: string,
  endpointId: string,
  deliveryId: string,
  done: (d: Delivery) => boolean = (d) => d.status !== 'pending',
  ms = 15_000,
): Promise<Delivery> {
  let last: Delivery | undefined;
  await eventually(async () => {
    const res = await partner<Delivery>(app, 'GET', `/webhooks/${endpointId}/deliveries/${deliveryId}`, key);
    last = res.body;
    return res.status === 200 && done(res.body);
  }, ms);
  if (!last || !done(last)) throw new Error(`delivery ${deliveryId} did not get there in ${ms} ms: ${JSON.stringify(last)}`);
  return last;
}

/** Node's lower-cased header object as the plain string map `standardwebhooks` expects. */
export function headerMap(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
}

/** Verifies one received request with the public Standard Webhooks library; throws when it does not verify. */
export function verify(secret: string, received: { body: string; headers: IncomingHttpHeaders }): unknown {
  return new Webhook(secret).verify(received.body, headerMap(received.headers));
}

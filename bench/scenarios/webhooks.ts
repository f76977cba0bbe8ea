import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTenant, partnerCall } from '../lib/api.ts';
import { startProcess } from '../lib/process.ts';
import { median, round } from '../lib/stats.ts';
import type { Scenario } from './types.ts';

const ENDPOINTS = 10;
const EVENTS = 300;

/** A receiver on loopback that answers 204 and notes when each delivery arrived. */
async function receiver() {
  const arrivals: number[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      arrivals.push(performance.now());
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, arrivals, close: () => new Promise((r) => server.close(r)) };
}

/**
 * 5. Webhook fan-out: 300 events × 10 endpoints are queued by an API that runs no worker, on a fresh
 * database; then a standalone worker process (`npm run worker`) drains the outbox. Deliveries per
 * second, counted at the receiver from the first arrival to the last.
 */
export const webhookFanOut: Scenario = async ({ ours, startOurs, newDatabase, runs, log }) => {
  // Only the worker measured may deliver: the main server pauses meanwhile, and each run has a
  // database of its own, so no backlog an earlier scenario left (the soak's) stands in the queue.
  await ours.stop();
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) {
    const db = await newDatabase();
    const api = await startOurs({ WORKER: 'off', DATABASE_URL: db.url });
    const tenant = await createTenant(api.origin, `Fan-out ${r}`);
    const sink = await receiver();
    for (let i = 0; i < ENDPOINTS; i++) await partnerCall(api.origin, 'POST', '/webhooks', tenant.test, { url: sink.url, events: ['client.created'] });
    for (let i = 0; i < EVENTS; i += 20) {
      await Promise.all(Array.from({ length: 20 }, (_, j) => partnerCall(api.origin, 'POST', '/clients', tenant.test, { name: `Client ${i + j}` })));
    }
    const total = ENDPOINTS * EVENTS;
    const worker = await startProcess('src/worker.ts', api.env, { ready: () => sink.arrivals.length > 0 });
    const deadline = Date.now() + 120_000;
    while (sink.arrivals.length < total && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    if (sink.arrivals.length < total) throw new Error(`only ${sink.arrivals.length} of ${total} deliveries arrived`);
    const seconds = (sink.arrivals[total - 1]! - sink.arrivals[0]!) / 1000;
    rates.push((total - 1) / seconds);
    log(`    run ${r + 1}: ${total} deliveries in ${round(seconds, 2)} s`);
    await worker.stop();
    await api.stop();
    await sink.close();
  }
  return { deliveriesPerSecond: round(median(rates), 0), deliveries: ENDPOINTS * EVENTS, runs: rates.map((x) => round(x, 0)) };
};

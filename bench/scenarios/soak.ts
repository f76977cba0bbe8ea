import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { partnerCall } from '../lib/api.ts';
import { rssBytes } from '../lib/process.ts';
import { round } from '../lib/stats.ts';
import type { Scenario } from './types.ts';

const MB = 1024 * 1024;

/** Least-squares slope of y over x. */
function slope(points: [number, number][]): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const den = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

/**
 * 7. Soak: a steady mixed load for BENCH_SOAK_SECONDS (default 180) — reads by id, list pages,
 * client creations (each fanned out as a webhook to a local receiver) and a test upload every
 * 200 ms — while the server's RSS is sampled. Memory must stay flat and nothing may fail.
 */
export const soak: Scenario = async ({ db, ours, tenant, log }) => {
  const seconds = Number(process.env.BENCH_SOAK_SECONDS ?? 180);
  const [contact] = await db.sql<{ id: string }[]>`select id from contacts where team_id = ${tenant.teamId} and mode = 'test' limit 1`;
  let delivered = 0;
  const sink = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      delivered += 1;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  await partnerCall(ours.origin, 'POST', '/webhooks', tenant.test, { url: `http://127.0.0.1:${(sink.address() as AddressInfo).port}/hook`, events: ['client.created'] });

  const headers = { Authorization: `Bearer ${tenant.test}`, 'Content-Type': 'application/json' };
  const samples: [number, number][] = [];
  const started = performance.now();
  const sampler = setInterval(() => samples.push([(performance.now() - started) / 1000, rssBytes(ours.pid) / MB]), 2000);
  let uploadFailures = 0;
  let uploads = 0;
  const uploader = setInterval(() => {
    const form = new FormData();
    form.set('file', new Blob([`<?xml version="1.0"?><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>soak-${uploads}-${Math.random()}</ID></Invoice>`]), 'soak.xml');
    uploads += 1;
    fetch(`${ours.origin}/external/v1/invoices`, { method: 'POST', headers: { Authorization: headers.Authorization }, body: form }).then(
      (res) => res.status !== 202 && (uploadFailures += 1),
      () => (uploadFailures += 1),
    );
  }, 200);
  log(`  ${seconds} s of mixed load at 600 requests/s`);
  const result = await autocannon({
    url: ours.origin,
    connections: 20,
    overallRate: 600,
    duration: seconds,
    headers,
    requests: [
      { method: 'GET', path: `/external/v1/contacts/${contact!.id}` },
      { method: 'GET', path: '/external/v1/contacts?limit=20' },
      { method: 'POST', path: '/external/v1/clients', body: JSON.stringify({ name: 'Soak client' }) },
    ],
  });
  clearInterval(uploader);
  clearInterval(sampler);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  sink.close();
  // The first third warms up (JIT, pools, caches); flat means no growth over the rest.
  const steady = samples.filter(([t]) => t > seconds / 3);
  return {
    seconds,
    requests: result.requests.total,
    errors: result.errors + result.timeouts + result.non2xx + uploadFailures,
    p99Ms: result.latency.p99,
    uploads,
    webhooksDelivered: delivered,
    rssStartMb: round(steady[0]?.[1] ?? 0, 1),
    rssEndMb: round(steady.at(-1)?.[1] ?? 0, 1),
    rssMaxMb: round(Math.max(...samples.map(([, y]) => y)), 1),
    rssSlopeMbPerMinute: round(slope(steady) * 60, 2),
  };
};

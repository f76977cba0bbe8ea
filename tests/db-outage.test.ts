import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN } from './support/harness.ts';
import { isolatedDatabase } from './support/isolated.ts';
import { eventually } from './support/receiver.ts';
import { killAllServers, request, startServer, stopServer, type ServerProcess } from './support/server-process.ts';
import { startTcpProxy } from './support/tcp-proxy.ts';
import { corpusFile, uploadForm, XML_SAMPLE } from './support/uploads.ts';

let iso: Awaited<ReturnType<typeof isolatedDatabase>>;
let proxy: Awaited<ReturnType<typeof startTcpProxy>> | undefined;
let server: ServerProcess | undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'parseo-outage-'));

beforeAll(async () => {
  iso = await isolatedDatabase();
});

afterAll(async () => {
  killAllServers();
  await proxy?.close();
  await iso.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Times a request: an outage must be answered, not waited out. */
async function timed(fn: () => Promise<{ status: number; headers: Headers; body: any }>) {
  const started = Date.now();
  const res = await fn();
  return { ...res, ms: Date.now() - started };
}

describe('PostgreSQL unreachable for a while', { timeout: 120_000 }, () => {
  it('answers 503 problem+json fast, writes nothing half-way, and recovers by itself when it returns', async (context) => {
    if (!iso.url) context.skip('an outage of the embedded database is a crash of the process itself');
    const target = new URL(iso.url!);
    proxy = await startTcpProxy(Number(target.port || 5432), target.hostname);
    const viaProxy = new URL(iso.url!);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    server = await startServer({ DATA_DIR: dataDir, ADMIN_TOKEN, DATABASE_URL: viaProxy.toString() });
    const { origin } = server;

    const team = await request(origin, 'POST', '/admin/v1/teams', { token: ADMIN_TOKEN, body: { name: 'Outage', plan: 'enterprise' } });
    const key = (await request(origin, 'POST', `/admin/v1/teams/${team.body.id}/api-keys`, { token: ADMIN_TOKEN, body: { name: 'k', mode: 'test' } })).body.secret as string;
    // A job accepted before the outage, due to run while the database is away.
    const slow = await request(origin, 'POST', '/external/v1/invoices', { token: key, body: uploadForm({ bytes: corpusFile(XML_SAMPLE), filename: 'a.xml' }, { 'hints.testScenario': 'slow' }) });
    expect(slow.status).toBe(202);

    proxy.cut();
    // A statement on the wire at the very instant its connection breaks can be lost by the driver
    // (postgres.js) and answer only at /readyz's 2 s budget; what is measured here is the outage
    // itself, a moment later.
    await new Promise((r) => setTimeout(r, 300));
    const ready = await timed(() => request(origin, 'GET', '/readyz'));
    expect(ready.status).toBe(503);
    expect(ready.headers.get('content-type')).toBe('application/problem+json');
    expect(ready.body.code).toBe('service.unavailable');
    expect(ready.ms).toBeLessThan(1500);

    for (const attempt of [
      () => request(origin, 'GET', '/external/v1/clients', { token: key }),
      () => request(origin, 'POST', '/external/v1/clients', { token: key, body: { name: 'Written during the outage' } }),
      () => request(origin, 'POST', '/external/v1/clients', { token: key, body: { name: 'Also during the outage' }, headers: { 'Idempotency-Key': 'outage-1' } }),
      () => request(origin, 'GET', `/external/v1/jobs/${slow.body.jobId}`, { token: key }),
    ]) {
      const res = await timed(attempt);
      expect(res.status, JSON.stringify(res.body)).toBe(503);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.body).toMatchObject({ code: 'service.unavailable', requestId: res.headers.get('request-id') });
      expect(JSON.stringify(res.body)).not.toMatch(/ECONN|postgres|at .*\.ts/);
      expect(res.ms).toBeLessThan(1500);
    }
    // The process is up, even with its database away.
    expect((await request(origin, 'GET', '/healthz')).status).toBe(200);

    // Let the outage outlast the slow job's start, then bring the database back.
    await new Promise((r) => setTimeout(r, 3500));
    await proxy.restore();
    expect(await eventually(async () => (await request(origin, 'GET', '/readyz')).status === 200, 20_000)).toBe(true);

    // Requests work again without a restart; nothing of the refused writes exists.
    const created = await request(origin, 'POST', '/external/v1/clients', { token: key, body: { name: 'After the outage' } });
    expect(created.status).toBe(201);
    const clients = await request(origin, 'GET', '/external/v1/clients', { token: key });
    expect(clients.body.data.map((c: { name: string }) => c.name)).toEqual(['After the outage']);
    // The idempotency key of the refused request was not kept: a retry really runs.
    const retried = await request(origin, 'POST', '/external/v1/clients', { token: key, body: { name: 'Also during the outage' }, headers: { 'Idempotency-Key': 'outage-1' } });
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();

    // The worker recovered too: the job accepted before the outage completes.
    expect(await eventually(async () => (await request(origin, 'GET', `/external/v1/jobs/${slow.body.jobId}`, { token: key })).body.status === 'completed', 30_000)).toBe(true);
    expect(await stopServer(server)).toBe(0);
  });
});

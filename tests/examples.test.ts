import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN } from './support/harness.ts';
import { killAllServers, request, ROOT, startServer, stopServer, type ServerProcess } from './support/server-process.ts';

/** The examples/ scripts, run as an integrator runs them, against a spawned server. */

type Run = { code: number | null; stdout: string; stderr: string };

/** Runs a command to its end (never throws on a non-zero exit) with PARSEO_* set. */
function run(command: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: ROOT, env: { ...process.env, ...env }, timeout: 90_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

let dataDir: string;
let server: ServerProcess;
let testKey: string;
let liveKey: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'parseo-examples-'));
  server = await startServer({ DATA_DIR: dataDir, ADMIN_TOKEN });
  const team = await request(server.origin, 'POST', '/admin/v1/teams', { token: ADMIN_TOKEN, body: { name: 'Examples', plan: 'pro', credits: 5 } });
  expect(team.status, team.text).toBe(201);
  const key = async (mode: 'live' | 'test') => {
    const res = await request(server.origin, 'POST', `/admin/v1/teams/${team.body.id}/api-keys`, { token: ADMIN_TOKEN, body: { name: `examples ${mode}`, mode } });
    expect(res.status, res.text).toBe(201);
    return res.body.secret as string;
  };
  testKey = await key('test');
  liveKey = await key('live');
}, 90_000);

afterAll(async () => {
  if (server) await stopServer(server).catch(() => undefined);
  killAllServers();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('examples/', { timeout: 120_000 }, () => {
  it('quickstart.sh runs the README quickstart with curl and exits 0', async () => {
    const result = await run('bash', ['examples/quickstart.sh'], { PARSEO_BASE_URL: server.origin, PARSEO_API_KEY: testKey });
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toContain('GET /me -> HTTP 200');
    expect(result.stdout).toContain('key mode: test, team: Examples');
    expect(result.stdout).toMatch(/^client: cl_test_[0-9A-Za-z]{24}$/m);
    expect(result.stdout).toMatch(/^contact: ct_test_[0-9A-Za-z]{24}$/m);
    expect(result.stdout).toMatch(/^POST \/invoices -> HTTP 202$/m);
    expect(result.stdout).toMatch(/^job status: completed$/m);
    expect(result.stdout).toMatch(/^number: TEST-(INV|CN)-000[1-5], type: (invoice|credit_note), currency: (EUR|CHF)$/m);
    expect(result.stdout).toMatch(/identical to the upload/);
    expect(result.stdout).toMatch(/^Quickstart completed: client cl_test_\w+, contact ct_test_\w+, job job_test_\w+, invoice inv_test_\w+$/m);
  });

  it('quickstart.sh stops at the first failed step with a non-zero exit', async () => {
    const result = await run('bash', ['examples/quickstart.sh'], { PARSEO_BASE_URL: server.origin, PARSEO_API_KEY: `parseo_test_${'0'.repeat(48)}` });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/FAILED: GET \/me answered HTTP 401 \(expected 200\).*auth\.unknown_key/);
    expect(result.stdout).not.toContain('2/7');
  });

  it('ci-smoke.ts passes with a test key, checks the documented invoices and cleans up', async () => {
    const result = await run(process.execPath, ['examples/ci-smoke.ts'], { PARSEO_BASE_URL: server.origin, PARSEO_API_KEY: testKey });
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    const runId = /run (smoke_\w+)/.exec(result.stdout)?.[1];
    expect(runId).toBeDefined();
    expect(result.stdout).toMatch(/^ok {3}upload: TEST-(INV|CN)-000[1-5] \(.*\) matches the documented test invoice$/m);
    expect(result.stdout).toMatch(/^ok {3}credit note: TEST-CN-0003 \(credit_note, EUR 297\.50\) matches the documented test invoice$/m);
    expect(result.stdout).toMatch(/^ok {3}cleanup: deleted invoice inv_test_/m);
    expect(result.stdout).toContain(`Smoke test passed (run ${runId}).`);

    // Nothing it made is left but (at most) its client, and every one of its writes was tagged.
    const invoices = await request(server.origin, 'GET', '/external/v1/invoices?limit=100', { token: testKey });
    expect(invoices.status).toBe(200);
    expect(invoices.body.data.filter((i: { metadata: Record<string, string> }) => i.metadata.smoke === runId)).toEqual([]);
    const clients = await request(server.origin, 'GET', '/external/v1/clients?limit=100', { token: testKey });
    for (const c of clients.body.data as { metadata: Record<string, string>; name: string }[]) if (c.name.includes(runId!)) expect(c.metadata.smoke).toBe(runId);
  });

  it('ci-smoke.ts refuses a live key with exit 2 and touches nothing', async () => {
    const result = await run(process.execPath, ['examples/ci-smoke.ts'], { PARSEO_BASE_URL: server.origin, PARSEO_API_KEY: liveKey });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Refusing to run: PARSEO_API_KEY \(parseo_live_…\) is not a test key/);
    expect(result.stderr).not.toContain(liveKey.slice(12));
    expect(result.stdout).toBe('');
    const clients = await request(server.origin, 'GET', '/external/v1/clients', { token: liveKey });
    expect(clients.body.data).toEqual([]);
  });
});

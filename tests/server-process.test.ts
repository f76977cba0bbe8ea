import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, killAllServers, request, startServer, stopServer, type ServerProcess } from './support/server-process.ts';

const KEY = /parseo_(live|test)_[0-9A-Za-z]{48}/g;
const ADMIN = /padm_[0-9A-Za-z]+/;

let dataDir: string;

/** `node src/server.ts` on the embedded database under this file's DATA_DIR. */
const start = (extraWait?: RegExp) => startServer({ DATA_DIR: dataDir }, { extraWait });
const stop = (server: ServerProcess) => stopServer(server);
const get = (server: ServerProcess, path: string, token?: string) => request(server.origin, 'GET', path, { token });

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'parseo-server-'));
});

afterAll(() => {
  killAllServers();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the server process on an embedded database', { timeout: 60_000 }, () => {
  let liveKey: string;
  let testKey: string;
  let adminToken: string;

  it('prints a live key, a test key and the admin token once, serves them, and stops cleanly on SIGTERM', async () => {
    const server = await start(/Docs: http/);
    const out = server.stdout();

    const keys = [...out.matchAll(KEY)].map((m) => m[0]);
    liveKey = keys.find((k) => k.startsWith('parseo_live_'))!;
    testKey = keys.find((k) => k.startsWith('parseo_test_'))!;
    expect(liveKey).toBeDefined();
    expect(testKey).toBeDefined();
    expect(new Set(keys)).toEqual(new Set([liveKey, testKey]));
    adminToken = ADMIN.exec(out)?.[0] as string;
    expect(adminToken).toBeDefined();
    expect(readFileSync(join(dataDir, 'admin-token'), 'utf8').trim()).toBe(adminToken);

    const listening = jsonLines(out).map((l) => JSON.parse(l)).find((l) => l.msg === 'listening');
    expect(listening).toMatchObject({ port: server.port, database: 'pglite' });

    for (const [key, mode] of [[liveKey, 'live'], [testKey, 'test']] as const) {
      const res = await get(server, '/external/v1/me', key);
      expect(res.status).toBe(200);
      expect(res.headers.get('parseo-mode')).toBe(mode);
      expect(res.body).toMatchObject({ object: 'api_key_identity', mode, teamSlug: 'demo', keyPrefix: key.slice(0, 16) });
    }
    expect((await get(server, '/healthz')).status).toBe(200);
    expect((await get(server, '/readyz')).status).toBe(200);

    const teams = await get(server, '/admin/v1/teams', adminToken);
    expect(teams.status).toBe(200);
    expect(teams.body.data.map((t: { slug: string }) => t.slug)).toEqual(['demo']);

    expect(await stop(server)).toBe(0);

    const lines = jsonLines(server.stdout());
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(() => JSON.parse(line)).not.toThrow();
      expect(line).not.toContain(liveKey);
      expect(line).not.toContain(testKey);
      expect(line).not.toContain(liveKey.slice(16));
      expect(line).not.toContain(testKey.slice(16));
      expect(line).not.toContain(adminToken);
    }
    expect(server.stderr()).not.toMatch(KEY);
    // The request lines carry the key prefix, the safe part.
    expect(lines.some((l) => JSON.parse(l).keyPrefix === liveKey.slice(0, 16))).toBe(true);
    expect(lines.some((l) => JSON.parse(l).msg === 'stopped')).toBe(true);
  });

  it('restarted on the same DATA_DIR: prints no key, the old keys and the saved admin token still work', async () => {
    expect(liveKey).toBeDefined();
    const server = await start();
    // A request goes through the event loop, so anything printed at start-up is in by now.
    expect((await get(server, '/healthz')).status).toBe(200);
    const out = server.stdout();
    expect(out).not.toMatch(KEY);
    expect(out).not.toContain(adminToken);

    for (const [key, mode] of [[liveKey, 'live'], [testKey, 'test']] as const) {
      const res = await get(server, '/external/v1/me', key);
      expect(res.status).toBe(200);
      expect(res.body.mode).toBe(mode);
    }

    const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    expect(token).toBe(adminToken);
    const teams = await get(server, '/admin/v1/teams', token);
    expect(teams.status).toBe(200);
    expect(teams.body.data.map((t: { slug: string }) => t.slug)).toEqual(['demo']);
    const wrong = await get(server, '/admin/v1/teams', `${token}x`);
    expect(wrong.status).toBe(401);

    expect(await stop(server)).toBe(0);
    for (const line of jsonLines(server.stdout())) {
      expect(line).not.toContain(liveKey);
      expect(line).not.toContain(testKey);
      expect(line).not.toContain(token);
    }
  });
});

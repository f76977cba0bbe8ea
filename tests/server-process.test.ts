import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const KEY = /parseo_(live|test)_[0-9A-Za-z]{48}/g;
const ADMIN = /padm_[0-9A-Za-z]+/;

type Server = { child: ChildProcess; port: number; stdout: () => string; stderr: () => string; exit: Promise<number | null> };

const children: ChildProcess[] = [];
let dataDir: string;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Starts `node src/server.ts` on the embedded database and waits for its 'listening' log line. */
async function start(extraWait?: RegExp): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, ['src/server.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, DATABASE_URL: '', TEST_DATABASE_URL: '', ADMIN_TOKEN: '', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within 45 s\nstdout:\n${out}\nstderr:\n${err}`)), 45_000);
    const check = () => {
      // Only whole lines: a chunk may end mid-line.
      const listening = out.split('\n').slice(0, -1).some((l) => l.startsWith('{') && parseLine(l)?.msg === 'listening');
      if (listening && (!extraWait || extraWait.test(out))) {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening\nstdout:\n${out}\nstderr:\n${err}`));
    });
  });
  return { child, port, stdout: () => out, stderr: () => err, exit };
}

async function stop(server: Server): Promise<number | null> {
  server.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), 10_000)));
  const result = await Promise.race([server.exit, timeout]);
  clearTimeout(timer);
  if (result === 'timeout') throw new Error(`server did not exit within 10 s of SIGTERM\nstdout:\n${server.stdout()}`);
  return result;
}

async function get(server: Server, path: string, token?: string) {
  const res = await fetch(`http://127.0.0.1:${server.port}${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : text };
}

function parseLine(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

const jsonLines = (text: string) => text.split('\n').filter((l) => l.startsWith('{'));

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'parseo-server-'));
});

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
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

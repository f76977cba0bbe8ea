import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN } from './support/harness.ts';
import { killAllServers, request, startServer, type ServerProcess } from './support/server-process.ts';

let server: ServerProcess;
let dataDir: string;
let key: string;

/** Writes raw bytes to the server and answers everything it sends back until it closes. */
function rawExchange(port: number, chunks: string[], options: { gapMs?: number; timeoutMs?: number } = {}): Promise<{ text: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (text += d));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closedAfterMs: Date.now() - started });
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within ${options.timeoutMs ?? 10_000} ms; got: ${text}`));
    }, options.timeoutMs ?? 10_000);
    void (async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) return;
        socket.write(chunk);
        if (options.gapMs) await new Promise((r) => setTimeout(r, options.gapMs));
      }
    })();
  });
}

function parseProblem(text: string) {
  const [head, body] = text.split('\r\n\r\n');
  const [statusLine, ...headerLines] = head!.split('\r\n');
  const headers = new Map(headerLines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine!.split(' ')[1]), headers, body: JSON.parse(body!) };
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'parseo-hygiene-'));
  server = await startServer({ DATA_DIR: dataDir, ADMIN_TOKEN, HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '3000' });
  const team = await request(server.origin, 'POST', '/admin/v1/teams', { token: ADMIN_TOKEN, body: { name: 'Hygiene', plan: 'enterprise' } });
  key = (await request(server.origin, 'POST', `/admin/v1/teams/${team.body.id}/api-keys`, { token: ADMIN_TOKEN, body: { name: 'k', mode: 'test' } })).body.secret;
});

afterAll(() => {
  killAllServers();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('what the HTTP parser refuses is problem+json too, and the connection closes', () => {
  it('headers over 16 KiB → 431 request.headers_too_large', async () => {
    const { text } = await rawExchange(server.port, [`GET /external/v1/me HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`]);
    const res = parseProblem(text);
    expect(res.status).toBe(431);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('connection')).toBe('close');
    expect(res.body).toMatchObject({ status: 431, code: 'request.headers_too_large', requestId: res.headers.get('request-id') });
  });

  it('bytes that are not HTTP → 400 request.malformed_http', async () => {
    const { text } = await rawExchange(server.port, ['HELLO THERE\r\n\r\n']);
    const res = parseProblem(text);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('request.malformed_http');
  });

  it('a client that never finishes its headers is answered 408 and cut off after HTTP_HEADERS_TIMEOUT_MS', async () => {
    const { text, closedAfterMs } = await rawExchange(server.port, ['GET /healthz HTTP/1.1\r\n', 'Host: x\r\n', 'X-Slow: 1\r\n', 'X-Slow: 2\r\n', 'X-Slow: 3\r\n', 'X-Slow: 4\r\n'], { gapMs: 400 });
    const res = parseProblem(text);
    expect(res.status).toBe(408);
    expect(res.body.code).toBe('request.timeout');
    // The limit is 1 s, checked every second: well before the client would have finished.
    expect(closedAfterMs).toBeLessThan(2500);
  });

  it('a body that trickles in slower than HTTP_REQUEST_TIMEOUT_MS allows is cut off', async () => {
    const head = `POST /external/v1/clients HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`;
    const { text, closedAfterMs } = await rawExchange(server.port, [head, ...Array.from({ length: 20 }, () => ' ')], { gapMs: 400, timeoutMs: 15_000 });
    expect(closedAfterMs).toBeLessThan(6000);
    // Nothing was written: the request never completed.
    expect(text).not.toMatch(/ 201 /);
    const list = await request(server.origin, 'GET', '/external/v1/clients', { token: key });
    expect(list.body.data).toEqual([]);
  });
});

describe('response headers', () => {
  it('an API answer, success or error, carries the security headers and no X-Powered-By', async () => {
    for (const [path, token, status] of [['/external/v1/me', key, 200], ['/external/v1/me', undefined, 401], ['/external/v1/nope', key, 404]] as const) {
      const res = await request(server.origin, 'GET', path, { token });
      expect(res.status, path).toBe(status);
      expect(res.headers.get('x-powered-by')).toBeNull();
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(res.headers.get('cache-control')).toBe('no-store');
      // Served over http here: no HSTS, which only means something over https.
      expect(res.headers.get('strict-transport-security')).toBeNull();
    }
  });

  it('the docs page may run its own script, and nothing from elsewhere', async () => {
    const res = await request(server.origin, 'GET', '/docs');
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/https?:/);
  });
});

describe('stored files are reachable only through their invoice', () => {
  it.each([
    '/external/v1/invoices/..%2F..%2Fpackage.json/file',
    '/external/v1/invoices/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd/file',
    `/external/v1/invoices/inv_test_${'.'.repeat(24)}/file`,
    '/external/v1/invoices/..;/file',
    '/docs/..%2F..%2Fpackage.json',
  ])('%s → 404 problem+json', async (path) => {
    const res = await request(server.origin, 'GET', path, { token: key });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.text).not.toContain('"name": "parseo-api"');
    expect(res.text).not.toContain('root:');
  });
});

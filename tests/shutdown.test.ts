import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN } from './support/harness.ts';
import { killAllServers, request, startServer } from './support/server-process.ts';
import { corpusFile, uploadForm, XML_SAMPLE } from './support/uploads.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'parseo-shutdown-'));

afterAll(() => {
  killAllServers();
  rmSync(dataDir, { recursive: true, force: true });
});

/** An upload whose body is sent in two halves, with the second half sent only when told to. */
function splitUpload(port: number, key: string) {
  const boundary = 'parseo-shutdown-boundary';
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.xml"\r\nContent-Type: application/xml\r\n\r\n`),
    corpusFile(XML_SAMPLE),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const head = `POST /external/v1/invoices HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${body.length}\r\n\r\n`;
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => (text += d));
  const answered = new Promise<string>((resolve) => socket.on('data', () => text.includes('\r\n\r\n') && /"jobId"|"code"/.test(text) && resolve(text)));
  socket.write(head);
  socket.write(body.subarray(0, 200));
  // The rest, then a half-close (as some clients do): the answer must still come.
  return { finish: () => socket.end(body.subarray(200)), answered };
}

describe('SIGTERM', { timeout: 60_000 }, () => {
  it('stops accepting, answers long polls at once, finishes the request in flight, and exits 0 in bounded time', async () => {
    const server = await startServer({ DATA_DIR: dataDir, ADMIN_TOKEN });
    const team = await request(server.origin, 'POST', '/admin/v1/teams', { token: ADMIN_TOKEN, body: { name: 'Shutdown', plan: 'enterprise' } });
    const key = (await request(server.origin, 'POST', `/admin/v1/teams/${team.body.id}/api-keys`, { token: ADMIN_TOKEN, body: { name: 'k', mode: 'test' } })).body.secret as string;
    const slow = await request(server.origin, 'POST', '/external/v1/invoices', { token: key, body: uploadForm({ bytes: corpusFile(XML_SAMPLE), filename: 'a.xml' }, { 'hints.testScenario': 'slow' }) });
    expect(slow.status).toBe(202);

    const longPoll = request(server.origin, 'GET', `/external/v1/jobs/${slow.body.jobId}?waitSeconds=30`, { token: key });
    const upload = splitUpload(server.port, key);
    await new Promise((r) => setTimeout(r, 300));

    const signalled = Date.now();
    server.child.kill('SIGTERM');
    const polled = await longPoll;
    expect(Date.now() - signalled).toBeLessThan(2000);
    expect(polled.status).toBe(200);
    expect(polled.body.status).toBe('processing');
    expect(polled.headers.get('retry-after')).not.toBeNull();

    // No new connection is taken any more …
    await new Promise((r) => setTimeout(r, 200));
    await expect(fetch(`${server.origin}/healthz`)).rejects.toThrow();
    // … but the upload that was half-way through is finished and answered.
    upload.finish();
    const answer = await upload.answered;
    expect(answer).toMatch(/^HTTP\/1\.1 202 /);

    const code = await server.exit;
    expect(code).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(10_000);
    expect(server.stdout()).toMatch(/"msg":"stopped"/);
  });
});

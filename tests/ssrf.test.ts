import { createServer } from 'node:http';
import type { LookupAddress } from 'node:dns';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.ts';
import { DeliveryWorker } from '../src/webhooks/delivery-worker.ts';
import { sendWebhook } from '../src/webhooks/sender.ts';
import { guardedLookup, isBlockedAddress, webhookTargetProblem, webhookUrlProblem, type HostResolver } from '../src/webhooks/ssrf.ts';
import { buildApp, createTenant, harness, partner, type Harness } from './support/harness.ts';
import { isolatedDatabase } from './support/isolated.ts';
import { startReceiver } from './support/receiver.ts';
import { ping, registerEndpoint, waitForDelivery } from './support/webhooks.ts';

/** A resolver that answers from a fixed table, as a hostile DNS server could. */
const fakeDns =
  (table: Record<string, string[]>): HostResolver =>
  async (hostname) => {
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

describe('the address classifier', () => {
  it.each([
    // IPv4: loopback, "this network", private, shared, link-local (cloud metadata), reserved, multicast, broadcast
    ['127.0.0.1', 'IPv4 loopback'],
    ['127.255.255.254', 'IPv4 loopback, end of range'],
    ['0.0.0.0', 'IPv4 unspecified'],
    ['10.0.0.1', 'RFC 1918 10/8'],
    ['172.16.0.1', 'RFC 1918 172.16/12'],
    ['172.31.255.255', 'RFC 1918 172.16/12, end of range'],
    ['192.168.1.1', 'RFC 1918 192.168/16'],
    ['100.64.0.1', 'carrier-grade NAT 100.64/10'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['192.0.0.8', 'IETF protocol assignments'],
    ['198.18.0.1', 'benchmarking'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    // IPv6: loopback, unspecified, unique-local, link-local, site-local, multicast, documentation
    ['::1', 'IPv6 loopback'],
    ['0:0:0:0:0:0:0:1', 'IPv6 loopback, uncompressed'],
    ['::', 'IPv6 unspecified'],
    ['fc00::1', 'unique-local fc00::/7'],
    ['fd12:3456:789a::1', 'unique-local fd00::/8'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local with a zone ID'],
    ['[fe80::1]', 'link-local in brackets'],
    ['febf::1', 'link-local, end of range'],
    ['fec0::1', 'deprecated site-local'],
    ['ff02::1', 'IPv6 multicast'],
    ['2001:db8::1', 'documentation'],
    // IPv4 inside IPv6
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback, dotted'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback, hex'],
    ['0:0:0:0:0:ffff:7f00:0001', 'IPv4-mapped loopback, uncompressed'],
    ['::FFFF:10.0.0.1', 'IPv4-mapped private, upper case'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped link-local'],
    ['::127.0.0.1', 'IPv4-compatible loopback'],
    ['64:ff9b::10.0.0.1', 'NAT64 of a private address'],
    ['2002:7f00:1::1', '6to4 of loopback'],
    ['2002:c0a8:101::', '6to4 of 192.168.1.1'],
    // Not addresses at all
    ['localhost', 'a host name'],
    ['', 'nothing'],
    ['999.1.1.1', 'not an address'],
  ])('blocks %s (%s)', (address) => {
    expect(isBlockedAddress(address)).toBe(true);
  });

  it.each(['93.184.215.14', '8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '2a00:1450:4001:82b::200e', '::ffff:8.8.8.8', '64:ff9b::8.8.8.8', '2002:808:808::1'])(
    'allows the public address %s',
    (address) => {
      expect(isBlockedAddress(address)).toBe(false);
    },
  );
});

describe('the URL check at registration', () => {
  it.each([
    ['http://127.0.0.1/hooks', 'IPv4 loopback'],
    ['https://127.0.0.1:8443/hooks', 'IPv4 loopback with a port'],
    ['http://2130706433/', 'decimal IPv4 (127.0.0.1)'],
    ['http://0x7f.1/', 'hex IPv4 (127.0.0.1)'],
    ['http://0x7f000001/', 'single hex number IPv4'],
    ['http://0177.0.0.1/', 'octal IPv4'],
    ['http://127.1/', 'short IPv4'],
    ['http://127.0.0.1./', 'IPv4 with a trailing dot'],
    ['http://%31%32%37.0.0.1/', 'percent-encoded IPv4'],
    ['http://0/', 'zero'],
    ['http://10.1.2.3/', 'private'],
    ['http://169.254.169.254/latest/meta-data/', 'cloud metadata'],
    ['http://[::1]/', 'IPv6 loopback'],
    ['http://[::]/', 'IPv6 unspecified'],
    ['http://[::ffff:127.0.0.1]/', 'IPv4-mapped IPv6 loopback'],
    ['http://[::ffff:7f00:1]/', 'IPv4-mapped IPv6 loopback, hex'],
    ['http://[::ffff:192.168.0.1]:8080/', 'IPv4-mapped IPv6 private'],
    ['http://[fd00::1]/', 'unique-local'],
    ['http://[fe80::1]/', 'link-local'],
    ['http://localhost/', 'localhost'],
    ['http://LOCALHOST:3000/', 'localhost in capitals'],
    ['http://localhost./', 'localhost with a trailing dot'],
    ['http://api.localhost/', 'a .localhost name'],
    ['http://printer.local/', 'an mDNS name'],
    ['http://metadata.google.internal/', 'an .internal name'],
  ])('refuses %s (%s)', (url) => {
    expect(webhookUrlProblem(url, false)).toMatch(/loopback|local host name/);
    // WEBHOOK_ALLOW_PRIVATE_TARGETS=true lifts it.
    expect(webhookUrlProblem(url, true)).toBeNull();
  });

  it.each([
    ['ftp://hooks.example.com/', /http or https/],
    ['file:///etc/passwd', /http or https/],
    ['gopher://hooks.example.com/', /http or https/],
    ['javascript:alert(1)', /http or https/],
    ['hooks.example.com/x', /absolute URL/],
    ['https://user:pw@hooks.example.com/', /credentials/],
  ])('refuses %s whatever the operator allows', (url, problem) => {
    expect(webhookUrlProblem(url, false)).toMatch(problem);
    expect(webhookUrlProblem(url, true)).toMatch(problem);
  });

  it.each(['https://hooks.example.com/parseo', 'http://93.184.215.14:8080/x', 'https://[2606:4700:4700::1111]/x'])('accepts %s', (url) => {
    expect(webhookUrlProblem(url, false)).toBeNull();
  });

  it('also refuses a host name that resolves only to blocked addresses; one that does not resolve passes', async () => {
    const dns = fakeDns({ 'evil.parseo.test': ['127.0.0.1', '::1'], 'mixed.parseo.test': ['10.0.0.1', '93.184.215.14'], 'public.parseo.test': ['93.184.215.14'] });
    expect(await webhookTargetProblem('https://evil.parseo.test/x', false, dns)).toMatch(/resolves only to .*127\.0\.0\.1/);
    expect(await webhookTargetProblem('https://mixed.parseo.test/x', false, dns)).toBeNull();
    expect(await webhookTargetProblem('https://public.parseo.test/x', false, dns)).toBeNull();
    expect(await webhookTargetProblem('https://nxdomain.parseo.test/x', false, dns)).toBeNull();
    expect(await webhookTargetProblem('https://evil.parseo.test/x', true, dns)).toBeNull();
    expect(await webhookTargetProblem('http://0x7f.1/', false, dns)).toMatch(/loopback/);
    // A resolver that never answers does not hold the request up for long.
    const started = Date.now();
    expect(await webhookTargetProblem('https://slow.parseo.test/x', false, () => new Promise(() => {}), 100)).toBeNull();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('the lookup every delivery connects through', () => {
  const lookup = (allowPrivate: boolean, dns: HostResolver, hostname: string, all: boolean) =>
    new Promise<{ err: NodeJS.ErrnoException | null; result: unknown }>((resolve) => {
      guardedLookup(allowPrivate, dns)(hostname, { all, family: 0 }, (err, address, family) =>
        resolve({ err, result: all ? address : { address, family } }),
      );
    });
  const dns = fakeDns({ 'evil.parseo.test': ['127.0.0.1', '::ffff:10.0.0.1'], 'mixed.parseo.test': ['10.0.0.1', '93.184.215.14', 'fd00::1'] });

  it('refuses a name that resolves only to blocked addresses', async () => {
    for (const all of [true, false]) {
      const { err } = await lookup(false, dns, 'evil.parseo.test', all);
      expect(err?.code).toBe('EBLOCKEDADDRESS');
      expect(err?.message).toMatch(/evil\.parseo\.test resolves only to blocked addresses/);
    }
  });

  it('hands the socket only the allowed addresses of a mixed answer', async () => {
    expect((await lookup(false, dns, 'mixed.parseo.test', true)).result).toEqual([{ address: '93.184.215.14', family: 4 }]);
    expect((await lookup(false, dns, 'mixed.parseo.test', false)).result).toEqual({ address: '93.184.215.14', family: 4 });
    expect((await lookup(true, dns, 'mixed.parseo.test', true)).result).toHaveLength(3);
  });

  it('passes resolver errors through', async () => {
    expect((await lookup(false, dns, 'nxdomain.parseo.test', true)).err?.code).toBe('ENOTFOUND');
  });
});

describe('sending', () => {
  const servers: { close: () => void }[] = [];
  afterAll(() => servers.forEach((s) => s.close()));

  it('connects to the address the guard checked (the fake resolver is what reaches the receiver)', async () => {
    const r = await startReceiver();
    servers.push({ close: () => void r.close() });
    const port = new URL(r.url).port;
    const dns = fakeDns({ 'pinned.parseo.test': ['127.0.0.1'] });
    const sent = await sendWebhook(`http://pinned.parseo.test:${port}/hooks`, {}, '{}', { timeoutMs: 2000, allowPrivate: true, resolve: dns });
    expect(sent).toMatchObject({ statusCode: 200, error: null });
    expect(r.received).toHaveLength(1);
    expect(r.received[0]!.headers.host).toBe(`pinned.parseo.test:${port}`);

    const refused = await sendWebhook(`http://pinned.parseo.test:${port}/hooks`, {}, '{}', { timeoutMs: 2000, allowPrivate: false, resolve: dns });
    expect(refused).toMatchObject({ statusCode: null, error: expect.stringMatching(/^refused: pinned\.parseo\.test resolves only to blocked addresses \(127\.0\.0\.1\)/) });
    const literal = await sendWebhook(`http://0x7f.1:${port}/hooks`, {}, '{}', { timeoutMs: 2000, allowPrivate: false });
    expect(literal.error).toMatch(/^refused: the URL points at a loopback/);
    expect(r.received).toHaveLength(1);
  });

  it('reads only the start of an endless answer and does not wait for the rest', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(64 * 1024, 97);
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
      res.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push({ close: () => server.close() });
    const { port } = server.address() as AddressInfo;
    const sent = await sendWebhook(`http://127.0.0.1:${port}/`, {}, '{}', { timeoutMs: 5000, allowPrivate: true });
    expect(sent).toMatchObject({ statusCode: 200, error: null });
    expect(sent.durationMs).toBeLessThan(2000);
    server.closeAllConnections();
  });
});

describe('with private targets disallowed (WEBHOOK_ALLOW_PRIVATE_TARGETS=false)', () => {
  let h: Harness;
  let strict: Harness;

  beforeAll(async () => {
    h = await harness();
    strict = buildApp(h.database, { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false' });
  });

  it.each([
    'http://127.0.0.1:8080/hooks',
    'http://2130706433/hooks',
    'http://0x7f.1/hooks',
    'http://10.0.0.5/hooks',
    'http://192.168.1.10/hooks',
    'http://172.20.0.1/hooks',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]/hooks',
    'http://[::ffff:127.0.0.1]/hooks',
    'http://[fd00::1]/hooks',
    'http://[fe80::1]/hooks',
    'http://localhost:3000/hooks',
  ])('POST /webhooks refuses %s with 400 naming url, and PATCH refuses it too', async (url) => {
    const t = await createTenant(strict.app);
    const res = await partner(strict.app, 'POST', '/webhooks', t.test, { body: { url, events: ['*'] } });
    expect([res.status, res.body.code, res.body.param]).toEqual([400, 'validation.invalid_request', 'url']);
    expect(res.body.errors).toEqual([{ param: 'url', code: 'invalid_url', message: expect.stringMatching(/loopback|local host name/) }]);
    expect(res.body.detail).toMatch(/refused unless the operator allows them/);

    const endpoint = await registerEndpoint(strict.app, t.test, 'https://93.184.215.14/hooks');
    const patched = await partner(strict.app, 'PATCH', `/webhooks/${endpoint.id}`, t.test, { body: { url } });
    expect([patched.status, patched.body.param]).toEqual([400, 'url']);
    expect((await partner(strict.app, 'GET', `/webhooks/${endpoint.id}`, t.test)).body.url).toBe('https://93.184.215.14/hooks');
  });

  it('accepts public targets, and the same private target when the operator allows it', async () => {
    const t = await createTenant(strict.app);
    expect((await partner(strict.app, 'POST', '/webhooks', t.live, { body: { url: 'https://93.184.215.14/hooks', events: ['*'] } })).status).toBe(201);
    expect((await partner(h.app, 'POST', '/webhooks', t.live, { body: { url: 'http://127.0.0.1:8080/hooks', events: ['*'] } })).status).toBe(201);
  });

  it('refuses at delivery time a host name that resolves to loopback, and sends nothing', async () => {
    const iso = await isolatedDatabase();
    const app = buildApp(iso.database, { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false' });
    const r = await startReceiver();
    const port = new URL(r.url).port;
    // Registered while the name resolved nowhere (or somewhere public); by delivery time it points at loopback.
    const dns = fakeDns({ 'rebind.parseo.test': ['127.0.0.1'] });
    const worker = (allowPrivateTargets: boolean) =>
      new DeliveryWorker({
        database: iso.database,
        logger: createLogger('silent'),
        box: app.box,
        retrySchedule: [0.1],
        timeoutMs: 2000,
        allowPrivateTargets,
        disableAfterHours: 120,
        resolve: dns,
        idlePollMs: 50,
      });
    let running = worker(false);
    await running.start();
    try {
      const t = await createTenant(app.app);
      const endpoint = await registerEndpoint(app.app, t.test, `http://rebind.parseo.test:${port}/hooks`);
      const { delivery } = await ping(app.app, t.test, endpoint.id);
      const done = await waitForDelivery(app.app, t.test, endpoint.id, delivery.id);
      expect(done.status).toBe('failed');
      expect(done.attempts).toHaveLength(2);
      for (const a of done.attempts) {
        expect(a).toMatchObject({ statusCode: null, error: expect.stringMatching(/^refused: rebind\.parseo\.test resolves only to blocked addresses \(127\.0\.0\.1\)/) });
      }
      expect(r.received).toHaveLength(0);

      // The same delivery with private targets allowed goes through that very resolver to the receiver.
      await running.stop();
      running = worker(true);
      await running.start();
      expect((await partner(app.app, 'POST', `/webhooks/${endpoint.id}/deliveries/${delivery.id}/redeliver`, t.test)).status).toBe(202);
      const redelivered = await waitForDelivery(app.app, t.test, endpoint.id, delivery.id, (d) => d.status === 'succeeded');
      expect(redelivered.attempts.map((a) => a.statusCode)).toEqual([null, null, 200]);
      expect(r.received).toHaveLength(1);
    } finally {
      await running.stop();
      await r.close();
      await iso.drop();
    }
  });
});

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Received = { headers: IncomingHttpHeaders; body: string; at: number };

/**
 * A real webhook receiver on loopback. `respond` decides each answer's status from the count of
 * requests so far (default 200).
 */
export async function startReceiver(respond: (n: number, received: Received) => number = () => 200, options: { delayMs?: number } = {}) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      received.push(entry);
      res.statusCode = respond(received.length, entry);
      // A slow receiver keeps deliveries in flight (for crash tests).
      if (options.delayMs) setTimeout(() => res.end('ok'), options.delayMs);
      else res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    events: () => received.map((r) => JSON.parse(r.body) as { id: string; type: string; mode: string; data: { object: Record<string, unknown> } }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Polls `check` until it returns true or `ms` pass; returns whether it did. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

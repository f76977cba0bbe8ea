import autocannon from 'autocannon';

export type LoadFigures = { requestsPerSecond: number; p50: number; p99: number; errors: number; non2xx: number; total: number };

/** Drives `url` with autocannon for `seconds` at `connections`, and answers its figures. */
export async function load(url: string, options: { connections: number; seconds: number; headers?: Record<string, string> }): Promise<LoadFigures> {
  const result = await autocannon({ url, connections: options.connections, duration: options.seconds, headers: options.headers });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    total: result.requests.total,
  };
}

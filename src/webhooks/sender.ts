import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { guardedLookup, webhookUrlProblem, type HostResolver } from './ssrf.ts';

export type SendResult = { statusCode: number | null; durationMs: number; error: string | null };

/** At most this much of a receiver's answer is read; the rest is dropped. */
const RESPONSE_BYTES_READ = 4096;

/**
 * POSTs one signed payload. The target is checked again here, after DNS (the lookup refuses
 * blocked addresses), redirects are not followed (a 3xx is a failed attempt), the whole attempt
 * has a deadline, and the answer body is only sampled.
 */
export function sendWebhook(
  url: string,
  headers: Record<string, string>,
  body: string,
  options: { timeoutMs: number; allowPrivate: boolean; resolve?: HostResolver },
): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const problem = webhookUrlProblem(url, options.allowPrivate);
  if (problem) return Promise.resolve({ statusCode: null, durationMs: 0, error: `refused: the URL ${problem}` });

  return new Promise((resolve) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    let done = false;
    const finish = (result: Omit<SendResult, 'durationMs'>) => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      resolve({ ...result, durationMs: elapsed() });
    };
    const req = send(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'Parseo-Webhooks/1.0' },
        lookup: guardedLookup(options.allowPrivate, options.resolve),
        agent: false,
      },
      (res) => {
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > RESPONSE_BYTES_READ) res.destroy();
        });
        const status = res.statusCode ?? 0;
        const settle = () =>
          finish({ statusCode: status, error: status >= 200 && status < 300 ? null : `the endpoint answered HTTP ${status}${status >= 300 && status < 400 ? ' (redirects are not followed)' : ''}` });
        res.on('end', settle);
        res.on('close', settle);
        res.on('error', settle);
      },
    );
    const deadline = setTimeout(() => {
      req.destroy();
      finish({ statusCode: null, error: `no answer within ${options.timeoutMs} ms` });
    }, options.timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => finish({ statusCode: null, error: err.code === 'EBLOCKEDADDRESS' ? `refused: ${err.message}` : `${err.code ?? 'error'}: ${err.message}` }));
    req.end(body);
  });
}

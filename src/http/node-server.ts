import { createServer, type IncomingMessage, type RequestListener, type ServerOptions, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { answerClientErrors, problemBody } from './client-errors.ts';

/** Node's HTTP server options: slow or oversized clients are cut off, whatever the route. */
export function apiServerOptions(http: Config['http']): ServerOptions {
  return {
    headersTimeout: http.headersTimeoutMs,
    requestTimeout: http.requestTimeoutMs,
    keepAliveTimeout: http.keepAliveTimeoutMs,
    // How often those limits are checked (Node's default, 30 s, would let a slow client linger).
    connectionsCheckingInterval: Math.min(1000, http.headersTimeoutMs),
    maxHeaderSize: 16 * 1024,
    // HTTP/1.1 requires Host; nothing here depends on it, so such a request is answered like any other.
    requireHostHeader: false,
  };
}

/**
 * The request target as the Hono adapter will read it. What it would refuse with a bare, empty 400
 * (`*`, a backslash in the path, a host that is not a host) is refused here as problem+json.
 */
function unusableTarget(req: IncomingMessage): boolean {
  const url = req.url ?? '';
  if (/^https?:\/\//.test(url)) return URL.canParse(url) === false || /\\/.test(url.split('?')[0]!);
  if (!url.startsWith('/')) return true;
  if (/\\/.test(url.split('?')[0]!)) return true;
  // Past the checks above only the host can make the URL unreadable; hosts are few, so each is
  // judged once (two URL parses per request stood out in the hot path's profile).
  return unusableHost(req.headers.host ?? 'localhost');
}

const hostVerdicts = new Map<string, boolean>();
function unusableHost(host: string): boolean {
  let unusable = hostVerdicts.get(host);
  if (unusable === undefined) {
    unusable = !URL.canParse(`http://${host}/`) || new URL(`http://${host}/`).host.toLowerCase() !== host.toLowerCase();
    // Bounded: a client sending a new Host each time is judged each time.
    if (hostVerdicts.size < 1000) hostVerdicts.set(host, unusable);
  }
  return unusable;
}

/**
 * A Node HTTP server for the app: the options above, the parser's own refusals answered as
 * problem+json (client-errors.ts), a request without Host given one, request targets the adapter
 * cannot read refused the same way, and half-closed clients still answered.
 */
export function createApiServer(publicBaseUrl: string, logger: Logger) {
  return (options: ServerOptions, listener: RequestListener) => {
    const server = createServer(options, (req: IncomingMessage, res: ServerResponse) => {
      req.headers.host ??= 'localhost';
      if (unusableTarget(req)) {
        const { requestId, status, body } = problemBody(publicBaseUrl, 'request.malformed_http');
        res.writeHead(status, { 'Content-Type': 'application/problem+json', 'Request-Id': requestId, 'X-Content-Type-Options': 'nosniff', Connection: 'close' });
        res.end(body);
        return;
      }
      listener(req, res);
    });
    // A client may half-close its side once its request is sent (`shutdown(SHUT_WR)`). Node would
    // then drop it before an answer that takes a moment; this waits for the answer, as HTTP allows.
    (server as unknown as { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
    answerClientErrors(server, publicBaseUrl, logger);
    return server;
  };
}

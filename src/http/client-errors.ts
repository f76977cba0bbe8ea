import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { errorRegistry, type ErrorCode } from '../errors/registry.ts';
import { randomBase62 } from '../ids.ts';

type ClientErrorSource = {
  on(event: 'clientError', listener: (err: NodeJS.ErrnoException, socket: Socket) => void): unknown;
  on(event: 'checkExpectation', listener: (req: IncomingMessage, res: ServerResponse) => void): unknown;
};

const details: Partial<Record<ErrorCode, string>> = {
  'request.headers_too_large': 'The request headers are larger than the server accepts (16 KiB in all).',
  'request.timeout': 'The request did not arrive in time: its headers, or the whole request, took too long.',
  'request.malformed_http': 'The request is not valid HTTP/1.1 (or its target, `*` or a path with a backslash, is not one this API serves).',
  'request.expectation_failed': 'The only expectation this server meets is `Expect: 100-continue`.',
};

export function problemBody(publicBaseUrl: string, code: ErrorCode) {
  const { status, title } = errorRegistry[code];
  const requestId = `req_${randomBase62(24)}`;
  return { requestId, status, body: JSON.stringify({ type: `${publicBaseUrl}/errors#${code}`, title, status, code, detail: details[code], requestId }) };
}

/**
 * What Node's HTTP parser refuses before any route runs — oversized headers, bytes that are not
 * HTTP, a client too slow to send its request — is answered with the same problem+json as every
 * other error, instead of Node's bare default, and the connection is closed.
 */
export function answerClientErrors(server: ClientErrorSource, publicBaseUrl: string, logger: Logger): void {
  server.on('clientError', (err, socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const code: ErrorCode =
      err.code === 'HPE_HEADER_OVERFLOW' ? 'request.headers_too_large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'request.timeout' : 'request.malformed_http';
    const { requestId, status, body } = problemBody(publicBaseUrl, code);
    socket.end(
      [
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
        'Content-Type: application/problem+json',
        `Content-Length: ${Buffer.byteLength(body)}`,
        `Request-Id: ${requestId}`,
        'X-Content-Type-Options: nosniff',
        'Connection: close',
        '',
        body,
      ].join('\r\n'),
    );
    logger.info({ requestId, status, reason: err.code }, 'request refused by the HTTP parser');
  });
  // An `Expect` other than 100-continue: Node's own answer would be an empty 417.
  server.on('checkExpectation', (_req, res) => {
    const { requestId, status, body } = problemBody(publicBaseUrl, 'request.expectation_failed');
    res.writeHead(status, { 'Content-Type': 'application/problem+json', 'Request-Id': requestId, 'X-Content-Type-Options': 'nosniff', Connection: 'close' });
    res.end(body);
  });
}

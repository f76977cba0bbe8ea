import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Standard output, written asynchronously: a synchronous write per log line stalls the event loop
 * whenever the reader (a pipe, a log shipper) is slower than us. Whatever is still buffered is
 * written out synchronously when the process exits.
 */
export function stdoutDestination(): DestinationStream {
  const destination = pino.destination({ dest: 1, sync: false });
  process.on('exit', () => destination.flushSync());
  return destination;
}

/** JSON logs. Anything that could hold a secret is censored by path, whatever the caller logs. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'parseo-api' },
      redact: {
        paths: ['authorization', '*.authorization', 'headers.authorization', '*.headers.authorization', 'secret', '*.secret', 'token', '*.token', 'apiKey', '*.apiKey'],
        censor: '[redacted]',
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

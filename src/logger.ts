import pino, { type DestinationStream, type Logger } from 'pino';

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

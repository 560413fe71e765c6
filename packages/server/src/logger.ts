import pino, { type Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger };

/**
 * Paths that could carry secrets or sensitive values if anything ever logged them. Request logging is
 * our own and records only method, route pattern, status and timing, never URLs, headers or bodies;
 * this list is the second line of defence.
 */
const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-skyflow-authorization"]',
  'headers.authorization',
  'authorization',
  'assertion',
  'accessToken',
  'privateKey',
  'apiKey',
  'rootKey',
  'password',
  'currentPassword',
  'newPassword',
  'body',
  'fields',
  'value',
  'values',
];

/** The process logger: JSON lines on stdout. */
export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'strongroom' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/**
 * @module Operations logging (pino). Structured JSON; never carries secrets: known secret-bearing
 * fields are redacted, and callers log ids, not values.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Write to this destination instead of stdout (tests). */
  destination?: NodeJS.WritableStream;
}

const REDACT_PATHS = [
  'req.headers.authorization', 'req.headers["circle-token"]', 'req.headers.cookie',
  '*.password', '*.token', '*.value', '*.secret', '*.privateKey', '*.environment', '*.secrets',
];

export function createLogger(options: LoggerOptions = {}): Logger {
  const config = { level: options.level ?? 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  return options.destination ? pino(config, options.destination) : pino(config);
}

/** A logger that drops everything (tests, CLI). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

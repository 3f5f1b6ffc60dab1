import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config/config.js';
import type { GatewayLogger } from '../server/gateway.js';
import { redactSecrets } from './log-redaction.js';

/**
 * The gateway's structured log: pino, one JSON object a line, credentials censored by
 * log-redaction.ts before a line is written.
 */

export interface LoggerOptions {
  level: LogLevel;
  /** Where lines go; stdout when omitted. Tests pass an in-memory stream. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      // "level":"info" rather than 30: readable without a lookup table, and what log shippers expect.
      formatters: { level: (label) => ({ level: label }), log: (fields) => redactSecrets(fields) },
      timestamp: pino.stdTimeFunctions.isoTime,
      base: { service: 'anypoint-graph', pid: process.pid },
    },
    options.destination,
  );
}

/** Line-oriented sinks, as the CLI's io gives them (no trailing newline). */
export interface LineSinks {
  out(line: string): void;
  err(line: string): void;
}

/**
 * `serve`'s destination: info and below to stdout, warn and above to stderr, one JSON line each,
 * so a failing gateway's complaints stand out in a terminal and stay separable in a collector.
 */
export function lineDestination(sinks: LineSinks): DestinationStream {
  const sink = (write: (line: string) => void): DestinationStream => ({ write: (chunk: string) => write(chunk.replace(/\n$/, '')) });
  return pino.multistream(
    [
      { level: 'trace', stream: sink((line) => sinks.out(line)) },
      { level: 'warn', stream: sink((line) => sinks.err(line)) },
    ],
    // Each line goes only to the stream with the highest level it reaches.
    { dedupe: true },
  );
}

/** The gateway's logger interface over pino: message last, fields merged into the line. */
export function gatewayLogger(logger: Logger): GatewayLogger {
  return {
    debug: (message, fields) => logger.debug(fields ?? {}, message),
    info: (message, fields) => logger.info(fields ?? {}, message),
    warn: (message, fields) => logger.warn(fields ?? {}, message),
    error: (message, fields) => logger.error(fields ?? {}, message),
  };
}

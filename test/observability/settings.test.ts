import { describe, expect, it } from 'vitest';
import { problemsOf } from '../helpers/config.js';
import { readConfig } from '../../src/config/config.js';

/** The observability and shutdown settings, as readConfig validates them. */


describe('observability settings', () => {
  it('log at info, trace nothing and drain for 10 s when unset', () => {
    const config = readConfig({});
    expect(config.observability).toEqual({ logLevel: 'info', otlpEndpoint: null, serviceName: 'anypoint-graph' });
    expect(config.shutdownTimeoutMs).toBe(10_000);
  });

  it('take a collector base URL without its trailing slash, a service name, a level and a timeout', () => {
    const config = readConfig({ LOG_LEVEL: 'debug', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/', OTEL_SERVICE_NAME: 'graph-eu', SHUTDOWN_TIMEOUT_MS: '0' });
    expect(config.observability).toEqual({ logLevel: 'debug', otlpEndpoint: 'http://collector:4318', serviceName: 'graph-eu' });
    expect(config.shutdownTimeoutMs).toBe(0);
  });

  it('refuse an unknown level, an endpoint that is no http(s) URL and a negative timeout, listing all three', () => {
    const problems = problemsOf({ LOG_LEVEL: 'loud', OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector:4317', SHUTDOWN_TIMEOUT_MS: '-1' });
    expect(problems).toEqual([
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL, got "grpc://collector:4317"',
      'SHUTDOWN_TIMEOUT_MS must be an integer from 0 to 600000, got "-1"',
    ]);
  });
});

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpServerSettings } from '../config/config.js';
import { limitConnections, serverTimeouts } from './connection-limits.js';
import { ClientAbortError } from './request-body.js';

/**
 * The gateway's listening socket: Node's HTTP server with the HTTP_* timeouts and connection
 * caps, a last-resort answer for a request whose handler threw, and the drain a shutdown waits
 * for.
 */
export interface ListenerLog {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface HttpListenerOptions {
  host: string;
  port: number;
  settings: HttpServerSettings;
  log: ListenerLog;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

export interface HttpListener {
  /** http://host:port, with the port the system picked for port 0. */
  url: string;
  /**
   * Stops accepting connections, closes idle kept-alive ones and lets the requests in flight
   * finish (their answers say `Connection: close`); after `timeoutMs` closes the connections
   * still open. Resolves true when it had to.
   */
  drain(timeoutMs: number): Promise<boolean>;
}

export async function listenHttp(options: HttpListenerOptions): Promise<HttpListener> {
  const { log, settings } = options;
  // Responses still being worked on, so a shutdown can wait for them (and count them).
  const inflight = new Set<ServerResponse>();
  let draining = false;

  // One listener for every response (Node calls it with the response as `this`), not a closure per request.
  function untrack(this: ServerResponse) {
    inflight.delete(this);
    // The connection it leaves idle would keep the drain waiting until its keep-alive timeout.
    if (draining) setImmediate(() => server.closeIdleConnections());
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    inflight.add(res);
    res.on('close', untrack);
    // A request that arrives on a kept-alive connection during the drain is served, then the connection closed.
    if (draining) res.setHeader('connection', 'close');
    options.handle(req, res).catch((error: unknown) => {
      // A client hanging up mid-body is routine (one load test logged 22,480 stack traces of it):
      // a debug line, no stack, and nobody left to answer.
      if (error instanceof ClientAbortError) {
        log.debug('client went away before sending its whole request', { requestId: res.getHeader('x-request-id') ?? null });
        return;
      }
      log.error('request failed', { error: error instanceof Error ? error.stack : String(error) });
      if (res.destroyed) return;
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }));
    });
  };

  const server = createServer(serverTimeouts(settings), onRequest);
  // With a listener here Node does not answer "Expect: 100-continue" by itself: the handler
  // refuses a caller without credentials before asking for its body (request-body.ts).
  server.on('checkContinue', onRequest);
  limitConnections(server, {
    maxConnections: settings.maxConnections,
    maxConnectionsPerClient: settings.maxConnectionsPerClient,
    onRefused: (client, open) => log.debug('connection refused: too many open from one client', { client, open, max: settings.maxConnectionsPerClient }),
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`,
    async drain(timeoutMs) {
      draining = true;
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      for (const res of inflight) if (!res.headersSent) res.setHeader('connection', 'close');
      log.info('shutting down: no longer accepting connections', { inflightRequests: inflight.size, timeoutMs });
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<true>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs)));
      const timedOut = await Promise.race([drained.then(() => false as const), expired]);
      clearTimeout(timer);
      if (timedOut) {
        log.warn('shutdown timeout: closing connections with requests still running', { inflightRequests: inflight.size, timeoutMs });
        server.closeAllConnections();
        await drained;
      } else {
        log.info('in-flight requests finished');
      }
      return timedOut;
    },
  };
}

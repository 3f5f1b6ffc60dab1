import type { Server } from 'node:http';
import { isIP, type Socket } from 'node:net';
import type { HttpServerSettings } from '../config/config.js';

/**
 * What one HTTP listener lets its clients hold. Node's defaults let a slow body stay for about
 * 330 s (a 300 s request timeout checked every 30 s) and put no cap on connections, so 21,000
 * slow connections once came close to using up the process's file handles. Here the timeouts,
 * the total cap and a per-client-address cap come from HTTP_* settings.
 */

/**
 * Options for `createServer`: Node checks the header and request timeouts on a timer
 * (connectionsCheckingInterval, 30 s by default), so that timer runs often enough for a
 * timeout to cut a connection off close to when it expires.
 */
export function serverTimeouts(settings: Pick<HttpServerSettings, 'headersTimeoutMs' | 'requestTimeoutMs' | 'keepAliveTimeoutMs'>) {
  // Node refuses a headers timeout longer than the request timeout; the whole request bounds its headers anyway.
  const headersTimeout = Math.min(settings.headersTimeoutMs, settings.requestTimeoutMs);
  return {
    headersTimeout,
    requestTimeout: settings.requestTimeoutMs,
    keepAliveTimeout: settings.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.max(25, Math.min(1_000, Math.floor(headersTimeout / 4))),
  };
}

export interface ConnectionLimitOptions {
  maxConnections: number;
  maxConnectionsPerClient: number;
  /** Told of each connection refused for its client's cap (logged at debug: a flood must not flood the log too). */
  onRefused?: (client: string, open: number) => void;
}

/**
 * Caps open connections: in total (Node's own server.maxConnections, which drops the extra
 * socket before any byte is read), and per client address, counted on 'connection' and
 * released on 'close'. An IPv4 client seen through an IPv6 socket (::ffff:a.b.c.d) counts as
 * its IPv4 address. Behind a proxy every client shares the proxy's address: its pool must fit
 * under the per-client cap.
 */
export function limitConnections(server: Server, options: ConnectionLimitOptions): void {
  server.maxConnections = options.maxConnections;
  const openByClient = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const client = clientAddress(socket);
    const open = openByClient.get(client) ?? 0;
    if (open >= options.maxConnectionsPerClient) {
      options.onRefused?.(client, open);
      // Destroyed before its request is read: nothing was parsed, nothing is answered.
      socket.destroy();
      return;
    }
    openByClient.set(client, open + 1);
    socket.once('close', () => {
      const left = (openByClient.get(client) ?? 1) - 1;
      if (left <= 0) openByClient.delete(client);
      else openByClient.set(client, left);
    });
  });
}

/**
 * The client a connection counts against: its IPv4 address, or its IPv6 /64 (one subscriber's
 * network; a client given a /64 could otherwise open its connections from 2^64 addresses).
 */
function clientAddress(socket: Socket): string {
  const address = socket.remoteAddress ?? 'unknown';
  if (address.startsWith('::ffff:')) return address.slice('::ffff:'.length);
  if (isIP(address) !== 6) return address;
  return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
}

/** The eight hextets of an IPv6 address (:: filled in). */
function expandIPv6(address: string): string[] {
  const [head, tail] = address.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  return [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
}

import { connect, type Socket } from 'node:net';

/**
 * A TCP connection to the gateway that writes exactly the bytes a test gives it, as a slow or
 * hostile client would, and records what comes back and when the server closed it. Not a test
 * file itself.
 */
export interface RawSocket {
  socket: Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Resolves once the server (or the network) closed the connection. */
  closed: Promise<{ afterMs: number; error: string | null }>;
  /** Whether the connection is still open. */
  open(): boolean;
  write(text: string | Buffer): void;
  /** Resolves once `pattern` has been received (rejects after `timeoutMs`). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  destroy(): void;
}

/**
 * Connects to `origin` (http://host:port). `localAddress` picks the client address, e.g.
 * 127.0.0.2: on Linux every 127/8 address reaches loopback, so one test process can be
 * several clients.
 */
export async function openRawSocket(origin: string, localAddress?: string): Promise<RawSocket> {
  const { hostname, port } = new URL(origin);
  const socket = connect({ host: hostname, port: Number(port), localAddress });
  const started = performance.now();
  let data = '';
  let error: string | null = null;
  let isOpen = true;
  socket.on('data', (chunk: Buffer) => (data += chunk.toString('latin1')));
  socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
  const closed = new Promise<{ afterMs: number; error: string | null }>((resolve) =>
    socket.once('close', () => {
      isOpen = false;
      resolve({ afterMs: performance.now() - started, error });
    }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return {
    socket,
    received: () => data,
    closed,
    open: () => isOpen,
    write: (text) => void socket.write(text),
    async waitFor(pattern, timeoutMs = 2_000) {
      const deadline = performance.now() + timeoutMs;
      while (!pattern.test(data)) {
        if (performance.now() > deadline) throw new Error(`did not receive ${pattern} within ${timeoutMs} ms; got ${JSON.stringify(data.slice(0, 300))}`);
        if (!isOpen) throw new Error(`connection closed before ${pattern} arrived; got ${JSON.stringify(data.slice(0, 300))}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return data;
    },
    destroy: () => socket.destroy(),
  };
}

/** Writes `chunk` every `everyMs` until the socket closes or `stop()` is called. */
export function dribble(raw: RawSocket, chunk: string, everyMs: number): { stop(): void } {
  const timer = setInterval(() => {
    if (raw.open()) raw.write(chunk);
    else clearInterval(timer);
  }, everyMs);
  return { stop: () => clearInterval(timer) };
}

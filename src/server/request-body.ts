import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Reading a request body, and not reading one: a request refused before its body (no
 * credentials, too large a declared length) must still leave the connection in a known state.
 */

/** The client hung up before its request body arrived: nobody is left to answer, and nothing went wrong here. */
export class ClientAbortError extends Error {
  constructor() {
    super('The client closed the connection before sending its whole request body');
    this.name = 'ClientAbortError';
  }
}

const expectsContinue = (req: IncomingMessage) => /100-continue/i.test(String(req.headers.expect ?? ''));

/** The declared body length; null when the body is chunked (or the header is garbled: Node's parser refuses those anyway). */
export function declaredLength(req: IncomingMessage): number | null {
  const raw = req.headers['content-length'];
  if (raw === undefined) return req.headers['transfer-encoding'] ? null : 0;
  const length = Number(raw);
  return Number.isSafeInteger(length) && length >= 0 ? length : null;
}

/**
 * The body as text, or null once it grows past `limit` bytes (reading stops there; the caller
 * answers 413 and calls `refuseBody`). Rejects with ClientAbortError when the client hangs up
 * mid-body. Does not consume the stream with for-await: breaking out of that destroys the
 * socket, and the 413 would never reach the client.
 */
export function readBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<string | null> {
  // Gone while the caller was being authenticated: its 'close' has been and gone.
  if (req.destroyed) return Promise.reject(new ClientAbortError());
  // A client that asked first (curl does, for bodies over 1 KB) sends the body only now.
  if (expectsContinue(req)) res.writeContinue();
  return new Promise((resolve, reject) => {
    reading.set(req, new BodyRead(limit, resolve, reject));
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

/**
 * One body being read. Its listeners are the module's own functions (Node calls them with the
 * request as `this`), found again through `reading`: five closures per request, each named by
 * the TypeScript loader at run time, cost more than the read itself.
 */
class BodyRead {
  chunks: Buffer[] = [];
  size = 0;
  constructor(
    readonly limit: number,
    readonly resolve: (body: string | null) => void,
    readonly reject: (error: Error) => void,
  ) {}

  text(): string {
    return (this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks)).toString('utf8');
  }
}

const reading = new WeakMap<IncomingMessage, BodyRead>();

/** Ends the read: its listeners go, so whatever the stream does next reaches none of them. */
function settle(req: IncomingMessage): BodyRead {
  const read = reading.get(req)!;
  reading.delete(req);
  req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
  return read;
}

function onData(this: IncomingMessage, chunk: Buffer): void {
  const read = reading.get(this)!;
  read.size += chunk.length;
  if (read.size > read.limit) {
    this.pause();
    settle(this).resolve(null);
  } else {
    read.chunks.push(chunk);
  }
}

function onEnd(this: IncomingMessage): void {
  const read = settle(this);
  read.resolve(read.text());
}

// Node reports a hang-up mid-body as an 'aborted' ECONNRESET error, then 'close'.
function onError(this: IncomingMessage, error: Error): void {
  settle(this).reject(this.destroyed ? new ClientAbortError() : error);
}

function onClose(this: IncomingMessage): void {
  const read = settle(this);
  if (this.complete) read.resolve(read.text());
  else read.reject(new ClientAbortError());
}

/**
 * Call before answering a request whose body will not be read. A client waiting for
 * "100 Continue" sends no body, so its connection is closed after the answer (it could not
 * carry another request). Otherwise the body is dropped as it arrives, unparsed and unbuffered,
 * so the connection can serve the caller's next request; a client still sending after `limit`
 * bytes has its connection cut.
 */
export function refuseBody(req: IncomingMessage, res: ServerResponse, limit: number): void {
  if (req.complete || req.readableEnded || declaredLength(req) === 0) return;
  if (expectsContinue(req)) {
    res.setHeader('connection', 'close');
    return;
  }
  let dropped = 0;
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > limit) req.socket.destroy();
  });
  // A client hanging up while its body is dropped is no failure.
  req.on('error', () => undefined);
  req.resume();
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAnypointClient, type AnypointClient, type UpstreamCall } from '../../src/anypoint/client.js';
import type { ResolveHost } from '../../src/anypoint/checked-lookup.js';
import { DownloadError } from '../../src/anypoint/download-errors.js';
import type { DownloadLimits } from '../../src/anypoint/download.js';

/**
 * client.download() against real HTTP servers on loopback: the byte cap ends the connection,
 * redirects are followed only where a link could go, and host names are checked when resolved.
 */

const MB = 1_048_576;

interface FileServer {
  port: number;
  /** Connections the server accepted (a refused download must open none). */
  connections: number;
  /** Requests whose connection closed before the response was done: the client hung up. */
  abandoned: number;
  requests: string[];
  close(): Promise<void>;
}

async function fileServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<FileServer> {
  const state = { connections: 0, abandoned: 0, requests: [] as string[] };
  const server: Server = createServer((req, res) => {
    state.requests.push(req.url ?? '');
    res.on('close', () => {
      if (!res.writableFinished) state.abandoned += 1;
    });
    handler(req, res);
  });
  server.on('connection', () => (state.connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(state, {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** Writes spaces until the client goes away: a body with no length and no end. */
function endless(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const pump = () => {
    while (!res.destroyed && res.write(chunk));
    if (!res.destroyed) res.once('drain', pump);
  };
  pump();
}

const clients: AnypointClient[] = [];
const calls: UpstreamCall[] = [];
function downloader(limits: Partial<DownloadLimits>): AnypointClient {
  const client = createAnypointClient({
    // Never called: downloads need no token, and none of these links is on this origin.
    baseUrl: 'https://anypoint.invalid',
    clientId: 'id',
    clientSecret: 'secret',
    retryPolicy: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
    downloads: { maxBytes: MB, allowedHosts: ['localhost'], allowPrivateAddresses: true, ...limits },
    onCall: (call) => calls.push(call),
  });
  clients.push(client);
  return client;
}

async function refusalOf(promise: Promise<unknown>): Promise<DownloadError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DownloadError);
  return error as DownloadError;
}

let files: FileServer;
let internal: FileServer;

beforeAll(async () => {
  // Stands for an internal-only service: any request it sees is a download that got through.
  internal = await fileServer((_req, res) => res.end('internal only'));
  files = await fileServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/small') return void res.writeHead(200, { 'content-type': 'application/yaml' }).end('openapi: 3.0.3\n');
    if (url.pathname === '/announced-large') return void res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(2 * MB) }).end(Buffer.alloc(2 * MB));
    if (url.pathname === '/endless') return endless(req, res);
    if (url.pathname === '/to-internal') return void res.writeHead(302, { location: `http://internal.localtest:${internal.port}/x` }).end();
    if (url.pathname === '/to-small') return void res.writeHead(307, { location: '/small' }).end();
    if (url.pathname === '/loop') return void res.writeHead(302, { location: '/loop' }).end();
    res.writeHead(404).end();
  });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  calls.length = 0;
});

afterAll(async () => {
  await files.close();
  await internal.close();
});

describe('client.download', () => {
  it('fetches a file under the cap from an allowed host', async () => {
    const { body, contentType } = await downloader({}).download(`http://localhost:${files.port}/small?signature=abc`);
    expect(body).toBe('openapi: 3.0.3\n');
    expect(contentType).toBe('application/yaml');
  });

  it('stops at the Content-Length of a file over the cap, without retrying (DOWNLOAD_TOO_LARGE)', async () => {
    const before = files.requests.length;
    const error = await refusalOf(downloader({}).download(`http://localhost:${files.port}/announced-large?signature=abc`));
    expect(error.code).toBe('DOWNLOAD_TOO_LARGE');
    expect(error.message).toBe(`The file at localhost:${files.port} is larger than 1 MB (DOWNLOAD_MAX_MB); the download was stopped`);
    expect(files.requests.length - before).toBe(1);
  });

  it('cuts off a body with no length at the cap and closes its connection', async () => {
    const abandoned = files.abandoned;
    const error = await refusalOf(downloader({}).download(`http://localhost:${files.port}/endless`));
    expect(error.code).toBe('DOWNLOAD_TOO_LARGE');
    // The server learns of it when the client destroys the socket.
    await expect.poll(() => files.abandoned).toBe(abandoned + 1);
  });

  it('follows a redirect to where a link could go', async () => {
    const { body } = await downloader({}).download(`http://localhost:${files.port}/to-small`);
    expect(body).toBe('openapi: 3.0.3\n');
  });

  it('refuses a redirect off the list without contacting its target', async () => {
    const error = await refusalOf(downloader({}).download(`http://localhost:${files.port}/to-internal`));
    expect(error).toMatchObject({ code: 'DOWNLOAD_REFUSED', message: `The redirect from localhost:${files.port} points at internal.localtest:${internal.port}, which is not the control plane and not on DOWNLOAD_ALLOWED_HOSTS` });
    expect(internal.connections).toBe(0);
  });

  it('gives up after three redirects', async () => {
    const error = await refusalOf(downloader({}).download(`http://localhost:${files.port}/loop`));
    expect(error).toMatchObject({ code: 'DOWNLOAD_REFUSED', message: expect.stringContaining('redirected more than 3 times') });
  });

  it('refuses a host off the list before sending anything', async () => {
    const error = await refusalOf(downloader({}).download(`http://internal.localtest:${internal.port}/x?signature=abc`));
    expect(error.code).toBe('DOWNLOAD_REFUSED');
    expect(error.message).not.toContain('signature');
    expect(internal.connections).toBe(0);
    expect(calls).toEqual([]);
  });

  it('refuses a name that resolves to loopback when private addresses are off, before connecting', async () => {
    const connections = files.connections;
    const error = await refusalOf(downloader({ allowPrivateAddresses: false }).download(`http://localhost:${files.port}/small`));
    expect(error).toMatchObject({ code: 'DOWNLOAD_REFUSED', message: expect.stringMatching(/^The file link's host localhost resolves to a non-public address \(loopback\)/) });
    expect(files.connections).toBe(connections);
  });

  it('checks what the resolver answers for a name, once, and never retries a refusal', async () => {
    const asked: string[] = [];
    const resolveHost: ResolveHost = async (host) => (asked.push(host), [{ address: '10.0.0.1', family: 4 }]);
    const client = downloader({ allowedHosts: ['*.example.test'], allowPrivateAddresses: false, resolveHost });
    const error = await refusalOf(client.download('https://files.example.test/spec.yaml'));
    expect(error.message).toContain('files.example.test resolves to a non-public address (private)');
    expect(asked).toEqual(['files.example.test']);
    expect(calls.map((c) => c.attempt)).toEqual([1]);
  });
});

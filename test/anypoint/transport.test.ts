import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from 'undici';
import { AnypointError } from '../../src/anypoint/errors.js';
import { send, type TransportRequest } from '../../src/anypoint/transport.js';

/**
 * The transport against a plain HTTP server that answers whatever each test needs: bodies by
 * content type, and the failures the simulator does not produce (malformed JSON, a connection
 * cut mid-body, an abort while the body is still arriving).
 */

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const routes = new Map<string, Handler>();
let server: Server;
let origin: string;
const agent = new Agent({ connections: 4 });

beforeAll(async () => {
  server = createServer((req, res) => {
    const handler = routes.get(req.url ?? '');
    if (handler) handler(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await agent.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const get = (path: string, extra: Partial<TransportRequest> = {}) => send(agent, origin, { method: 'GET', path, route: path, headers: { accept: 'application/json' }, ...extra });

async function failure(promise: Promise<unknown>): Promise<AnypointError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(AnypointError);
  return error as AnypointError;
}

describe('send', () => {
  it('parses JSON, even when it arrives in several chunks', async () => {
    const users = Array.from({ length: 2000 }, (_, i) => ({ id: `u${i}`, username: `user-${i}`, email: `user-${i}@example.com` }));
    routes.set('/json', (_, res) => {
      const text = JSON.stringify({ total: users.length, data: users });
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'x-ratelimit-remaining': '7' });
      res.write(text.slice(0, 1000));
      setTimeout(() => res.end(text.slice(1000)), 10);
    });
    const response = await get('/json');
    expect(response.status).toBe(200);
    expect(response.headers['x-ratelimit-remaining']).toBe('7');
    expect(response.body).toEqual({ total: 2000, data: users });
  });

  it('decodes UTF-8 split across chunks', async () => {
    routes.set('/utf8', (_, res) => {
      const bytes = Buffer.from(JSON.stringify({ name: 'Zoë – 東京' }));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(bytes.subarray(0, 12));
      setTimeout(() => res.end(bytes.subarray(12)), 10);
    });
    expect((await get('/utf8')).body).toEqual({ name: 'Zoë – 東京' });
  });

  it('gives text as a string, other content as a Buffer, and no body as undefined', async () => {
    routes.set('/yaml', (_, res) => res.writeHead(200, { 'content-type': 'application/yaml' }).end('openapi: 3.0.0\n'));
    routes.set('/zip', (_, res) => res.writeHead(200, { 'content-type': 'application/zip' }).end(Buffer.from([0x50, 0x4b, 1, 2])));
    routes.set('/empty-json', (_, res) => res.writeHead(200, { 'content-type': 'application/json' }).end());
    routes.set('/no-content', (_, res) => res.writeHead(204).end());
    expect((await get('/yaml')).body).toBe('openapi: 3.0.0\n');
    const zip = (await get('/zip')).body;
    expect(Buffer.isBuffer(zip) && [...zip]).toEqual([0x50, 0x4b, 1, 2]);
    expect((await get('/empty-json')).body).toBeUndefined();
    const noContent = await get('/no-content');
    expect(noContent.status).toBe(204);
    expect(noContent.body).toBeUndefined();
  });

  it('answers an error status with its body, for the retry layer to judge', async () => {
    routes.set('/missing', (_, res) => res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not found"}'));
    const response = await get('/missing');
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ message: 'Not found' });
  });

  it('reports malformed JSON as UPSTREAM_UNAVAILABLE with the status it came with', async () => {
    routes.set('/malformed', (_, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"data": ['));
    const error = await failure(get('/malformed'));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.status).toBe(200);
    expect(error.upstreamMessage).toBe('The platform sent malformed JSON');
  });

  it('reports a connection cut mid-body as UPSTREAM_UNAVAILABLE', async () => {
    routes.set('/cut', (_, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"data": [');
      setTimeout(() => res.socket?.destroy(), 10);
    });
    const error = await failure(get('/cut'));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.status).toBeNull();
  });

  it('reports an abort while the body is arriving, or before sending, as ABORTED', async () => {
    routes.set('/slow-body', (_, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"data": [');
      setTimeout(() => res.end(']}'), 500);
    });
    const controller = new AbortController();
    const pending = get('/slow-body', { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect((await failure(pending)).code).toBe('ABORTED');
    expect((await failure(get('/slow-body', { signal: AbortSignal.abort() }))).code).toBe('ABORTED');
  });

  it('aborts a request that is still queued for a connection, and lets the one ahead finish', async () => {
    routes.set('/slow', (_, res) => setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'), 200));
    const single = new Agent({ connections: 1 });
    try {
      const ahead = send(single, origin, { method: 'GET', path: '/slow', route: '/slow', headers: {} });
      const controller = new AbortController();
      const queued = send(single, origin, { method: 'GET', path: '/slow', route: '/slow', headers: {}, signal: controller.signal });
      setTimeout(() => controller.abort(), 50);
      expect((await failure(queued)).code).toBe('ABORTED');
      expect((await ahead).body).toEqual({ ok: true });
    } finally {
      await single.close();
    }
  });
});

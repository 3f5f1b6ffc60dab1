import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/server/api-keys.js';
import { complaints, startLoggedGateway, type LoggedGateway } from './logged-gateway.js';
import { dribble, openRawSocket, type RawSocket } from './raw-socket.js';
import { expectResponsiveDuring } from './support.js';

/**
 * The gateway's HTTP server against slow and hostile clients, over real loopback sockets: the
 * HTTP_* timeouts cut slow headers and bodies off, the connection caps refuse the extra
 * sockets, refusals happen before the body is read, and nothing routine floods the log.
 */

let gw: LoggedGateway | undefined;
const sockets: RawSocket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await gw?.close();
  gw = undefined;
});

async function open(origin: string, localAddress?: string): Promise<RawSocket> {
  const socket = await openRawSocket(origin, localAddress);
  sockets.push(socket);
  return socket;
}

/**
 * `count` slow clients in a child process, from 127.0.0.2: half send their headers a byte every
 * 100 ms, half send whole headers and then their body a byte every 100 ms. Resolves with how
 * long each connection lasted before the gateway closed it.
 */
function slowClientFlood(origin: string, count: number): Promise<number[]> {
  const { hostname, port } = new URL(origin);
  const script = `
    const net = require('node:net');
    const [host, port, count] = process.argv.slice(1);
    const lasted = [];
    // Opened over about 300 ms, as a slowloris tool ramps up, each timing its own life.
    for (let i = 0; i < Number(count); i++) setTimeout(() => slowClient(i), i);
    function slowClient(i) {
      const started = Date.now();
      const socket = net.connect({ host, port: Number(port), localAddress: '127.0.0.2' });
      socket.on('error', () => {});
      socket.on('data', () => {});
      socket.once('connect', () => socket.write(i % 2 ? 'GET /healthz HTTP/1.1\\r\\nHost: a\\r\\nX: ' : 'POST /graphql HTTP/1.1\\r\\nHost: a\\r\\nContent-Type: application/json\\r\\nContent-Length: 50000\\r\\n\\r\\n'));
      const drip = setInterval(() => socket.writable && socket.write('x'), 100);
      socket.once('close', () => {
        clearInterval(drip);
        lasted.push(Date.now() - started);
        if (lasted.length === Number(count)) process.stdout.write(JSON.stringify(lasted));
      });
    }
    setTimeout(() => process.exit(1), 20000).unref();
  `;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', script, hostname, port, String(count)], { timeout: 20_000 }, (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout) as number[])));
  });
}

/** Polls `check` (every 20 ms, up to 5 s) until it holds; whether it did. */
async function eventually(check: () => Promise<boolean>): Promise<boolean> {
  for (const started = Date.now(); Date.now() - started < 5_000; await sleep(20)) {
    if (await check().catch(() => false)) return true;
  }
  return false;
}

const READER_KEY = `agk_${'r'.repeat(43)}`;
const healthz = (host = 'gateway') => `GET /healthz HTTP/1.1\r\nHost: ${host}\r\n\r\n`;
const postHead = (length: number, headers = '') => `POST /graphql HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n${headers}\r\n`;

describe('slow clients', () => {
  it('cuts off a client that sends its headers slowly once HTTP_HEADERS_TIMEOUT_MS has passed', async () => {
    gw = await startLoggedGateway({ HTTP_HEADERS_TIMEOUT_MS: '300', HTTP_REQUEST_TIMEOUT_MS: '5000' });
    const slow = await open(gw.origin);
    slow.write('GET /healthz HTTP/1.1\r\nHost: gateway\r\n');
    // One more header byte every 50 ms: the connection is never idle, only slow.
    const drip = dribble(slow, 'x', 50);
    slow.write('X-Slow: ');
    const { afterMs } = await slow.closed;
    drip.stop();
    // Node's default would have kept it for 60 s; the margin is for a loaded machine.
    expect(afterMs).toBeGreaterThanOrEqual(250);
    expect(afterMs).toBeLessThan(10_000);
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('cuts off a client that sends its body slowly once HTTP_REQUEST_TIMEOUT_MS has passed', async () => {
    gw = await startLoggedGateway({ HTTP_HEADERS_TIMEOUT_MS: '300', HTTP_REQUEST_TIMEOUT_MS: '800' });
    const slow = await open(gw.origin);
    slow.write(postHead(100_000));
    const drip = dribble(slow, ' ', 50);
    const { afterMs } = await slow.closed;
    drip.stop();
    // Node's default: 300 s, checked every 30 s; the margin is for a loaded machine.
    expect(afterMs).toBeGreaterThanOrEqual(700);
    expect(afterMs).toBeLessThan(20_000);
    expect(complaints(gw.lines)).toEqual([]);
  });

  it('keeps /healthz answering while 300 slow clients hold connections, and cuts every one of them off', async () => {
    gw = await startLoggedGateway({ HTTP_HEADERS_TIMEOUT_MS: '400', HTTP_REQUEST_TIMEOUT_MS: '1000', HTTP_MAX_CONNECTIONS_PER_CLIENT: '1000' });
    const origin = gw.origin;
    // The attackers run in a process of their own, as they would on another machine, so their
    // timers do not compete with the gateway for this event loop; they come from 127.0.0.2,
    // the health probes from 127.0.0.1.
    const closedAfter = await expectResponsiveDuring(origin, () => slowClientFlood(origin, 300));
    expect(closedAfter).toHaveLength(300);
    // Every one within the timeouts' reach (Node would have held them for minutes).
    expect(Math.max(...closedAfter)).toBeLessThan(15_000);
  });
});

describe('connection caps', () => {
  it('refuses the connection over HTTP_MAX_CONNECTIONS and serves the others', async () => {
    gw = await startLoggedGateway({ HTTP_MAX_CONNECTIONS: '5', HTTP_MAX_CONNECTIONS_PER_CLIENT: '100' });
    const held = await Promise.all(Array.from({ length: 5 }, () => open(gw!.origin)));
    // Each of the five is really accepted: it answers a request and stays open (keep-alive).
    for (const socket of held) {
      socket.write(healthz());
      await socket.waitFor(/"status":"ok"/);
    }
    const extra = await open(gw.origin);
    extra.write(healthz());
    await extra.closed;
    expect(extra.received()).toBe('');
    // The five are still served, and once one goes, a new connection gets in.
    held[0]!.write(healthz());
    await held[0]!.waitFor(/"status":"ok"[\s\S]*"status":"ok"/);
    held[4]!.destroy();
    await held[4]!.closed;
    // The server sees the close a moment later: until then a new connection may still be refused.
    expect(await eventually(async () => (await fetch(`${gw!.origin}/healthz`)).status === 200)).toBe(true);
  });

  it('refuses the connection over HTTP_MAX_CONNECTIONS_PER_CLIENT from one address while other clients are served', async () => {
    gw = await startLoggedGateway({ HTTP_MAX_CONNECTIONS_PER_CLIENT: '3' });
    const held = await Promise.all(Array.from({ length: 3 }, () => open(gw!.origin, '127.0.0.2')));
    for (const socket of held) {
      socket.write(healthz());
      await socket.waitFor(/"status":"ok"/);
    }
    const extra = await open(gw.origin, '127.0.0.2');
    extra.write(healthz());
    expect((await extra.closed).afterMs).toBeLessThan(1_000);
    expect(extra.received()).toBe('');
    // Another address is not affected, and the three still answer.
    const other = await open(gw.origin, '127.0.0.3');
    other.write(healthz());
    await other.waitFor(/"status":"ok"/);
    held[1]!.write(healthz());
    await held[1]!.waitFor(/"status":"ok"[\s\S]*"status":"ok"/);
    // The refusal is a debug line, not a warning per socket.
    expect(complaints(gw.lines)).toEqual([]);
    expect(gw.lines).toContainEqual(expect.objectContaining({ level: 'debug', message: 'connection refused: too many open from one client' }));
  });
});

describe('cheap refusals', () => {
  it('answers an anonymous caller 401 before reading its 1 MiB body when ANONYMOUS_READS is off, and the connection stays usable', async () => {
    gw = await startLoggedGateway({ ANONYMOUS_READS: 'false', API_KEYS: `reader:reader:${hashApiKey(READER_KEY)}` });
    const body = Buffer.alloc(1_048_576, ' ');
    const client = await open(gw.origin);
    client.write(postHead(body.length));
    // Only the first 64 KB: a gateway that waited for the body would never answer.
    client.write(body.subarray(0, 65_536));
    const answer = await client.waitFor(/\r\n\r\n\{[^]*\}$/, 1_000);
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
    expect(answer).toContain('"code":"UNAUTHENTICATED"');
    expect(answer.toLowerCase()).toContain('www-authenticate: bearer, apikey');
    // The rest of the body is dropped unparsed; the same connection then carries the next request.
    client.write(body.subarray(65_536));
    client.write(healthz());
    await client.waitFor(/"status":"ok"/);
    expect(client.open()).toBe(true);
  });

  it('answers a declared body over HTTP_MAX_BODY_KB with 413 at once', async () => {
    gw = await startLoggedGateway({ HTTP_MAX_BODY_KB: '16' });
    const client = await open(gw.origin);
    client.write(postHead(1_000_000));
    const answer = await client.waitFor(/\r\n\r\n\{[^]*\}$/, 1_000);
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain('"code":"BAD_REQUEST"');
  });

  it('answers a streamed body that grows past HTTP_MAX_BODY_KB with 413, which reaches the client', async () => {
    gw = await startLoggedGateway({ HTTP_MAX_BODY_KB: '16' });
    const client = await open(gw.origin);
    client.write('POST /graphql HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
    const chunk = 'x'.repeat(8_192);
    for (let i = 0; i < 3; i++) client.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    const answer = await client.waitFor(/\r\n\r\n\{[^]*\}$/, 1_000);
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
  });
});

describe('log floods', () => {
  it('logs a client that hangs up mid-body at debug, without a stack trace', async () => {
    gw = await startLoggedGateway();
    for (let i = 0; i < 20; i++) {
      const client = await open(gw.origin);
      client.write(postHead(10_000));
      client.write('{"query":"{ viewer');
      await sleep(10);
      client.destroy();
      await client.closed;
    }
    const wentAway = () => gw!.lines.filter((l) => l.message === 'client went away before sending its whole request');
    expect(await eventually(async () => wentAway().length === 20)).toBe(true);
    expect(complaints(gw.lines)).toEqual([]);
    expect(wentAway()).toHaveLength(20);
    expect(gw.lines.filter((l) => l.message === 'client went away before sending its whole request').every((l) => l.level === 'debug')).toBe(true);
    // Still serving.
    expect((await fetch(`${gw.origin}/healthz`)).status).toBe(200);
  });
});

describe('hostile GraphQL input', () => {
  const post = async (body: unknown) => {
    const res = await fetch(gw!.gateway.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, text: await res.text() };
  };

  it('answers an unknown _entities typename with BAD_USER_INPUT and logs no stack', async () => {
    gw = await startLoggedGateway();
    const { text } = await post({ query: 'query ($r: [_Any!]!) { _entities(representations: $r) { __typename } }', variables: { r: [{ __typename: 'NoSuchType', id: '1' }] } });
    const body = JSON.parse(text) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors[0]!.message).toContain('"NoSuchType"');
    expect(complaints(gw.lines)).toEqual([]);
  });

  it('answers a persisted-query hash that does not match its query with PERSISTED_QUERY_HASH_MISMATCH', async () => {
    gw = await startLoggedGateway();
    const { status, text } = await post({ query: '{ viewer { clientId } }', extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } });
    expect(status).toBe(400);
    expect(JSON.parse(text)).toEqual({ errors: [expect.objectContaining({ extensions: { code: 'PERSISTED_QUERY_HASH_MISMATCH' } })] });
    expect(complaints(gw.lines)).toEqual([]);
  });

  it('sends a 900 KB id or username back truncated, never whole', async () => {
    gw = await startLoggedGateway();
    const huge = 'u'.repeat(900_000);
    const byId = await post({ query: 'query ($id: ID!) { user(id: $id) { id } }', variables: { id: huge } });
    const byName = await post({ query: 'query ($name: String!) { userByUsername(username: $name) { id } }', variables: { name: huge } });
    for (const answer of [byId, byName]) expect(answer.text.length).toBeLessThan(1_000);
    // Too long for a URL: the caller's input, not an outage.
    expect(JSON.parse(byId.text).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const notFound = JSON.parse(byName.text).errors[0] as { message: string; extensions: { code: string } };
    expect(notFound).toEqual(expect.objectContaining({ message: `User ${'u'.repeat(64)}… was not found`, extensions: { code: 'NOT_FOUND' } }));
  });
});

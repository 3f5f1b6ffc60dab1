import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/server/api-keys.js';
import type { ApiInstanceRecord } from '../../src/simulator/model.js';
import { startGatewayFor, type GatewayHarness, type GqlResult } from '../helpers/gateway.js';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';
import { expectResponsiveDuring } from './support.js';

/**
 * Spec downloads under attack, replayed over real HTTP: the simulator serves a zip bomb, an
 * oversized file and an archive of too many entries, or hands out file links to an internal
 * service, a cloud metadata address or a private network. Each answer keeps every other field
 * and API, with `specification.content` null and a typed error on that field alone.
 */

const KEY = 'abuse-downloads-key-0123456789abcdef';
const AUTH = { 'x-api-key': KEY, 'cache-control': 'no-cache' };
const MB = 1_048_576;

interface Service {
  port: number;
  /** Connections accepted: a refused download must never open one. */
  connections: number;
  close(): Promise<void>;
}

/** A loopback HTTP server standing for a service only the gateway's network can reach. */
async function startService(body: string): Promise<Service> {
  const server: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/yaml' }).end(body));
  const service = { port: 0, connections: 0, close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))) };
  server.on('connection', () => (service.connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  service.port = (server.address() as AddressInfo).port;
  return service;
}

let sim: SimHarness;
let strict: GatewayHarness;
let internal: Service;
const taken = new Set<string>();
let neighbour: ApiInstanceRecord;

const assetKeyOf = (api: ApiInstanceRecord) => `${api.groupId}/${api.assetId}/${api.assetVersion}`;
const assetOf = (api: ApiInstanceRecord) => sim.sim.store.assets.get(assetKeyOf(api))!;

/** An API whose Exchange asset no other test uses, with a spec of the given format. */
function freshApi(format: 'raml' | 'oas' | 'any'): ApiInstanceRecord {
  const api = [...sim.sim.store.apis.values()].find((a) => {
    const spec = assetOf(a)?.specFormat;
    return spec && (format === 'any' || spec === format) && !taken.has(assetKeyOf(a));
  });
  if (!api) throw new Error(`no unused API with a ${format} spec left`);
  taken.add(assetKeyOf(api));
  return api;
}

async function override(api: ApiInstanceRecord, attack: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${sim.url}/__sim/spec-files`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ asset: assetKeyOf(api), ...attack }) });
  expect(res.status).toBe(200);
}

const QUERY = `query($env: ID!, $id: ID!, $nenv: ID!, $nid: ID!) {
  target: api(environmentId: $env, id: $id) { id name exchangeAsset { name } specification { format mainFile downloadUrl content } }
  neighbour: api(environmentId: $nenv, id: $nid) { id name specification { content } }
}`;

function ask(gw: GatewayHarness, api: ApiInstanceRecord): Promise<GqlResult> {
  return gw.gql(QUERY, { env: api.environmentId, id: String(api.id), nenv: neighbour.environmentId, nid: String(neighbour.id) }, AUTH);
}

/**
 * The answer kept everything but the attacked content: the target's other fields, the neighbour
 * API and its spec; one error, on target.specification.content, with `code`. Returns its message.
 */
function expectOnlyContentFailed(answer: GqlResult, api: ApiInstanceRecord, code: string): string {
  expect(answer.status).toBe(200);
  const data = answer.data as Record<string, any>;
  const asset = assetOf(api);
  expect(data.target).toMatchObject({ id: String(api.id), name: asset.name, exchangeAsset: { name: asset.name }, specification: { format: asset.specFormat!.toUpperCase(), mainFile: asset.mainFile, content: null } });
  expect(data.target.specification.downloadUrl).toEqual(expect.any(String));
  expect(data.neighbour).toMatchObject({ id: String(neighbour.id), name: assetOf(neighbour).name });
  expect(data.neighbour.specification.content).toMatch(/^(openapi: 3|#%RAML 1\.0)/);
  expect(answer.errors).toHaveLength(1);
  const [error] = answer.errors!;
  expect(error).toMatchObject({ path: ['target', 'specification', 'content'], extensions: { code } });
  // The signed link is a credential: the message may name the host, never the path or signature.
  expect(error!.message).not.toMatch(/signature|__files|meta-data|X-Amz/i);
  return error!.message;
}

/** No upstream call (not even a failed one) went to `origin`: the refusal came before any connection. */
function expectNoCallTo(gw: GatewayHarness, origin: string): void {
  expect(gw.calls.filter((c) => c.route.startsWith(origin))).toEqual([]);
}

beforeAll(async () => {
  sim = await startSimHarness();
  internal = await startService('internal: only the gateway network sees this\n');
  strict = await startGatewayFor(sim, {
    API_KEYS: `abuse:reader:${hashApiKey(KEY)}`,
    DOWNLOAD_MAX_MB: '1',
    DOWNLOAD_MAX_ZIP_ENTRIES: '100',
    // Hosts on the list, so what refuses them below is the address or scheme check, not the list.
    DOWNLOAD_ALLOWED_HOSTS: 'localhost,10.0.0.1,169.254.169.254,*.example.com',
  });
  neighbour = freshApi('oas');
});

afterAll(async () => {
  await strict?.close();
  await internal?.close();
  await sim?.close();
});

describe('spec downloads under attack', () => {
  it('stops a zip bomb at the inflate limit while /healthz keeps answering', async () => {
    const api = freshApi('raml');
    // 128 MB of spaces in ~128 KB: under the 1 MB download cap, far over the 20 MB inflate limit.
    await override(api, { kind: 'zip-bomb', inflatedMb: 128 });
    const answer = await expectResponsiveDuring(strict.gateway.url, () => ask(strict, api));
    expect(expectOnlyContentFailed(answer, api, 'DOWNLOAD_TOO_LARGE')).toBe(`The specification archive file ${assetOf(api).mainFile} inflates to more than 20 MB (DOWNLOAD_MAX_INFLATED_MB)`);
  });

  it('stops an oversized download at DOWNLOAD_MAX_MB', async () => {
    const api = freshApi('oas');
    await override(api, { kind: 'oversized', mb: 3 });
    const message = expectOnlyContentFailed(await ask(strict, api), api, 'DOWNLOAD_TOO_LARGE');
    expect(message).toBe(`The file at ${new URL(sim.url).host} is larger than 1 MB (DOWNLOAD_MAX_MB); the download was stopped`);
  });

  it('refuses an archive of more entries than DOWNLOAD_MAX_ZIP_ENTRIES', async () => {
    const api = freshApi('raml');
    await override(api, { kind: 'many-entries', entries: 150 });
    expect(expectOnlyContentFailed(await ask(strict, api), api, 'DOWNLOAD_TOO_LARGE')).toBe('The specification archive lists 150 entries, more than 100 (DOWNLOAD_MAX_ZIP_ENTRIES)');
  });

  it('keeps a query over many specs within the answer size: a file that would not fit is refused', async () => {
    // Each file fits the download limit; two do not fit one answer.
    // (A 2 MB file of short lines is 3 MB of JSON: every newline is escaped.)
    const roomy = await startGatewayFor(sim, { API_KEYS: `abuse:reader:${hashApiKey(KEY)}`, DOWNLOAD_MAX_MB: '3', GRAPHQL_MAX_RESPONSE_MB: '5' });
    try {
      const [a, b] = [freshApi('oas'), freshApi('oas')];
      await override(a!, { kind: 'oversized', mb: 2 });
      await override(b!, { kind: 'oversized', mb: 2 });
      const answer = await roomy.gql(
        'query($ea: ID!, $a: ID!, $eb: ID!, $b: ID!) { a: api(environmentId: $ea, id: $a) { name specification { content } } b: api(environmentId: $eb, id: $b) { name specification { content } } }',
        { ea: a!.environmentId, a: String(a!.id), eb: b!.environmentId, b: String(b!.id) },
        AUTH,
      );
      expect(answer.data, JSON.stringify(answer.errors)).toBeDefined();
      const data = answer.data as Record<string, { name: string; specification: { content: string | null } }>;
      const contents = [data.a!.specification.content, data.b!.specification.content];
      expect(contents.filter((c) => c === null)).toHaveLength(1);
      expect(contents.find((c) => c !== null)!.length).toBeGreaterThan(2 * MB - 1024);
      expect(answer.errors).toEqual([expect.objectContaining({ extensions: { code: 'RESPONSE_TOO_LARGE' } })]);
      expect([data.a!.name, data.b!.name]).toEqual([assetOf(a!).name, assetOf(b!).name]);
    } finally {
      await roomy.close();
    }
  });

  it('refuses links to hosts off the list, even on the control plane host at another port', async () => {
    for (const link of [`http://internal.localtest:${internal.port}/latest/meta-data?signature=s3cr3t`, `http://127.0.0.1:${internal.port}/latest/meta-data?signature=s3cr3t`]) {
      const api = freshApi('any');
      await override(api, { kind: 'link', url: link });
      const message = expectOnlyContentFailed(await ask(strict, api), api, 'DOWNLOAD_REFUSED');
      expect(message).toBe(`The file link points at ${new URL(link).host}, which is not the control plane and not on DOWNLOAD_ALLOWED_HOSTS`);
      expectNoCallTo(strict, new URL(link).origin);
    }
    expect(internal.connections).toBe(0);
  });

  it('refuses hosts that are, or resolve to, private, link-local or loopback addresses, before connecting', async () => {
    const cases = [
      // On the list by name; the name resolves to loopback, refused in the connect's lookup.
      { link: `http://localhost:${internal.port}/admin?signature=s3cr3t`, why: `The file link's host localhost resolves to a non-public address (loopback)` },
      { link: 'https://10.0.0.1/spec.yaml?signature=s3cr3t', why: 'The file link points at 10.0.0.1, which is a non-public address (private)' },
      { link: 'https://169.254.169.254/latest/meta-data/iam/security-credentials/', why: 'The file link points at 169.254.169.254, which is a non-public address (link-local)' },
    ];
    for (const { link, why } of cases) {
      const api = freshApi('any');
      await override(api, { kind: 'link', url: link });
      expect(expectOnlyContentFailed(await ask(strict, api), api, 'DOWNLOAD_REFUSED')).toBe(`${why}, and DOWNLOAD_ALLOW_PRIVATE_ADDRESSES is off`);
    }
    // Literal addresses are refused before any attempt; the resolved name before its socket opened.
    expectNoCallTo(strict, 'https://10.0.0.1');
    expectNoCallTo(strict, 'https://169.254.169.254');
    expect(internal.connections).toBe(0);
  });

  it('refuses plain http links off loopback', async () => {
    for (const link of ['http://169.254.169.254/latest/meta-data/', 'http://specs.example.com/openapi.yaml?signature=s3cr3t']) {
      const api = freshApi('any');
      await override(api, { kind: 'link', url: link });
      const message = expectOnlyContentFailed(await ask(strict, api), api, 'DOWNLOAD_REFUSED');
      expect(message).toBe(`The file link to ${new URL(link).host} is plain http; only https is allowed off loopback`);
      expectNoCallTo(strict, new URL(link).origin);
    }
  });

  it('fetches a private host on the list once DOWNLOAD_ALLOW_PRIVATE_ADDRESSES is on', async () => {
    const intranet = await startService('openapi: 3.0.3\ninfo: { title: intranet }\n');
    const open = await startGatewayFor(sim, { API_KEYS: `abuse:reader:${hashApiKey(KEY)}`, DOWNLOAD_ALLOWED_HOSTS: 'localhost', DOWNLOAD_ALLOW_PRIVATE_ADDRESSES: 'true' });
    try {
      const api = freshApi('any');
      await override(api, { kind: 'link', url: `http://localhost:${intranet.port}/openapi.yaml` });
      const answer = await ask(open, api);
      expect(answer.errors).toBeUndefined();
      expect((answer.data as any).target.specification.content).toBe('openapi: 3.0.3\ninfo: { title: intranet }\n');
      expect(intranet.connections).toBe(1);
    } finally {
      await open.close();
      await intranet.close();
    }
  });
});

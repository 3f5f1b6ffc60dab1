import { randomUUID } from 'node:crypto';
import { connect as connectTcp, createServer } from 'node:net';
import { createClient } from '@keyv/redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSharedCache, identityPartition, type SharedCache } from '../../src/cache/shared-cache.js';
import { describeWithService, redisAvailable, REDIS_URL } from '../helpers/services.js';
import { closedPort } from '../helpers/ports.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));


/** The behaviour both backends share. `make` gives a fresh cache; the suite closes it. */
function roundTrip(make: () => SharedCache) {
  let cache: SharedCache;
  beforeAll(() => {
    cache = make();
  });
  afterAll(() => cache.close());

  it('returns what was set, and undefined once it is deleted', async () => {
    const value = { id: 'org-1', name: 'Acme', tags: ['a', 'b'], nested: { n: 1 } };
    await cache.set('organizations:org-1', value, 60_000);
    expect(await cache.get('organizations:org-1')).toEqual(value);
    await cache.delete(['organizations:org-1']);
    expect(await cache.get('organizations:org-1')).toBeUndefined();
  });

  it('returns undefined for a key never set', async () => {
    expect(await cache.get('organizations:never-set')).toBeUndefined();
  });

  it('deletes several keys at once, leaving the others', async () => {
    await cache.set('users:1', 'one', 60_000);
    await cache.set('users:2', 'two', 60_000);
    await cache.set('users:3', 'three', 60_000);
    await cache.delete(['users:1', 'users:3']);
    expect([await cache.get('users:1'), await cache.get('users:2'), await cache.get('users:3')]).toEqual([undefined, 'two', undefined]);
    await cache.delete(['users:2']);
  });

  it('keeps falsy values apart from misses', async () => {
    await cache.set('teams:zero', 0, 60_000);
    await cache.set('teams:empty', '', 60_000);
    await cache.set('teams:false', false, 60_000);
    expect(await cache.get('teams:zero')).toBe(0);
    expect(await cache.get('teams:empty')).toBe('');
    expect(await cache.get('teams:false')).toBe(false);
    await cache.delete(['teams:zero', 'teams:empty', 'teams:false']);
  });

  it('forgets an entry once its TTL has run out', async () => {
    await cache.set('apis:short', 'soon gone', 150);
    expect(await cache.get('apis:short')).toBe('soon gone');
    await sleep(400);
    expect(await cache.get('apis:short')).toBeUndefined();
  });

  it('stores nothing when the TTL is zero, since CACHE_TTL_SECONDS=0 means no caching', async () => {
    await cache.set('exchange:zero-ttl', 'not kept', 0);
    await sleep(20);
    expect(await cache.get('exchange:zero-ttl')).toBeUndefined();
  });

  it('keeps the entries of two partitions apart', async () => {
    const a = cache.partition('tenant-a');
    const b = cache.partition('tenant-b');
    await a.set('users:1', 'alice', 60_000);
    expect(await b.get('users:1')).toBeUndefined();
    expect(await cache.get('users:1')).toBeUndefined();
    await b.set('users:1', 'bob', 60_000);
    expect(await a.get('users:1')).toBe('alice');
    expect(await b.get('users:1')).toBe('bob');
    await b.delete(['users:1']);
    expect(await a.get('users:1')).toBe('alice');
    await a.delete(['users:1']);
    expect(await a.get('users:1')).toBeUndefined();
  });

  it('gives two views of the same partition the same entries', async () => {
    const partition = identityPartition('https://anypoint.mulesoft.com|client-1');
    await cache.partition(partition).set('apis:7', 'seven', 60_000);
    expect(await cache.partition(partition).get('apis:7')).toBe('seven');
    await cache.partition(partition).delete(['apis:7']);
  });
}

describe('createSharedCache in memory', () => {
  roundTrip(() => createSharedCache());

  it('says it is in memory without a Redis URL', async () => {
    const cache = createSharedCache();
    expect(cache.backend).toBe('memory');
    expect(cache.partition('p').backend).toBe('memory');
    await cache.close();
  });

  it('does not share entries between two in-memory caches', async () => {
    const one = createSharedCache();
    const two = createSharedCache();
    await one.set('k', 'v', 60_000);
    expect(await two.get('k')).toBeUndefined();
    await Promise.all([one.close(), two.close()]);
  });

  it('reports each lookup to onLookup as a hit or a miss, partitions included', async () => {
    const lookups: boolean[] = [];
    const cache = createSharedCache({ onLookup: (hit) => lookups.push(hit) });
    await cache.get('missing');
    await cache.set('present', 1, 60_000);
    await cache.get('present');
    await cache.partition('p').get('present');
    await cache.partition('p').set('x', 'y', 60_000);
    await cache.partition('p').get('x');
    expect(lookups).toEqual([false, true, false, true]);
    await cache.close();
  });
});

describe('identityPartition', () => {
  const clientId = '9b3f0c6e2a4d4e7f8a1b2c3d4e5f6a7b';

  it('gives different identities different partitions', () => {
    const partitions = new Set([
      identityPartition(`https://anypoint.mulesoft.com|${clientId}`),
      identityPartition(`https://eu1.anypoint.mulesoft.com|${clientId}`),
      identityPartition('https://anypoint.mulesoft.com|another-client'),
    ]);
    expect(partitions.size).toBe(3);
  });

  it('gives the same identity the same partition every time', () => {
    expect(identityPartition(`https://anypoint.mulesoft.com|${clientId}`)).toBe(identityPartition(`https://anypoint.mulesoft.com|${clientId}`));
  });

  it('does not contain the client id or the control plane', () => {
    const partition = identityPartition(`https://anypoint.mulesoft.com|${clientId}`);
    expect(partition).not.toContain(clientId);
    expect(partition).not.toContain(clientId.slice(0, 8));
    expect(partition).not.toContain('anypoint');
    // Safe as a key segment: no separator of its own.
    expect(partition).toMatch(/^[a-z0-9]+$/);
  });
});

describeWithService('createSharedCache in Redis', redisAvailable, () => {
  const namespace = `anypoint-graph-test-cache-${process.pid}-${randomUUID()}`;
  const opened: SharedCache[] = [];
  const open = (ns = namespace, onError?: (operation: string, error: unknown) => void) => {
    const cache = createSharedCache({ redisUrl: REDIS_URL, namespace: ns, onError });
    opened.push(cache);
    return cache;
  };
  afterAll(async () => {
    await Promise.all(opened.map((cache) => cache.close()));
  });

  describe('round trip', () => {
    roundTrip(() => open());
  });

  it('says it is in Redis', () => {
    expect(open().backend).toBe('redis');
  });

  it('lets two cache instances on the same Redis and namespace share entries, as gateway replicas do', async () => {
    const errors: unknown[] = [];
    const replicaA = open(namespace, (_op, error) => errors.push(error)).partition(identityPartition('https://anypoint.mulesoft.com|shared'));
    const replicaB = open(namespace, (_op, error) => errors.push(error)).partition(identityPartition('https://anypoint.mulesoft.com|shared'));
    await replicaA.set('organizations:tree', { orgs: ['root', 'child'] }, 60_000);
    expect(await replicaB.get('organizations:tree')).toEqual({ orgs: ['root', 'child'] });
    await replicaB.delete(['organizations:tree']);
    expect(await replicaA.get('organizations:tree')).toBeUndefined();
    expect(errors).toEqual([]);
  });

  it('keeps two namespaces on the same Redis apart', async () => {
    const one = open(`${namespace}-one`);
    const two = open(`${namespace}-two`);
    await one.set('k', 'from one', 60_000);
    expect(await two.get('k')).toBeUndefined();
    await one.delete(['k']);
  });

  it('keeps the raw client id out of the Redis key names', async () => {
    const clientId = `client-${randomUUID()}`;
    const cache = open().partition(identityPartition(`https://anypoint.mulesoft.com|${clientId}`));
    await cache.set('users:u1', 'someone', 60_000);
    const redis = createClient({ url: REDIS_URL });
    await redis.connect();
    try {
      const keys = await redis.keys(`${namespace}*`);
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) expect(key).not.toContain(clientId);
    } finally {
      await redis.close();
      await cache.delete(['users:u1']);
    }
  });
});

describe('createSharedCache with Redis unreachable', () => {
  let url: string;
  beforeAll(async () => {
    url = `redis://127.0.0.1:${await closedPort()}`;
  });

  let cache: SharedCache | undefined;
  afterEach(async () => {
    await cache?.close();
    cache = undefined;
  });

  it('treats every operation as a miss, reports each failure through onError, and neither throws nor hangs', { timeout: 30_000 }, async () => {
    const failures: Array<{ operation: string; error: unknown }> = [];
    const lookups: boolean[] = [];
    cache = createSharedCache({
      redisUrl: url,
      namespace: 'anypoint-graph-test-unreachable',
      onError: (operation, error) => failures.push({ operation, error }),
      onLookup: (hit) => lookups.push(hit),
    });
    expect(cache.backend).toBe('redis');

    await expect(cache.get('organizations:1')).resolves.toBeUndefined();
    await expect(cache.set('organizations:1', 'value', 60_000)).resolves.toBeUndefined();
    await expect(cache.delete(['organizations:1'])).resolves.toBeUndefined();
    await expect(cache.partition('p').get('organizations:1')).resolves.toBeUndefined();

    expect(failures.map((f) => f.operation)).toEqual(['get', 'set', 'delete', 'get']);
    for (const { error } of failures) expect(error).toBeInstanceOf(Error);
    expect(lookups).toEqual([false, false]);
  });

  it('closes without throwing', { timeout: 30_000 }, async () => {
    const failures: string[] = [];
    const unreachable = createSharedCache({ redisUrl: url, onError: (operation) => failures.push(operation) });
    await unreachable.get('k');
    await expect(unreachable.close()).resolves.toBeUndefined();
  });
});

/**
 * A TCP proxy in front of the real Redis that can drop every connection (Redis went away) or
 * swallow every request (Redis hung), to make a cache that was working fall sick.
 */
async function startRedisProxy(): Promise<{ url: string; drop(): Promise<void>; mute(): void; close(): Promise<void> }> {
  const sockets = new Set<import('node:net').Socket>();
  let muted = false;
  const server = createServer((downstream) => {
    const upstream = connectTcp(6379, '127.0.0.1');
    for (const socket of [downstream, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
    downstream.on('data', (chunk) => {
      if (!muted) upstream.write(chunk);
    });
    upstream.pipe(downstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const closeServer = () => new Promise<void>((resolve) => server.close(() => resolve()));
  const destroyAll = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    url: `redis://127.0.0.1:${address.port}`,
    async drop() {
      const closed = closeServer();
      destroyAll();
      await closed;
    },
    mute() {
      muted = true;
    },
    async close() {
      destroyAll();
      if (server.listening) await closeServer();
    },
  };
}

describeWithService('createSharedCache when a working Redis falls sick', redisAvailable, () => {
  const namespace = `anypoint-graph-test-sick-${process.pid}-${randomUUID()}`;

  async function sickCache(how: 'drop' | 'mute') {
    const proxy = await startRedisProxy();
    const failures: string[] = [];
    const lookups: boolean[] = [];
    const cache = createSharedCache({
      redisUrl: proxy.url,
      namespace,
      onError: (operation) => failures.push(operation),
      onLookup: (hit) => lookups.push(hit),
    });
    await cache.set('organizations:1', 'cached', 60_000);
    expect(await cache.get('organizations:1')).toBe('cached');
    expect(failures).toEqual([]);
    if (how === 'drop') await proxy.drop();
    else proxy.mute();
    lookups.length = 0;
    return { proxy, cache, failures, lookups };
  }

  it.each(['drop', 'mute'] as const)(
    'answers misses instead of hanging when Redis stops answering (%s), and reports each failure',
    { timeout: 30_000 },
    async (how) => {
      const { proxy, cache, failures, lookups } = await sickCache(how);
      try {
        await expect(cache.get('organizations:1')).resolves.toBeUndefined();
        await expect(cache.set('organizations:2', 'value', 60_000)).resolves.toBeUndefined();
        await expect(cache.delete(['organizations:1'])).resolves.toBeUndefined();
        expect(failures).toEqual(['get', 'set', 'delete']);
        expect(lookups).toEqual([false]);
        await expect(cache.close()).resolves.toBeUndefined();
      } finally {
        await proxy.close();
      }
    },
  );

  afterAll(async () => {
    const cleanup = createSharedCache({ redisUrl: REDIS_URL, namespace });
    await cleanup.delete(['organizations:1', 'organizations:2']);
    await cleanup.close();
  });
});

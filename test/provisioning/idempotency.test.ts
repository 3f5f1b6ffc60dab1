import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSharedCache, type SharedCache } from '../../src/cache/shared-cache.js';
import { createIdempotencyStore, fingerprintOf } from '../../src/provisioning/idempotency.js';
import { describeWithService, redisAvailable, REDIS_URL } from '../helpers/services.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('createIdempotencyStore', () => {
  let cache: SharedCache;
  beforeEach(() => {
    cache = createSharedCache();
  });
  afterEach(() => cache.close());

  it('gives back the saved outcome and fingerprint, with when it was saved', async () => {
    const store = createIdempotencyStore(cache, 60_000);
    const before = Date.now();
    await store.save('caller-1:addUsersToGroup', 'key-1', 'fp-1', { result: { added: 2 }, userErrors: [] });
    const stored = await store.lookup('caller-1:addUsersToGroup', 'key-1');
    expect(stored?.fingerprint).toBe('fp-1');
    expect(stored?.outcome).toEqual({ result: { added: 2 }, userErrors: [] });
    expect(Date.parse(stored?.at ?? '')).toBeGreaterThanOrEqual(before - 1_000);
  });

  it('answers undefined for a key never saved', async () => {
    expect(await createIdempotencyStore(cache, 60_000).lookup('scope', 'never-saved')).toBeUndefined();
  });

  it('keeps scopes apart: the same key under another scope is not a replay', async () => {
    const store = createIdempotencyStore(cache, 60_000);
    await store.save('caller-1:createGroup', 'key-1', 'fp', 'first caller');
    expect(await store.lookup('caller-2:createGroup', 'key-1')).toBeUndefined();
    expect(await store.lookup('caller-1:deleteGroup', 'key-1')).toBeUndefined();
    await store.save('caller-2:createGroup', 'key-1', 'fp', 'second caller');
    expect((await store.lookup('caller-1:createGroup', 'key-1'))?.outcome).toBe('first caller');
    expect((await store.lookup('caller-2:createGroup', 'key-1'))?.outcome).toBe('second caller');
  });

  it('does not let a scope and key that join to the same text collide', async () => {
    const store = createIdempotencyStore(cache, 60_000);
    await store.save('a:b', 'c', 'fp', 'one');
    expect(await store.lookup('a', 'b:c')).toBeUndefined();
  });

  it('keeps its entries out of the way of other cache keys, whatever the key says', async () => {
    const store = createIdempotencyStore(cache, 60_000);
    await cache.set('users:u1', 'a cached user', 60_000);
    await store.save('users', 'u1', 'fp', 'outcome');
    await store.save('', 'users:u1', 'fp', 'outcome');
    expect(await cache.get('users:u1')).toBe('a cached user');
  });

  it('forgets an outcome once ttlMs has run out', async () => {
    const store = createIdempotencyStore(cache, 150);
    await store.save('scope', 'key', 'fp', 'soon gone');
    expect(await store.lookup('scope', 'key')).toBeDefined();
    await sleep(400);
    expect(await store.lookup('scope', 'key')).toBeUndefined();
  });
});

describe('fingerprintOf', () => {
  it('does not depend on the order of object keys, at any depth', () => {
    const a = { groupId: 'g1', users: [{ email: 'a@x', role: 'dev' }], options: { notify: true, dryRun: false } };
    const b = { options: { dryRun: false, notify: true }, users: [{ role: 'dev', email: 'a@x' }], groupId: 'g1' };
    expect(fingerprintOf(a)).toBe(fingerprintOf(b));
  });

  it('treats an absent field and an undefined one alike', () => {
    expect(fingerprintOf({ groupId: 'g1', note: undefined })).toBe(fingerprintOf({ groupId: 'g1' }));
  });

  it('fingerprints the null-prototype objects GraphQL builds for inputs like plain ones', () => {
    const input = Object.assign(Object.create(null) as Record<string, unknown>, { name: 'Ops', members: ['u1'] });
    expect(fingerprintOf(input)).toBe(fingerprintOf({ members: ['u1'], name: 'Ops' }));
  });

  it('differs when any value changes, however deep', () => {
    const base = { groupId: 'g1', users: [{ email: 'a@x', role: 'dev' }] };
    const fingerprints = new Set([
      fingerprintOf(base),
      fingerprintOf({ ...base, groupId: 'g2' }),
      fingerprintOf({ ...base, users: [{ email: 'a@x', role: 'admin' }] }),
      fingerprintOf({ ...base, users: [{ email: 'a@x', role: 'dev' }, { email: 'b@x', role: 'dev' }] }),
      fingerprintOf({ ...base, extra: null }),
      fingerprintOf({ ...base, groupId: ['g1'] }),
    ]);
    expect(fingerprints.size).toBe(6);
  });

  it('keeps the order of array items significant', () => {
    expect(fingerprintOf(['u1', 'u2'])).not.toBe(fingerprintOf(['u2', 'u1']));
  });

  it('tells a number from the same digits as a string', () => {
    expect(fingerprintOf({ n: 1 })).not.toBe(fingerprintOf({ n: '1' }));
  });

  it('is a sha256 in hex', () => {
    expect(fingerprintOf({ a: 1 })).toMatch(/^[0-9a-f]{64}$/);
  });
});

describeWithService('createIdempotencyStore in Redis', redisAvailable, () => {
  const namespace = `anypoint-graph-test-idempotency-${randomUUID()}`;
  const replicas = [createSharedCache({ redisUrl: REDIS_URL, namespace }), createSharedCache({ redisUrl: REDIS_URL, namespace })];
  afterAll(async () => {
    await Promise.all(replicas.map((cache) => cache.close()));
  });

  it('replays on one replica an outcome saved on another', async () => {
    const [one, two] = replicas.map((cache) => createIdempotencyStore(cache, 60_000));
    await one!.save('caller-1:createGroup', 'key-1', fingerprintOf({ name: 'Ops' }), { result: { id: 'g1' } });
    const stored = await two!.lookup('caller-1:createGroup', 'key-1');
    expect(stored?.fingerprint).toBe(fingerprintOf({ name: 'Ops' }));
    expect(stored?.outcome).toEqual({ result: { id: 'g1' } });
  });
});

import { describe, expect, it } from 'vitest';
import { problemsOf } from '../helpers/config.js';
import { CONTROL_PLANES, ConfigError, readConfig } from '../../src/config/config.js';
import type { CacheKind } from '../../src/loaders/read-through.js';


const KINDS: CacheKind[] = ['organizations', 'environments', 'users', 'teams', 'members', 'apis', 'exchange'];
const ORG_ID = '6f1c2a7e-1b2d-4c3e-9f4a-5b6c7d8e9f00';
const CREDENTIALS = { ANYPOINT_CLIENT_ID: 'app-id', ANYPOINT_CLIENT_SECRET: 'app-secret' };


describe('readConfig defaults', () => {
  const config = readConfig({});

  it('listens on 127.0.0.1:4000 when nothing is set', () => {
    expect(config.port).toBe(4000);
    expect(config.host).toBe('127.0.0.1');
  });

  it('runs in simulator mode (no Anypoint settings) without credentials', () => {
    expect(config.anypoint).toBeNull();
    expect(config.simulator).toEqual({ preset: 'demo', seed: '42' });
  });

  it('caches every kind for 60 seconds in memory by default', () => {
    expect(config.cache.redisUrl).toBeNull();
    expect(config.cache.namespace).toBe('anypoint-graph');
    expect(Object.keys(config.cache.ttlMs).sort()).toEqual([...KINDS].sort());
    for (const kind of KINDS) expect(config.cache.ttlMs[kind]).toBe(60_000);
  });

  it('treats empty and blank values as unset', () => {
    const blank = readConfig({ PORT: '', HOST: '   ', ANYPOINT_BASE_URL: '', REDIS_URL: ' ' });
    expect(blank.port).toBe(4000);
    expect(blank.host).toBe('127.0.0.1');
    expect(blank.anypoint).toBeNull();
    expect(blank.cache.redisUrl).toBeNull();
  });
});

describe('ANYPOINT_MAX_CONNECTIONS: the ceiling of the adaptive upstream concurrency', () => {
  it('defaults to 64', () => {
    expect(readConfig({}).upstream.maxConnections).toBe(64);
  });

  it.each(['1', '16', '256'])('keeps %s as given (an operator who set 16 still gets at most 16)', (value) => {
    expect(readConfig({ ANYPOINT_MAX_CONNECTIONS: value }).upstream.maxConnections).toBe(Number(value));
  });

  it.each(['0', '257', '-16', '16.5', 'many', '1e2'])('rejects %s, naming the range', (value) => {
    expect(problemsOf({ ANYPOINT_MAX_CONNECTIONS: value })).toEqual([`ANYPOINT_MAX_CONNECTIONS must be an integer from 1 to 256, got "${value}"`]);
  });
});

describe('readConfig Anypoint credentials', () => {
  it.each([
    { given: 'only the base URL', env: { ANYPOINT_BASE_URL: 'us' } },
    { given: 'only the client id', env: { ANYPOINT_CLIENT_ID: 'app-id' } },
    { given: 'only the client secret', env: { ANYPOINT_CLIENT_SECRET: 'app-secret' } },
    { given: 'base URL and client id', env: { ANYPOINT_BASE_URL: 'us', ANYPOINT_CLIENT_ID: 'app-id' } },
    { given: 'client id and secret', env: CREDENTIALS },
  ])('rejects $given, naming all three variables', ({ env }) => {
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    for (const name of ['ANYPOINT_BASE_URL', 'ANYPOINT_CLIENT_ID', 'ANYPOINT_CLIENT_SECRET']) expect(problems[0]).toContain(name);
  });

  it('keeps the client id and secret and leaves the org to discovery when all three are set', () => {
    const config = readConfig({ ANYPOINT_BASE_URL: 'us', ...CREDENTIALS });
    expect(config.anypoint).toEqual({ baseUrl: CONTROL_PLANES.us, clientId: 'app-id', clientSecret: 'app-secret', orgId: null });
  });

  it.each([
    { alias: 'us', origin: 'https://anypoint.mulesoft.com' },
    { alias: 'eu1', origin: 'https://eu1.anypoint.mulesoft.com' },
    { alias: 'gov', origin: 'https://gov.anypoint.mulesoft.com' },
    { alias: 'EU1', origin: 'https://eu1.anypoint.mulesoft.com' },
  ])('maps the base URL alias $alias to $origin', ({ alias, origin }) => {
    expect(readConfig({ ANYPOINT_BASE_URL: alias, ...CREDENTIALS }).anypoint?.baseUrl).toBe(origin);
  });

  it.each([
    { url: 'https://anypoint.example.com', origin: 'https://anypoint.example.com' },
    { url: 'https://anypoint.example.com:8443/some/path?x=1', origin: 'https://anypoint.example.com:8443' },
    { url: 'http://127.0.0.1:8081', origin: 'http://127.0.0.1:8081' },
    { url: 'http://localhost:8081/', origin: 'http://localhost:8081' },
    { url: 'http://[::1]:8081', origin: 'http://[::1]:8081' },
  ])('accepts $url as the origin $origin', ({ url, origin }) => {
    expect(readConfig({ ANYPOINT_BASE_URL: url, ...CREDENTIALS }).anypoint?.baseUrl).toBe(origin);
  });

  it.each([
    { url: 'http://anypoint.example.com', reason: 'plain http off loopback' },
    { url: 'http://localhost.example.com', reason: 'plain http to a host that only starts with localhost' },
    { url: 'http://10.0.0.5:8081', reason: 'plain http to a private address' },
    { url: 'ftp://127.0.0.1', reason: 'a non-http scheme' },
    { url: 'anypoint.mulesoft.com', reason: 'a host without a scheme' },
    { url: 'eu2', reason: 'an unknown alias' },
    { url: '__proto__', reason: 'a name inherited from Object.prototype' },
    { url: 'constructor', reason: 'another name inherited from Object.prototype' },
  ])('rejects the base URL $url ($reason)', ({ url }) => {
    const problems = problemsOf({ ANYPOINT_BASE_URL: url, ...CREDENTIALS });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('ANYPOINT_BASE_URL');
    expect(problems[0]).toContain(url);
  });

  it('accepts an organization UUID alongside the credentials', () => {
    expect(readConfig({ ANYPOINT_BASE_URL: 'us', ...CREDENTIALS, ANYPOINT_ORG_ID: ORG_ID }).anypoint?.orgId).toBe(ORG_ID);
  });

  it.each([
    { orgId: 'not-a-uuid' },
    { orgId: `${ORG_ID}0` },
    { orgId: '------------------------------------' },
    { orgId: '6f1c2a7e1b2d4c3e9f4a5b6c7d8e9f00----' },
    { orgId: 'zf1c2a7e-1b2d-4c3e-9f4a-5b6c7d8e9f00' },
  ])('rejects the organization id "$orgId"', ({ orgId }) => {
    const problems = problemsOf({ ANYPOINT_BASE_URL: 'us', ...CREDENTIALS, ANYPOINT_ORG_ID: orgId });
    expect(problems).toEqual([expect.stringContaining('ANYPOINT_ORG_ID')]);
  });

  it('rejects an organization id without credentials, since the simulator has its own', () => {
    const problems = problemsOf({ ANYPOINT_ORG_ID: ORG_ID });
    expect(problems).toEqual([expect.stringContaining('ANYPOINT_ORG_ID needs')]);
  });
});

describe('readConfig value checks', () => {
  it.each([
    { name: 'PORT', value: 'eighty' },
    { name: 'PORT', value: '80.5' },
    { name: 'PORT', value: '1e3' },
    { name: 'PORT', value: '65536' },
    { name: 'PORT', value: '-1' },
    { name: 'ANYPOINT_MAX_CONNECTIONS', value: '0' },
    { name: 'ANYPOINT_MAX_ATTEMPTS', value: '11' },
    { name: 'ANYPOINT_CONNECT_TIMEOUT_MS', value: '99' },
    { name: 'CACHE_TTL_SECONDS', value: '86401' },
    { name: 'CACHE_TTL_TEAMS_SECONDS', value: 'soon' },
    { name: 'GRAPHQL_MAX_DEPTH', value: '1' },
    { name: 'GRAPHQL_MAX_PAGE_SIZE', value: '0x10' },
  ])('reports $name=$value as not an integer in range', ({ name, value }) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name} must be an integer from -?\\d+ to \\d+, got "${value}"$`));
  });

  it.each([
    { value: '1', expected: true },
    { value: 'TRUE', expected: true },
    { value: 'yes', expected: true },
    { value: '0', expected: false },
    { value: 'false', expected: false },
    { value: 'No', expected: false },
  ])('reads GRAPHQL_INTROSPECTION=$value as $expected', ({ value, expected }) => {
    expect(readConfig({ GRAPHQL_INTROSPECTION: value }).graphql.introspection).toBe(expected);
  });

  it.each(['maybe', 'on', '2'])('reports GRAPHQL_INTROSPECTION=%s as not a boolean', (value) => {
    expect(problemsOf({ GRAPHQL_INTROSPECTION: value })).toEqual([`GRAPHQL_INTROSPECTION must be true or false, got "${value}"`]);
  });

  it.each(['huge', 'Demo', 'LARGE'])('reports SIMULATOR_PRESET=%s as not one of demo, large, empty', (value) => {
    expect(problemsOf({ SIMULATOR_PRESET: value })).toEqual([`SIMULATOR_PRESET must be one of demo, large, empty, got "${value}"`]);
  });

  it('accepts the large simulator preset and a custom seed', () => {
    expect(readConfig({ SIMULATOR_PRESET: 'large', SIMULATOR_SEED: 'abc' }).simulator).toEqual({ preset: 'large', seed: 'abc' });
  });

  it('lists every problem in one ConfigError instead of stopping at the first', () => {
    const problems = problemsOf({
      PORT: 'x',
      GRAPHQL_INTROSPECTION: 'perhaps',
      SIMULATOR_PRESET: 'tiny',
      REDIS_URL: 'http://127.0.0.1:6379',
      CACHE_TTL_USERS_SECONDS: '-5',
      ANYPOINT_CLIENT_ID: 'app-id',
    });
    expect(problems).toHaveLength(6);
    for (const name of ['PORT', 'GRAPHQL_INTROSPECTION', 'SIMULATOR_PRESET', 'REDIS_URL', 'CACHE_TTL_USERS_SECONDS', 'ANYPOINT_CLIENT_ID']) {
      expect(problems.some((p) => p.includes(name)), `a problem naming ${name}`).toBe(true);
    }
  });

  it('puts every problem in the ConfigError message', () => {
    expect(() => readConfig({ PORT: 'x', GRAPHQL_MAX_DEPTH: 'y' })).toThrowError(/PORT[\s\S]*GRAPHQL_MAX_DEPTH/);
  });
});

describe('readConfig cache settings', () => {
  it('applies CACHE_TTL_SECONDS to every kind', () => {
    const { ttlMs } = readConfig({ CACHE_TTL_SECONDS: '5' }).cache;
    for (const kind of KINDS) expect(ttlMs[kind]).toBe(5_000);
  });

  it('lets a per-kind TTL beat CACHE_TTL_SECONDS for that kind only', () => {
    const { ttlMs } = readConfig({ CACHE_TTL_SECONDS: '5', CACHE_TTL_USERS_SECONDS: '300', CACHE_TTL_EXCHANGE_SECONDS: '0' }).cache;
    expect(ttlMs.users).toBe(300_000);
    expect(ttlMs.exchange).toBe(0);
    for (const kind of KINDS.filter((k) => k !== 'users' && k !== 'exchange')) expect(ttlMs[kind]).toBe(5_000);
  });

  it.each(['redis://127.0.0.1:6379', 'rediss://cache.example.com:6380/2', 'redis://:secret@127.0.0.1:6379'])('accepts REDIS_URL=%s', (url) => {
    expect(readConfig({ REDIS_URL: url }).cache.redisUrl).toBe(url);
  });

  it.each(['http://127.0.0.1:6379', '127.0.0.1:6379', 'redis:127.0.0.1', 'memcached://127.0.0.1'])('rejects REDIS_URL=%s', (url) => {
    expect(problemsOf({ REDIS_URL: url })).toEqual([expect.stringContaining('REDIS_URL must start with redis:// or rediss://')]);
  });

  it('does not echo a rejected REDIS_URL, which may carry a password', () => {
    expect(problemsOf({ REDIS_URL: 'http://:hunter2@127.0.0.1:6379' }).join('\n')).not.toContain('hunter2');
  });
});

describe('readConfig result', () => {
  it('is deeply frozen', () => {
    const config = readConfig({ ANYPOINT_BASE_URL: 'us', ...CREDENTIALS });
    const loose = config as any;
    expect(() => {
      loose.port = 1;
    }).toThrow(TypeError);
    expect(() => {
      loose.anypoint.clientSecret = 'stolen';
    }).toThrow(TypeError);
    expect(() => {
      loose.cache.ttlMs.users = 1;
    }).toThrow(TypeError);
    expect(() => {
      loose.upstream.maxAttempts = 100;
    }).toThrow(TypeError);
    expect(config.port).toBe(4000);
    expect(config.anypoint?.clientSecret).toBe('app-secret');
    expect(config.cache.ttlMs.users).toBe(60_000);
    expect(config.upstream.maxAttempts).toBe(4);
    expect(Object.isFrozen(config.graphql) && Object.isFrozen(config.simulator)).toBe(true);
  });

  it('returns a new object per call, so freezing one does not depend on another', () => {
    expect(readConfig({})).not.toBe(readConfig({}));
  });
});

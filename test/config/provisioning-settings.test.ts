import { describe, expect, it } from 'vitest';
import { problemsOf } from '../helpers/config.js';
import { readConfig } from '../../src/config/config.js';


const HASH = 'a'.repeat(64);
const REAL = { ANYPOINT_BASE_URL: 'us', ANYPOINT_CLIENT_ID: 'app-id', ANYPOINT_CLIENT_SECRET: 'app-secret' };


describe('readConfig callers and roles', () => {
  it('allows anonymous reads in demo mode and refuses them against a real control plane by default', () => {
    expect(readConfig({}).auth.anonymousReads).toBe(true);
    expect(readConfig(REAL).auth.anonymousReads).toBe(false);
    expect(readConfig({ ...REAL, ANONYMOUS_READS: 'true' }).auth.anonymousReads).toBe(true);
    expect(readConfig({ ANONYMOUS_READS: 'false' }).auth.anonymousReads).toBe(false);
  });

  it('reads API_KEYS entries with their roles, joined by comma or plus, and lower-cases the hash', () => {
    const config = readConfig({ API_KEYS: `okta:provisioner,reader:${HASH.toUpperCase()}; portal:reader+auditor:${'b'.repeat(64)}` });
    expect(config.auth.apiKeys).toEqual([
      { name: 'okta', roles: ['provisioner', 'reader'], sha256: HASH },
      { name: 'portal', roles: ['reader', 'auditor'], sha256: 'b'.repeat(64) },
    ]);
  });

  it.each([
    ['okta:provisioner', 'must be NAME:ROLES:SHA256'],
    [`okta:admin:${HASH}`, 'roles must be some of reader, provisioner, auditor'],
    ['okta:reader:abc', 'the hash must be 64 hex digits'],
    [`ok ta:reader:${HASH}`, 'the name may use'],
    [`okta:reader:${HASH};okta:auditor:${HASH}`, 'the name is used twice'],
  ])('rejects API_KEYS=%s', (value, problem) => {
    expect(problemsOf({ API_KEYS: value }).join('\n')).toContain(problem);
  });

  it('reads a JWT shared secret with issuer, audience and roles claim', () => {
    const secret = 's'.repeat(32);
    const { jwt } = readConfig({ JWT_SECRET: secret, JWT_ISSUER: 'https://idp.example', JWT_AUDIENCE: 'anypoint-graph', JWT_ROLES_CLAIM: 'realm_access.roles' }).auth;
    expect(jwt).toEqual({ secret, jwksUrl: null, issuer: 'https://idp.example', audience: 'anypoint-graph', rolesClaim: 'realm_access.roles' });
  });

  it.each([
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET must be at least 32 bytes'],
    [{ JWT_SECRET: 's'.repeat(32), JWT_JWKS_URL: 'https://idp.example/jwks' }, 'not both'],
    [{ JWT_JWKS_URL: 'http://idp.example/jwks' }, 'JWT_JWKS_URL must use https'],
    [{ JWT_JWKS_URL: 'not a url' }, 'JWT_JWKS_URL must be a URL'],
    [{ JWT_ISSUER: 'https://idp.example' }, 'need JWT_SECRET or JWT_JWKS_URL'],
  ])('rejects JWT settings %j', (env, problem) => {
    expect(problemsOf(env).join('\n')).toContain(problem);
  });

  it('never echoes a rejected JWT secret', () => {
    expect(problemsOf({ JWT_SECRET: 'hunter2-secret' }).join('\n')).not.toContain('hunter2');
  });
});

describe('readConfig provisioning stores', () => {
  it('keeps the audit trail and group links in files under data/ by default, fsynced', () => {
    const config = readConfig({});
    expect(config.databaseUrl).toBeNull();
    expect(config.audit).toEqual({ path: 'data/audit.jsonl', fsync: true, pathSet: false });
    expect(config.provisioning).toEqual({ groupLinksPath: 'data/group-links.json', groupLinksPathSet: false, lockTimeoutMs: 120_000, idempotencyTtlMs: 86_400_000, removalGuard: { maxShare: 0.2, largeTeamMembers: 20 } });
  });

  it('takes DATABASE_URL, paths, fsync, the lock timeout and the idempotency lifetime from the environment', () => {
    const config = readConfig({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      AUDIT_LOG_PATH: '/var/log/ag/audit.jsonl',
      AUDIT_FSYNC: 'false',
      GROUP_LINKS_PATH: '/var/lib/ag/links.json',
      PROVISIONING_LOCK_TIMEOUT_MS: '5000',
      IDEMPOTENCY_TTL_SECONDS: '3600',
      PROVISIONING_MAX_REMOVAL_SHARE: '0.5',
      PROVISIONING_LARGE_TEAM_MEMBERS: '100',
    });
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/test');
    expect(config.audit).toEqual({ path: '/var/log/ag/audit.jsonl', fsync: false, pathSet: true });
    expect(config.provisioning).toEqual({ groupLinksPath: '/var/lib/ag/links.json', groupLinksPathSet: true, lockTimeoutMs: 5000, idempotencyTtlMs: 3_600_000, removalGuard: { maxShare: 0.5, largeTeamMembers: 100 } });
  });

  it('reads a removal share of 0, 1 and decimals such as .25', () => {
    for (const [raw, share] of [['0', 0], ['1', 1], ['.25', 0.25], ['0.05', 0.05], ['1.0', 1]] as const) {
      expect(readConfig({ PROVISIONING_MAX_REMOVAL_SHARE: raw }).provisioning.removalGuard.maxShare).toBe(share);
    }
  });

  it.each([
    [{ DATABASE_URL: 'mysql://root@127.0.0.1/test' }, 'DATABASE_URL must start with postgres://'],
    [{ PROVISIONING_LOCK_TIMEOUT_MS: '10' }, 'PROVISIONING_LOCK_TIMEOUT_MS must be an integer'],
    [{ IDEMPOTENCY_TTL_SECONDS: '0' }, 'IDEMPOTENCY_TTL_SECONDS must be an integer'],
    [{ AUDIT_FSYNC: 'sometimes' }, 'AUDIT_FSYNC must be true or false'],
    [{ PROVISIONING_MAX_REMOVAL_SHARE: '20' }, 'PROVISIONING_MAX_REMOVAL_SHARE must be a share from 0 to 1 (e.g. 0.2), got "20"'],
    [{ PROVISIONING_MAX_REMOVAL_SHARE: '20%' }, 'PROVISIONING_MAX_REMOVAL_SHARE must be a share from 0 to 1'],
    [{ PROVISIONING_MAX_REMOVAL_SHARE: '1.5' }, 'PROVISIONING_MAX_REMOVAL_SHARE must be a share from 0 to 1'],
    [{ PROVISIONING_LARGE_TEAM_MEMBERS: '-1' }, 'PROVISIONING_LARGE_TEAM_MEMBERS must be an integer'],
  ])('rejects %j', (env, problem) => {
    expect(problemsOf(env).join('\n')).toContain(problem);
  });
});

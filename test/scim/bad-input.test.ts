import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYS } from '../provisioning/support.js';
import { ERROR_SCHEMA, GROUP_SCHEMA, oktaUser, patchOf, startScimStack, USER_SCHEMA, type ScimResponse, type ScimStack } from './support.js';

/**
 * Bad input and hostile callers at /scim/v2: each gets a SCIM Error with the right status and
 * scimType, as JSON, and nothing is written upstream.
 */
let s: ScimStack;
let userId: string;
let groupId: string;

beforeAll(async () => {
  s = await startScimStack({ HTTP_MAX_BODY_KB: '64' });
  userId = (await s.scim('POST', '/Users', oktaUser('bad_input_target'))).body.id;
  groupId = (await s.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Bad Input', members: [] })).body.id;
});
afterAll(async () => {
  await s.close();
});

async function refused(send: () => Promise<ScimResponse>, status: number, scimType?: string) {
  await s.resetCounts();
  const res = await send();
  expect(res.status).toBe(status);
  expect(res.contentType).toMatch(/^application\/scim\+json/);
  expect(res.body.schemas).toEqual([ERROR_SCHEMA]);
  expect(res.body.status).toBe(String(status));
  expect(res.body.detail).toEqual(expect.any(String));
  expect(res.body.detail).not.toMatch(/\n\s+at /);
  if (scimType) expect(res.body.scimType).toBe(scimType);
  expect((await s.writes()).total).toBe(0);
  return res;
}

describe('bodies', () => {
  it('malformed JSON is invalidSyntax', () => refused(() => s.scimRaw('POST', '/Users', '{"userName": '), 400, 'invalidSyntax'));
  it('a body that is not an object is refused', () => refused(() => s.scim('POST', '/Users', ['a']), 400));
  it('an unknown attribute is invalidValue naming it', async () => {
    const res = await refused(() => s.scim('POST', '/Users', oktaUser('bad_unknown', { favouriteColour: 'blue' })), 400, 'invalidValue');
    expect(res.body.detail).toContain('favouriteColour');
  });
  it('a wrong type is invalidValue', () => refused(() => s.scim('POST', '/Users', oktaUser('bad_type', { active: 'maybe' })), 400, 'invalidValue'));
  it('a userName Anypoint cannot hold names the rule', async () => {
    const res = await refused(() => s.scim('POST', '/Users', oktaUser('bad.name@example.com')), 400, 'invalidValue');
    expect(res.body.detail).toMatch(/letters, digits or underscores/);
  });
  it('a body over HTTP_MAX_BODY_KB is 413 tooLarge', () =>
    refused(() => s.scim('POST', '/Users', oktaUser('bad_huge', { nickName: 'x'.repeat(70 * 1024) })), 413, 'tooLarge'));
  it('a body that is not JSON by its content type is 415', () => refused(() => s.scimRaw('POST', '/Users', 'userName=x', { 'content-type': 'application/x-www-form-urlencoded' }), 415));
  it('a PATCH that is not a PatchOp is refused', () => refused(() => s.scim('PATCH', `/Users/${userId}`, { schemas: [USER_SCHEMA], active: false }), 400));
  it('a PATCH with an unknown op is refused', () => refused(() => s.scim('PATCH', `/Users/${userId}`, patchOf({ op: 'move', path: 'active', value: false })), 400));
  it('a PATCH of an unknown path is invalidPath', () => refused(() => s.scim('PATCH', `/Users/${userId}`, patchOf({ op: 'replace', path: 'shoeSize', value: 9 })), 400, 'invalidPath'));
  it('a group member that is no user is invalidValue', () =>
    refused(() => s.scim('PATCH', `/Groups/${groupId}`, patchOf({ op: 'add', path: 'members', value: [{ value: '0123456789abcdef01234567' }] })), 400, 'invalidValue'));
  it('a nested group is invalidValue', () => refused(() => s.scim('PATCH', `/Groups/${groupId}`, patchOf({ op: 'add', path: 'members', value: [{ value: groupId, type: 'Group' }] })), 400, 'invalidValue'));
});

describe('queries', () => {
  it('a filter that does not parse is invalidFilter', () => refused(() => s.scim('GET', `/Users?filter=${encodeURIComponent('userName eq')}`), 400, 'invalidFilter'));
  it('a filter on an unknown attribute is invalidFilter', () => refused(() => s.scim('GET', `/Users?filter=${encodeURIComponent('shoeSize gt 3')}`), 400, 'invalidFilter'));
  it('a deeply nested filter is refused, not a stack overflow', () =>
    refused(() => s.scim('GET', `/Users?filter=${encodeURIComponent(`${'('.repeat(3000)}userName pr${')'.repeat(3000)}`)}`), 400, 'invalidFilter'));
  it('a count that is not a number is invalidValue', () => refused(() => s.scim('GET', '/Users?count=ten'), 400, 'invalidValue'));
});

describe('callers', () => {
  it('no token is 401 before the body is read', async () => {
    const res = await refused(() => s.scim('POST', '/Users', oktaUser('bad_anon'), { authorization: '' }), 401);
    expect(res.headers.get('www-authenticate')).toMatch(/Bearer/);
  });
  it('a reader key is 403', () => refused(() => s.scim('GET', '/Users', undefined, { authorization: `Bearer ${KEYS.reader}` }), 403));
  it('a bad JWT-shaped token is 401', () => refused(() => s.scim('GET', '/Users', undefined, { authorization: 'Bearer a.b.c' }), 401));
});

describe('routes', () => {
  it('an unknown endpoint is a SCIM 404', () => refused(() => s.scim('GET', '/Widgets'), 404));
  it('a path that is not valid percent-encoding is a 404, not a 500', () => refused(() => s.scim('GET', '/Users/%ZZ'), 404));
  it('inherited property names are no resource types', async () => {
    await refused(() => s.scim('GET', '/ResourceTypes/constructor'), 404);
    await refused(() => s.scim('GET', '/ResourceTypes/__proto__'), 404);
  });
  it('bulk is 501', () => refused(() => s.scim('POST', '/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [] }), 501));
  it('a method a collection does not take is 405', () => refused(() => s.scim('DELETE', '/Users'), 405));
  it('discovery says what is supported', async () => {
    const spc = (await s.scim('GET', '/ServiceProviderConfig')).body;
    expect(spc).toMatchObject({ patch: { supported: true }, bulk: { supported: false }, filter: { supported: true }, etag: { supported: true } });
    const types = (await s.scim('GET', '/ResourceTypes')).body.Resources.map((r: { name: string }) => r.name);
    expect(types).toEqual(['User', 'Group']);
    const userSchema = (await s.scim('GET', `/Schemas/${USER_SCHEMA}`)).body;
    expect(userSchema.attributes.find((a: { name: string }) => a.name === 'emails').mutability).toBe('immutable');
  });
});

describe('the caller budget', () => {
  it('a client that spent its minute gets 429 with Retry-After', async () => {
    const tight = await startScimStack({ CALLER_UPSTREAM_CALLS_PER_MINUTE: '3', GRAPHQL_MAX_UPSTREAM_CALLS: '3' });
    try {
      const answers: number[] = [];
      for (let i = 0; i < 6; i++) answers.push((await tight.scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "nobody_${i}"`)}`)).status);
      expect(answers).toContain(429);
      const last = await tight.scim('GET', `/Users?filter=${encodeURIComponent('userName eq "nobody_x"')}`);
      expect(last.status).toBe(429);
      expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await tight.close();
    }
  });
});

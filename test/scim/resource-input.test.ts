import { describe, expect, it } from 'vitest';
import { ScimError } from '../../src/scim/errors.js';
import { readGroupInput, readUserInput } from '../../src/scim/resource-input.js';

/** POST and PUT bodies as Okta and Entra send them (GOVERNANCE.md §1), and what is refused. */
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const oktaPost = () => ({
  schemas: [USER],
  userName: 'isabella_santos',
  name: { givenName: 'Isabella', familyName: 'Santos' },
  emails: [{ primary: true, value: 'isabella.santos@example.com', type: 'work' }],
  displayName: 'Isabella Santos',
  locale: 'en-US',
  externalId: '00ujl29u0le5T6Aj10h7',
  groups: [],
  password: 'Hunter2-secret!',
  active: true,
});

const entraPost = () => ({
  schemas: [USER, ENTERPRISE],
  externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
  userName: 'Test_User_ab6490ee',
  active: true,
  emails: [{ primary: true, type: 'work', value: 'Test_User_fd0ea19b@testuser.com' }],
  meta: { resourceType: 'User' },
  name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
  roles: [],
  [ENTERPRISE]: { department: 'Engineering', manager: { value: 'm-1' } },
});

function refusal(run: () => unknown): { status: number; scimType?: string; detail: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof ScimError) return { status: error.status, scimType: error.scimType, detail: error.detail };
    throw error;
  }
  throw new Error('expected a ScimError');
}

describe('readUserInput', () => {
  it("reads Okta's POST and drops password, locale, groups and displayName", () => {
    const input = readUserInput(oktaPost(), 'create');
    expect(input).toEqual({
      userName: 'isabella_santos',
      givenName: 'Isabella',
      familyName: 'Santos',
      email: 'isabella.santos@example.com',
      phoneNumber: null,
      active: true,
      externalId: '00ujl29u0le5T6Aj10h7',
    });
    expect(JSON.stringify(input)).not.toContain('Hunter2');
  });

  it("reads Entra's POST with the enterprise extension, name.formatted, meta and roles", () => {
    expect(readUserInput(entraPost(), 'create')).toEqual({
      userName: 'Test_User_ab6490ee',
      givenName: 'givenName',
      familyName: 'familyName',
      email: 'Test_User_fd0ea19b@testuser.com',
      phoneNumber: null,
      active: true,
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
    });
  });

  it('matches names in any case and takes Entra\'s "False" for a boolean', () => {
    const input = readUserInput({ SCHEMAS: [USER], USERNAME: 'x', Name: { GivenName: 'A', FAMILYNAME: 'B' }, Emails: [{ Value: 'a@b.example' }], Active: 'False' }, 'create');
    expect(input).toMatchObject({ userName: 'x', givenName: 'A', familyName: 'B', email: 'a@b.example', active: false });
    expect(readUserInput({ ...oktaPost(), active: 'tRUE' }, 'create').active).toBe(true);
  });

  it('takes the primary e-mail and phone number, else the first', () => {
    const input = readUserInput(
      {
        ...oktaPost(),
        emails: [{ value: 'home@example.com', type: 'home' }, { value: 'work@example.com', type: 'work', primary: true }],
        phoneNumbers: [{ value: '+1 555 0100', type: 'mobile' }, { value: '+1 555 0199', type: 'work' }],
      },
      'create',
    );
    expect(input.email).toBe('work@example.com');
    expect(input.phoneNumber).toBe('+1 555 0100');
  });

  it('defaults active to true on create, and leaves it undefined on a PUT that omits it', () => {
    const { active: _, ...body } = oktaPost();
    expect(readUserInput(body, 'create').active).toBe(true);
    expect(readUserInput(body, 'replace').active).toBeUndefined();
    expect(readUserInput({ ...body, active: false }, 'replace').active).toBe(false);
  });

  it('takes null as unassigned and ignores id and meta sent in a PUT', () => {
    const input = readUserInput({ ...oktaPost(), id: 'someone-else', meta: { version: 'W/"1"' }, externalId: null, phoneNumbers: null }, 'replace');
    expect(input.externalId).toBeNull();
    expect(input.phoneNumber).toBeNull();
  });

  it('does not trim values', () => {
    expect(readUserInput({ ...oktaPost(), name: { givenName: ' Isabella', familyName: 'Santos' } }, 'create').givenName).toBe(' Isabella');
  });

  it.each([
    ['a string', '"x"'],
    ['an array', '[]'],
    ['null', 'null'],
  ])('refuses a body that is %s with invalidSyntax', (_, json) => {
    expect(refusal(() => readUserInput(JSON.parse(json), 'create'))).toMatchObject({ status: 400, scimType: 'invalidSyntax' });
  });

  it('refuses a body without schemas, or without the User schema', () => {
    const { schemas: _, ...body } = oktaPost();
    expect(refusal(() => readUserInput(body, 'create'))).toMatchObject({ status: 400, scimType: 'invalidSyntax', detail: expect.stringContaining(USER) });
    expect(refusal(() => readUserInput({ ...body, schemas: [GROUP] }, 'create'))).toMatchObject({ scimType: 'invalidSyntax' });
    expect(refusal(() => readUserInput({ ...body, schemas: USER }, 'create'))).toMatchObject({ scimType: 'invalidSyntax' });
  });

  it('refuses a schema it does not have', () => {
    expect(refusal(() => readUserInput({ ...oktaPost(), schemas: [USER, 'urn:example:custom'] }, 'create'))).toMatchObject({ scimType: 'invalidValue', detail: expect.stringContaining('urn:example:custom') });
  });

  it('refuses unknown attributes by name, at the top, in a complex value and in the extension', () => {
    expect(refusal(() => readUserInput({ ...oktaPost(), shoeSize: 9 }, 'create'))).toMatchObject({ status: 400, scimType: 'invalidValue', detail: expect.stringMatching(/unknown attribute "shoeSize"/i) });
    expect(refusal(() => readUserInput({ ...oktaPost(), name: { givenName: 'a', familyName: 'b', middle: 'c' } }, 'create')).detail).toContain('"middle"');
    expect(refusal(() => readUserInput({ ...entraPost(), [ENTERPRISE]: { shoeSize: 9 } }, 'create')).detail).toContain('"shoeSize"');
    // Dotted keys are PATCH's, not a resource's.
    expect(refusal(() => readUserInput({ ...oktaPost(), 'name.givenName': 'x' }, 'create')).scimType).toBe('invalidValue');
  });

  it('refuses an attribute sent twice in different cases', () => {
    expect(refusal(() => readUserInput({ ...oktaPost(), USERNAME: 'other' }, 'create'))).toMatchObject({ scimType: 'invalidValue', detail: expect.stringContaining('twice') });
  });

  it.each([
    ['userName', 42, 'userName must be a string'],
    ['active', 'yes', 'active must be a boolean'],
    ['name', 'Isabella Santos', 'name must be an object'],
    ['emails', { value: 'a@b.example' }, 'emails must be an array'],
    ['emails', ['a@b.example'], 'emails[0] must be an object'],
    ['externalId', 7, 'externalId must be a string'],
  ])('refuses %s of the wrong type, naming it and the type', (key, value, detail) => {
    expect(refusal(() => readUserInput({ ...oktaPost(), [key]: value }, 'create'))).toMatchObject({ status: 400, scimType: 'invalidValue', detail });
  });

  it.each([
    ['userName', (b: Record<string, unknown>) => delete b.userName, 'userName is required'],
    ['name.givenName', (b: Record<string, unknown>) => (b.name = { familyName: 'Santos' }), 'name.givenName is required'],
    ['name.familyName', (b: Record<string, unknown>) => (b.name = { givenName: 'Isabella', familyName: '  ' }), 'name.familyName is required'],
    ['emails', (b: Record<string, unknown>) => (b.emails = []), 'emails (an e-mail value) is required'],
  ])('refuses a user without %s', (_, change, detail) => {
    const body: Record<string, unknown> = oktaPost();
    change(body);
    expect(refusal(() => readUserInput(body, 'create'))).toMatchObject({ scimType: 'invalidValue', detail });
  });

  it('refuses an e-mail without a value', () => {
    expect(refusal(() => readUserInput({ ...oktaPost(), emails: [{ type: 'work', primary: true }] }, 'create')).detail).toBe('emails[0].value is required');
  });

  it('bounds lengths and counts with invalidValue', () => {
    expect(readUserInput({ ...oktaPost(), userName: 'u'.repeat(256) }, 'create').userName).toHaveLength(256);
    expect(refusal(() => readUserInput({ ...oktaPost(), userName: 'u'.repeat(257) }, 'create'))).toMatchObject({ scimType: 'invalidValue', detail: 'userName must be at most 256 characters' });
    expect(refusal(() => readUserInput({ ...oktaPost(), externalId: 'x'.repeat(1_025) }, 'create')).scimType).toBe('invalidValue');
    const emails = Array.from({ length: 11 }, (_, i) => ({ value: `a${i}@b.example` }));
    expect(refusal(() => readUserInput({ ...oktaPost(), emails }, 'create'))).toMatchObject({ scimType: 'invalidValue', detail: 'emails takes at most 10 values' });
  });
});

describe('readGroupInput', () => {
  it("reads Okta's group push and Entra's empty group", () => {
    expect(readGroupInput({ schemas: [GROUP], displayName: 'Test SCIMv2', members: [] })).toEqual({ displayName: 'Test SCIMv2', externalId: null, members: [] });
    expect(readGroupInput({ schemas: [GROUP], externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159', displayName: 'Group1DisplayName', meta: { resourceType: 'Group' } })).toEqual({
      displayName: 'Group1DisplayName',
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
      members: [],
    });
  });

  it('takes members without type, with type User in any case, once each', () => {
    const input = readGroupInput({ schemas: [GROUP], displayName: 'g', members: [{ value: 'u1', display: 'ada' }, { value: 'u2', type: 'user' }, { value: 'u1' }, { Value: 'u3', $ref: 'https://x/Users/u3', Type: 'User' }] });
    expect(input.members).toEqual(['u1', 'u2', 'u3']);
  });

  it('refuses nested groups, members without a string value, and a missing displayName', () => {
    expect(refusal(() => readGroupInput({ schemas: [GROUP], displayName: 'g', members: [{ value: 'g2', type: 'Group' }] }))).toMatchObject({ scimType: 'invalidValue', detail: expect.stringContaining('nested groups are not supported') });
    expect(refusal(() => readGroupInput({ schemas: [GROUP], displayName: 'g', members: [{ display: 'ada' }] })).detail).toContain('members[0].value');
    expect(refusal(() => readGroupInput({ schemas: [GROUP], displayName: 'g', members: [{ value: '' }] })).scimType).toBe('invalidValue');
    expect(refusal(() => readGroupInput({ schemas: [GROUP], displayName: 'g', members: [{ value: 5 }] })).detail).toBe('members[0].value must be a string');
    expect(refusal(() => readGroupInput({ schemas: [GROUP], members: [] }))).toMatchObject({ scimType: 'invalidValue', detail: 'displayName is required' });
  });

  it('refuses the enterprise extension on a group, and more than 10,000 members', () => {
    expect(refusal(() => readGroupInput({ schemas: [GROUP, ENTERPRISE], displayName: 'g' })).scimType).toBe('invalidValue');
    const members = Array.from({ length: 10_001 }, (_, i) => ({ value: `u${i}` }));
    expect(refusal(() => readGroupInput({ schemas: [GROUP], displayName: 'g', members })).detail).toBe('members takes at most 10,000 values');
  });
});

import { describe, expect, it } from 'vitest';
import { ScimError } from '../../src/scim/errors.js';
import { applyUserPatch, planGroupPatch, readPatchRequest } from '../../src/scim/patch-ops.js';
import { readGroupInput, readUserInput } from '../../src/scim/resource-bodies.js';
import { ENTERPRISE, entraUser, GROUP_SCHEMA, oktaUser, patchOf, USER_SCHEMA } from './support.js';

/** PATCH and POST/PUT bodies as Okta and Entra send them (GOVERNANCE.md §1), and what is refused. */
const user = {
  schemas: [USER_SCHEMA],
  id: 'u1',
  userName: 'ada',
  name: { givenName: 'Ada', familyName: 'Lovelace', formatted: 'Ada Lovelace' },
  displayName: 'Ada Lovelace',
  emails: [{ value: 'ada@example.com', type: 'work', primary: true }],
  phoneNumbers: [{ value: '+1 555 0100', type: 'work', primary: true }],
  active: true,
  meta: { resourceType: 'User', version: 'W/"x"' },
};

const patched = (...ops: unknown[]) => readUserInput(applyUserPatch(user, readPatchRequest(patchOf(...ops))), 'replace');

function refusal(run: () => unknown): { status: number; scimType?: string; detail: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof ScimError) return { status: error.status, scimType: error.scimType, detail: error.detail };
    throw error;
  }
  throw new Error('expected a ScimError');
}

describe('POST and PUT bodies', () => {
  it("reads Okta's POST, dropping the password, locale and groups", () => {
    const input = readUserInput(oktaUser('okta_user'), 'create');
    expect(input).toEqual({ userName: 'okta_user', givenName: 'Ada', familyName: 'Lovelace', email: 'okta_user@example.com', phoneNumber: null, active: true, externalId: '00uokta_user' });
    expect(JSON.stringify(input)).not.toContain('Okta-Sent-Secret-1');
  });

  it("reads Entra's POST with the enterprise extension and roles: []", () => {
    expect(readUserInput(entraUser('entra_user'), 'create')).toMatchObject({ userName: 'entra_user', givenName: 'Grace', externalId: 'entra-entra_user', active: true });
  });

  it('takes attribute names in any case and the string booleans', () => {
    const input = readUserInput({ schemas: [USER_SCHEMA], USERNAME: 'x', Name: { GivenName: 'A', familyname: 'B' }, Emails: [{ Value: 'a@b.example' }], Active: 'False' }, 'create');
    expect(input).toMatchObject({ userName: 'x', givenName: 'A', familyName: 'B', email: 'a@b.example', active: false });
  });

  it('a PUT without active leaves it alone; a POST without it is active', () => {
    const { active: _active, ...rest } = oktaUser('no_active');
    expect(readUserInput(rest, 'replace').active).toBeUndefined();
    expect(readUserInput(rest, 'create').active).toBe(true);
  });

  it('refuses what Schemas does not describe, wrong types, missing required attributes', () => {
    expect(refusal(() => readUserInput({ ...oktaUser('x'), shoeSize: 9 }, 'create'))).toMatchObject({ status: 400, scimType: 'invalidValue', detail: expect.stringContaining('shoeSize') });
    expect(refusal(() => readUserInput({ ...oktaUser('x'), active: 'maybe' }, 'create')).scimType).toBe('invalidValue');
    expect(refusal(() => readUserInput({ ...oktaUser('x'), name: { givenName: 'A' } }, 'create')).detail).toContain('name.familyName');
    expect(refusal(() => readUserInput({ ...oktaUser('x'), [ENTERPRISE]: { shoeSize: 9 } }, 'create')).detail).toContain('shoeSize');
    expect(refusal(() => readUserInput({ userName: 'x' }, 'create')).scimType).toBe('invalidSyntax');
    expect(refusal(() => readUserInput('x', 'create')).scimType).toBe('invalidSyntax');
    expect(refusal(() => readUserInput({ ...oktaUser('x'), schemas: [USER_SCHEMA, 'urn:example:custom'] }, 'create')).scimType).toBe('invalidValue');
  });

  it('reads groups: members without type, and refuses nested groups', () => {
    expect(readGroupInput({ schemas: [GROUP_SCHEMA], displayName: 'G', members: [{ value: 'a' }, { value: 'b', type: 'User', display: 'bee' }] })).toEqual({ displayName: 'G', externalId: null, members: ['a', 'b'] });
    expect(refusal(() => readGroupInput({ schemas: [GROUP_SCHEMA], displayName: 'G', members: [{ value: 'g2', type: 'Group' }] })).detail).toMatch(/nested groups/);
    expect(refusal(() => readGroupInput({ schemas: [GROUP_SCHEMA], displayName: 'G', members: [{ display: 'no value' }] })).scimType).toBe('invalidValue');
  });
});

describe('user PATCH', () => {
  it("applies Okta's deactivate without a path", () => {
    expect(patched({ op: 'replace', value: { active: false } }).active).toBe(false);
  });

  it("applies Entra's capitalised ops, string booleans, value paths and dotted keys", () => {
    expect(patched({ op: 'Replace', path: 'active', value: 'False' }).active).toBe(false);
    expect(patched({ op: 'Replace', path: 'name.familyName', value: 'King' }).familyName).toBe('King');
    expect(patched({ op: 'Replace', value: { 'name.givenName': 'Augusta', 'name.familyName': 'King' } })).toMatchObject({ givenName: 'Augusta', familyName: 'King' });
    expect(patched({ op: 'Replace', path: 'emails[type eq "work"].value', value: 'new@example.com' }).email).toBe('new@example.com');
    expect(patched({ op: 'Replace', path: 'userName', value: 'ada_k' }).userName).toBe('ada_k');
    expect(patched({ op: 'Replace', path: `urn:ietf:params:scim:schemas:core:2.0:User:name.givenName`, value: 'Urn' }).givenName).toBe('Urn');
  });

  it('a typed value the user has none of is added (Entra setting a mobile number)', () => {
    const { phoneNumbers: _none, ...withoutPhone } = user;
    const input = readUserInput(applyUserPatch(withoutPhone, readPatchRequest(patchOf({ op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+44 20 7946 0000' }))), 'replace');
    expect(input.phoneNumber).toBe('+44 20 7946 0000');
  });

  it('merges a pathless complex replace, keeping sub-attributes not sent', () => {
    expect(patched({ op: 'replace', value: { name: { givenName: 'Augusta' } } })).toMatchObject({ givenName: 'Augusta', familyName: 'Lovelace' });
  });

  it('removes the phone, ignores displayName and the enterprise extension, does not touch its input', () => {
    const before = JSON.stringify(user);
    const input = patched({ op: 'remove', path: 'phoneNumbers' }, { op: 'replace', path: 'displayName', value: 'Someone' }, { op: 'replace', value: { [ENTERPRISE]: { department: 'X' } } });
    expect(input.phoneNumber).toBeNull();
    expect(JSON.stringify(user)).toBe(before);
  });

  it('refuses unknown paths, a value filter that matches nothing, another id, and bad requests', () => {
    expect(refusal(() => patched({ op: 'replace', path: 'shoeSize', value: 9 })).scimType).toBe('invalidPath');
    expect(refusal(() => patched({ op: 'replace', path: 'emails[value eq "nobody@example.com"].value', value: 'x@example.com' })).scimType).toBe('noTarget');
    expect(refusal(() => patched({ op: 'replace', value: { id: 'other' } })).scimType).toBe('mutability');
    expect(refusal(() => patched({ op: 'replace', path: 'emails[type eq', value: 'x' })).scimType).toBe('invalidPath');
    expect(refusal(() => patched({ op: 'replace', path: 'emails[type xx "work"].value', value: 'x' })).scimType).toBe('invalidFilter');
    expect(refusal(() => readPatchRequest({ Operations: [{ op: 'replace', value: {} }] })).scimType).toBe('invalidSyntax');
    expect(refusal(() => readPatchRequest(patchOf())).scimType).toBe('invalidSyntax');
    expect(refusal(() => readPatchRequest(patchOf({ op: 'move', path: 'active', value: true }))).scimType).toBe('invalidSyntax');
    expect(refusal(() => readPatchRequest(patchOf({ op: 'remove' }))).scimType).toBe('noTarget');
    expect(refusal(() => readPatchRequest(patchOf(...Array.from({ length: 1001 }, () => ({ op: 'replace', path: 'active', value: true })))))).toMatchObject({ status: 400 });
    expect(refusal(() => patched({ op: 'remove', path: 'userName' })).detail).toContain('userName');
  });
});

describe('group PATCH', () => {
  it("plans Okta's rename with a member add (members without type) and remove by filter", () => {
    const plan = planGroupPatch(readPatchRequest(patchOf(
      { op: 'replace', value: { id: 'g1', displayName: 'New name' } },
      { op: 'add', path: 'members', value: [{ value: 'a', display: 'ada' }] },
      { op: 'remove', path: 'members[value eq "b"]' },
    )), 'g1');
    expect(plan).toEqual({ displayName: 'New name', members: [{ kind: 'add', ids: ['a'] }, { kind: 'remove', ids: ['b'] }] });
  });

  it("plans push-now's replace members [] as a clear, and a full replace as clear then add", () => {
    expect(planGroupPatch(readPatchRequest(patchOf({ op: 'replace', path: 'members', value: [] })), 'g1').members).toEqual([{ kind: 'clear' }]);
    expect(planGroupPatch(readPatchRequest(patchOf({ op: 'replace', path: 'members', value: [{ value: 'a' }] })), 'g1').members).toEqual([{ kind: 'clear' }, { kind: 'add', ids: ['a'] }]);
  });

  it("removes only the named members on Entra's remove by value without a filter", () => {
    expect(planGroupPatch(readPatchRequest(patchOf({ op: 'Remove', path: 'members', value: [{ value: 'a' }] })), 'g1').members).toEqual([{ kind: 'remove', ids: ['a'] }]);
    expect(planGroupPatch(readPatchRequest(patchOf({ op: 'Remove', path: 'members' })), 'g1').members).toEqual([{ kind: 'clear' }]);
  });

  it('takes or-joined value filters and refuses other member filters, other ids, nested groups', () => {
    expect(planGroupPatch(readPatchRequest(patchOf({ op: 'remove', path: 'members[value eq "a" or value eq "b"]' })), 'g1').members).toEqual([{ kind: 'remove', ids: ['a', 'b'] }]);
    expect(refusal(() => planGroupPatch(readPatchRequest(patchOf({ op: 'remove', path: 'members[display eq "ada"]' })), 'g1')).scimType).toBe('invalidPath');
    expect(refusal(() => planGroupPatch(readPatchRequest(patchOf({ op: 'replace', value: { id: 'g2', displayName: 'x' } })), 'g1')).scimType).toBe('mutability');
    expect(refusal(() => planGroupPatch(readPatchRequest(patchOf({ op: 'add', path: 'members', value: [{ value: 'g2', type: 'Group' }] })), 'g1')).scimType).toBe('invalidValue');
  });
});

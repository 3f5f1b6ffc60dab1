import { describe, expect, it } from 'vitest';
import { ScimError } from '../../src/scim/errors.js';
import { applyUserPatch, planGroupPatch, readPatchRequest } from '../../src/scim/patch.js';
import { readUserInput } from '../../src/scim/resource-input.js';

/** PATCH bodies as Okta and Entra send them (GOVERNANCE.md §1), verbatim where they are quoted there, and what is refused. */
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const user = Object.freeze({
  schemas: [USER],
  id: 'u1',
  externalId: 'ext-1',
  userName: 'ada',
  name: { givenName: 'Ada', familyName: 'Lovelace', formatted: 'Ada Lovelace' },
  displayName: 'Ada Lovelace',
  emails: [{ value: 'ada@example.com', type: 'work', primary: true }],
  phoneNumbers: [{ value: '+1 555 0100', type: 'work', primary: true }],
  active: true,
  meta: { resourceType: 'User', version: 'W/"x"' },
});

const body = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });
const patchOf = (resource: Record<string, unknown>, ...ops: unknown[]) => applyUserPatch(resource, readPatchRequest(body(...ops))) as Record<string, any>;
const patchUser = (...ops: unknown[]) => patchOf(structuredClone(user), ...ops);
const planGroup = (...ops: unknown[]) => planGroupPatch(readPatchRequest(body(...ops)), 'g1');

function refusal(run: () => unknown): { status: number; scimType?: string; detail: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof ScimError) return { status: error.status, scimType: error.scimType, detail: error.detail };
    throw error;
  }
  throw new Error('expected a ScimError');
}

describe('readPatchRequest', () => {
  it("reads Okta's deactivate, with op names in any case", () => {
    expect(readPatchRequest({ schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] })).toEqual([{ op: 'replace', value: { active: false } }]);
    expect(readPatchRequest(body({ op: 'Add', path: 'members', value: [] }, { op: 'REPLACE', path: 'active', value: 'False' }, { op: 'Remove', path: 'externalId' }))).toEqual([
      { op: 'add', path: 'members', value: [] },
      { op: 'replace', path: 'active', value: 'False' },
      { op: 'remove', path: 'externalId' },
    ]);
  });

  it('refuses a body that is not an object, or lacks the PatchOp schema', () => {
    expect(refusal(() => readPatchRequest([]))).toMatchObject({ status: 400, scimType: 'invalidSyntax' });
    expect(refusal(() => readPatchRequest({ Operations: [{ op: 'replace', value: { active: false } }] }))).toMatchObject({ scimType: 'invalidSyntax', detail: expect.stringContaining(PATCH_OP) });
    expect(refusal(() => readPatchRequest({ schemas: [USER], Operations: [{ op: 'replace', value: { active: false } }] })).scimType).toBe('invalidSyntax');
  });

  it('refuses missing, empty and oversized Operations', () => {
    expect(refusal(() => readPatchRequest({ schemas: [PATCH_OP] })).scimType).toBe('invalidSyntax');
    expect(refusal(() => readPatchRequest(body()))).toMatchObject({ scimType: 'invalidValue', detail: expect.stringContaining('empty') });
    const ops = Array.from({ length: 1_001 }, () => ({ op: 'replace', path: 'active', value: true }));
    expect(refusal(() => readPatchRequest(body(...ops)))).toMatchObject({ scimType: 'invalidValue', detail: expect.stringContaining('at most 1,000') });
    expect(readPatchRequest(body(...ops.slice(1)))).toHaveLength(1_000);
  });

  it('refuses an op of "move", a missing op, and a non-object operation', () => {
    expect(refusal(() => readPatchRequest(body({ op: 'move', path: 'userName', value: 'x' })))).toMatchObject({ scimType: 'invalidSyntax', detail: expect.stringContaining('"move"') });
    expect(refusal(() => readPatchRequest(body({ path: 'userName', value: 'x' }))).detail).toContain('has no op');
    expect(refusal(() => readPatchRequest(body('replace'))).detail).toBe('Operations[0] must be an object');
  });

  it('refuses a remove without a path (noTarget), an add without a value, and a pathless replace of a non-object', () => {
    expect(refusal(() => readPatchRequest(body({ op: 'remove' })))).toMatchObject({ scimType: 'noTarget' });
    expect(refusal(() => readPatchRequest(body({ op: 'add', path: 'members' }))).scimType).toBe('invalidSyntax');
    expect(refusal(() => readPatchRequest(body({ op: 'replace', value: false }))).scimType).toBe('invalidValue');
    expect(refusal(() => readPatchRequest(body({ op: 'replace', path: 7, value: false }))).scimType).toBe('invalidPath');
  });
});

describe('applyUserPatch', () => {
  it("applies Okta's deactivate and leaves the input as it was", () => {
    const before = structuredClone(user);
    const after = applyUserPatch(before, readPatchRequest({ Operations: [{ op: 'replace', value: { active: false } }], schemas: [PATCH_OP] }));
    expect(after.active).toBe(false);
    expect(before.active).toBe(true);
    expect(after).not.toBe(before);
  });

  it('disables with Entra\'s string "False" and re-enables with "True"', () => {
    expect(patchUser({ op: 'Replace', path: 'active', value: 'False' }).active).toBe(false);
    expect(patchUser({ op: 'Replace', path: 'active', value: false }).active).toBe(false);
    expect(patchUser({ op: 'Replace', path: 'active', value: 'False' }, { op: 'Replace', path: 'active', value: 'True' }).active).toBe(true);
  });

  it("applies Entra's updates: emails[type eq \"work\"].value, name.familyName, userName", () => {
    const after = patchUser(
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'ada@new.example' },
      { op: 'Replace', path: 'name.familyName', value: 'King' },
      { op: 'Replace', path: 'userName', value: 'ada_king' },
    );
    expect(after.emails).toEqual([{ value: 'ada@new.example', type: 'work', primary: true }]);
    expect(after.name).toMatchObject({ givenName: 'Ada', familyName: 'King' });
    expect(after.userName).toBe('ada_king');
  });

  it("applies Entra's pathless replace with dotted keys", () => {
    const after = patchUser({ op: 'Replace', value: { 'name.givenName': 'Augusta', 'name.familyName': 'King', active: 'False' } });
    expect(after.name).toMatchObject({ givenName: 'Augusta', familyName: 'King' });
    expect(after.active).toBe(false);
  });

  it('merges complex values and matches names in any case and with the URN', () => {
    const after = patchUser({ op: 'replace', value: { NAME: { GIVENNAME: 'Augusta' } } }, { op: 'replace', path: `${USER}:externalId`, value: 'ext-2' });
    expect(after.name).toMatchObject({ givenName: 'Augusta', familyName: 'Lovelace' });
    expect(after.externalId).toBe('ext-2');
    expect(patchUser({ op: 'replace', path: `${USER}:name.givenName`, value: 'A' }).name.givenName).toBe('A');
  });

  it('sets the work phone number, replaces the whole list, and removes it', () => {
    expect(patchUser({ op: 'Replace', path: 'phoneNumbers[type eq "work"].value', value: '+44 20 7946 0000' }).phoneNumbers).toEqual([{ value: '+44 20 7946 0000', type: 'work', primary: true }]);
    expect(patchUser({ op: 'replace', path: 'phoneNumbers', value: [{ value: '+1 555 0199', type: 'mobile' }] }).phoneNumbers).toEqual([{ value: '+1 555 0199', type: 'mobile' }]);
    expect(patchUser({ op: 'remove', path: 'phoneNumbers' })).not.toHaveProperty('phoneNumbers');
    expect(patchUser({ op: 'remove', path: 'phoneNumbers[type eq "work"]' })).not.toHaveProperty('phoneNumbers');
  });

  it('adds through a filter that matches nothing by making the value it describes', () => {
    const { phoneNumbers: _, ...noPhone } = structuredClone(user);
    const after = patchOf(noPhone, { op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555 0111' });
    expect(after.phoneNumbers).toEqual([{ type: 'mobile', value: '+1 555 0111' }]);
    // A replace where there are no values at all is an add (RFC 7644 §3.5.2.3).
    expect(patchOf(noPhone, { op: 'Replace', path: 'phoneNumbers[type eq "work"].value', value: '+1 555 0112' }).phoneNumbers).toEqual([{ type: 'work', value: '+1 555 0112' }]);
  });

  it('refuses a replace whose filter matches none of the values there with noTarget', () => {
    expect(refusal(() => patchUser({ op: 'replace', path: 'phoneNumbers[type eq "fax"].value', value: '+1' }))).toMatchObject({ status: 400, scimType: 'noTarget' });
    expect(refusal(() => patchUser({ op: 'replace', path: 'emails[type eq "home"].value', value: 'a@b.example' })).scimType).toBe('noTarget');
  });

  it('takes a remove whose filter matches nothing as done', () => {
    expect(patchUser({ op: 'remove', path: 'phoneNumbers[type eq "fax"]' }).phoneNumbers).toEqual(user.phoneNumbers);
    expect(patchUser({ op: 'remove', path: 'emails[type eq "home"]' }).emails).toEqual(user.emails);
  });

  it('makes a value primary and the others not', () => {
    const after = patchUser({ op: 'add', path: 'phoneNumbers', value: [{ value: '+1 555 0199', type: 'mobile', primary: 'True' }] });
    expect(after.phoneNumbers).toEqual([
      { value: '+1 555 0100', type: 'work', primary: false },
      { value: '+1 555 0199', type: 'mobile', primary: true },
    ]);
  });

  it('does not refuse a changed e-mail (the caller does); it only transforms', () => {
    expect(patchUser({ op: 'replace', path: 'emails', value: [{ value: 'other@example.com', type: 'work', primary: true }] }).emails).toEqual([{ value: 'other@example.com', type: 'work', primary: true }]);
  });

  it('ignores readOnly targets: displayName, groups, meta, name.formatted, and id when unchanged', () => {
    const after = patchUser(
      { op: 'Replace', path: 'displayName', value: 'Someone Else' },
      { op: 'replace', value: { id: 'u1', displayName: 'X', groups: [], meta: { version: 'W/"y"' }, 'name.formatted': 'X Y' } },
      { op: 'remove', path: 'meta' },
    );
    expect(after).toEqual(user);
  });

  it('refuses a different id with mutability', () => {
    expect(refusal(() => patchUser({ op: 'replace', value: { id: 'u2', active: false } }))).toMatchObject({ scimType: 'mutability' });
    expect(refusal(() => patchUser({ op: 'remove', path: 'id' })).scimType).toBe('mutability');
  });

  it('accepts and drops password, locale and the enterprise extension', () => {
    const after = patchUser(
      { op: 'replace', path: 'password', value: 'Hunter2-secret!' },
      { op: 'Add', path: 'locale', value: 'en-US' },
      { op: 'Add', path: `${ENTERPRISE}:department`, value: 'Engineering' },
      { op: 'Replace', path: `${ENTERPRISE}:manager`, value: { value: 'm-1' } },
      { op: 'replace', value: { [ENTERPRISE]: { costCenter: 'cc' }, password: 'x', schemas: [USER] } },
      { op: 'Add', path: 'roles[primary eq "True"].value', value: 'r' },
    );
    expect(after).toEqual(user);
    expect(JSON.stringify(after)).not.toContain('Hunter2');
  });

  it('refuses removing required attributes', () => {
    for (const path of ['userName', 'name', 'name.givenName', 'name.familyName']) {
      expect(refusal(() => patchUser({ op: 'remove', path }))).toMatchObject({ scimType: 'invalidValue', detail: expect.stringContaining('required') });
    }
    expect(refusal(() => patchUser({ op: 'replace', path: 'userName', value: null })).scimType).toBe('invalidValue');
    expect(refusal(() => patchUser({ op: 'remove', path: 'emails' })).scimType).toBe('mutability');
    expect(refusal(() => patchUser({ op: 'remove', path: 'emails[type eq "work"]' })).scimType).toBe('mutability');
    expect(refusal(() => patchUser({ op: 'replace', path: 'emails', value: [] })).scimType).toBe('mutability');
  });

  it('refuses unknown paths with invalidPath, and unknown pathless keys with invalidValue', () => {
    for (const path of ['shoeSize', 'name.middleName', 'urn:example:custom:x', 'emails[type eq "work"].city', 'emails[type eq "work"', 'active[value eq true]']) {
      expect(refusal(() => patchUser({ op: 'replace', path, value: 'x' }))).toMatchObject({ status: 400, scimType: 'invalidPath' });
    }
    expect(refusal(() => patchUser({ op: 'replace', value: { shoeSize: 9 } }))).toMatchObject({ scimType: 'invalidValue', detail: expect.stringContaining('"shoeSize"') });
  });

  it('refuses bad value filters with invalidFilter', () => {
    for (const path of ['emails[type eq work].value', 'emails[kind eq "work"].value', 'emails[type gt "a"].value', 'emails[type eq "work" and].value', 'emails[].value']) {
      expect(refusal(() => patchUser({ op: 'replace', path, value: 'a@b.example' }))).toMatchObject({ scimType: 'invalidFilter' });
    }
  });

  it('refuses values of the wrong type', () => {
    expect(refusal(() => patchUser({ op: 'replace', path: 'active', value: 'yes' }))).toMatchObject({ scimType: 'invalidValue', detail: 'active must be a boolean' });
    expect(refusal(() => patchUser({ op: 'replace', path: 'userName', value: 5 })).detail).toBe('userName must be a string');
    expect(refusal(() => patchUser({ op: 'replace', path: 'name', value: 'Ada' })).detail).toBe('name must be an object');
  });

  it('gives a resource that reads back as the update (readOnly parts and all)', () => {
    const after = patchUser({ op: 'Replace', value: { 'name.givenName': 'Augusta', active: 'False' } }, { op: 'add', path: 'locale', value: 'en-GB' });
    expect(readUserInput(after, 'replace')).toEqual({ userName: 'ada', givenName: 'Augusta', familyName: 'Lovelace', email: 'ada@example.com', phoneNumber: '+1 555 0100', active: false, externalId: 'ext-1' });
  });

  it('supports and, or, not and case-insensitive matching in filters', () => {
    const after = patchUser({ op: 'replace', path: 'emails[TYPE eq "WORK" and not (primary eq false)].value', value: 'x@example.com' });
    expect(after.emails[0].value).toBe('x@example.com');
  });
});

describe('planGroupPatch', () => {
  it("plans Okta's rename with member add and remove", () => {
    const plan = planGroup(
      { op: 'replace', value: { id: 'g1', displayName: 'Test SCIMv2 renamed' } },
      { op: 'remove', path: 'members[value eq "u1"]' },
      { op: 'add', path: 'members', value: [{ value: 'u2', display: 'grace@example.com' }] },
    );
    expect(plan).toEqual({ displayName: 'Test SCIMv2 renamed', members: [{ kind: 'remove', ids: ['u1'] }, { kind: 'add', ids: ['u2'] }] });
  });

  it("plans Okta's push-now replace members [] as a clear only", () => {
    expect(planGroup({ op: 'replace', path: 'members', value: [] })).toEqual({ members: [{ kind: 'clear' }] });
  });

  it('plans a full replace as clear then add', () => {
    expect(planGroup({ op: 'replace', path: 'members', value: [{ value: 'u1' }, { value: 'u2' }] }).members).toEqual([{ kind: 'clear' }, { kind: 'add', ids: ['u1', 'u2'] }]);
  });

  it("plans Entra's Add members", () => {
    expect(planGroup({ op: 'Add', path: 'members', value: [{ value: 'u3' }] })).toEqual({ members: [{ kind: 'add', ids: ['u3'] }] });
  });

  it("removes only the members Entra's Remove names by value, never the whole group (azure-docs#30826)", () => {
    const plan = planGroup({ op: 'Remove', path: 'members', value: [{ value: 'u2' }] });
    expect(plan.members).toEqual([{ kind: 'remove', ids: ['u2'] }]);
    // Applied as the caller does: the rest are kept.
    const after = plan.members.reduce((members, change) => (change.kind === 'clear' ? [] : change.kind === 'remove' ? members.filter((m) => !change.ids.includes(m)) : [...members, ...change.ids]), ['u1', 'u2', 'u3']);
    expect(after).toEqual(['u1', 'u3']);
    // Naming nobody removes nobody.
    expect(planGroup({ op: 'Remove', path: 'members', value: [] }).members).toEqual([]);
  });

  it('removes members[value eq] and several joined with or', () => {
    expect(planGroup({ op: 'Remove', path: 'members[value eq "u1"]' }).members).toEqual([{ kind: 'remove', ids: ['u1'] }]);
    expect(planGroup({ op: 'remove', path: 'members[value eq "u1" or value eq "u2" or VALUE eq "u3"]' }).members).toEqual([{ kind: 'remove', ids: ['u1', 'u2', 'u3'] }]);
  });

  it('clears on remove members without a value, and on replace with null', () => {
    expect(planGroup({ op: 'remove', path: 'members' }).members).toEqual([{ kind: 'clear' }]);
    expect(planGroup({ op: 'remove', path: 'members', value: null }).members).toEqual([{ kind: 'clear' }]);
    expect(planGroup({ op: 'replace', value: { members: null } }).members).toEqual([{ kind: 'clear' }]);
  });

  it('changes no members when a PATCH does not name them', () => {
    expect(planGroup({ op: 'replace', value: { id: 'g1', displayName: 'Renamed' } })).toEqual({ displayName: 'Renamed', members: [] });
    expect(planGroup({ op: 'add', path: 'members', value: [] }).members).toEqual([]);
  });

  it('keeps the order sent', () => {
    const plan = planGroup({ op: 'add', path: 'members', value: [{ value: 'a' }] }, { op: 'replace', path: 'members', value: [{ value: 'b' }] }, { op: 'remove', path: 'members[value eq "b"]' });
    expect(plan.members).toEqual([{ kind: 'add', ids: ['a'] }, { kind: 'clear' }, { kind: 'add', ids: ['b'] }, { kind: 'remove', ids: ['b'] }]);
  });

  it('reads displayName and externalId by path, pathless, dotted and in any case', () => {
    expect(planGroup({ op: 'Replace', path: 'DISPLAYNAME', value: 'a' }, { op: 'replace', path: 'externalId', value: 'e1' })).toEqual({ displayName: 'a', externalId: 'e1', members: [] });
    expect(planGroup({ op: 'replace', value: { DisplayName: 'b', 'urn:ietf:params:scim:schemas:core:2.0:Group:externalId': null } })).toEqual({ displayName: 'b', externalId: null, members: [] });
    expect(planGroup({ op: 'remove', path: 'externalId' }).externalId).toBeNull();
  });

  it('refuses a different id, a removed displayName, nested groups and bad member values', () => {
    expect(refusal(() => planGroup({ op: 'replace', value: { id: 'g2', displayName: 'x' } }))).toMatchObject({ scimType: 'mutability' });
    expect(refusal(() => planGroup({ op: 'remove', path: 'displayName' })).scimType).toBe('invalidValue');
    expect(refusal(() => planGroup({ op: 'add', path: 'members', value: [{ value: 'g2', type: 'Group' }] }))).toMatchObject({ scimType: 'invalidValue', detail: expect.stringContaining('nested groups are not supported') });
    expect(planGroup({ op: 'add', path: 'members', value: [{ value: 'u1', type: 'USER' }] }).members).toEqual([{ kind: 'add', ids: ['u1'] }]);
    for (const value of [[{ value: '' }], [{ value: 5 }], [{ display: 'ada' }], ['u1']]) {
      expect(refusal(() => planGroup({ op: 'add', path: 'members', value })).scimType).toBe('invalidValue');
    }
  });

  it('refuses members filters other than value eq with invalidFilter', () => {
    for (const path of ['members[display eq "ada"]', 'members[value ne "u1"]', 'members[value eq "u1" and value eq "u2"]', 'members[value sw "u"]']) {
      expect(refusal(() => planGroup({ op: 'remove', path }))).toMatchObject({ scimType: 'invalidFilter', detail: expect.stringContaining('value eq') });
    }
    expect(refusal(() => planGroup({ op: 'add', path: 'members[value eq "u1"]', value: [{ value: 'u1' }] })).scimType).toBe('invalidPath');
    expect(refusal(() => planGroup({ op: 'replace', path: 'owners', value: [] })).scimType).toBe('invalidPath');
  });
});

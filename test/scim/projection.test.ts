import { describe, expect, it } from 'vitest';
import { ScimError } from '../../src/scim/errors.js';
import { project, projector } from '../../src/scim/projection.js';
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from '../../src/scim/schemas.js';

const meta = { resourceType: 'User', created: '2024-01-01T00:00:00Z', lastModified: '2024-02-01T00:00:00Z', location: 'https://gw/scim/v2/Users/u-1', version: 'W/"1"' };
/** A User as the endpoint builds it, with what it must never return mixed in. */
const user = () => ({
  schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
  id: 'u-1',
  externalId: 'ext-1',
  userName: 'bob_smith',
  password: 'hunter2',
  locale: 'en-US',
  name: { givenName: 'Bob', familyName: 'Smith', formatted: 'Bob Smith' },
  displayName: 'Bob Smith',
  emails: [{ value: 'bob@example.com', type: 'work', primary: true }],
  phoneNumbers: [{ value: '+1 555', type: 'work', primary: true }],
  active: true,
  groups: [{ value: 'g-1', display: 'Platform', $ref: 'https://gw/scim/v2/Groups/g-1', type: 'direct' }],
  [ENTERPRISE_USER_SCHEMA]: { department: 'R&D', manager: { value: 'u-9' } },
  meta,
  internalNote: 'not in /Schemas',
});
const group = () => ({
  schemas: [GROUP_SCHEMA],
  id: 'g-1',
  externalId: 'okta-g-1',
  displayName: 'Platform',
  members: [
    { value: 'u-1', display: 'bob_smith', type: 'User', $ref: 'https://gw/scim/v2/Users/u-1' },
    { value: 'u-2', display: 'carol', type: 'User', $ref: 'https://gw/scim/v2/Users/u-2' },
  ],
  meta: { ...meta, resourceType: 'Group' },
});

describe('the default representation', () => {
  it('leaves out never-returned attributes (password, the ignored ones), request-only groups, and keys /Schemas does not describe', () => {
    const out = project(user(), 'User');
    expect(Object.keys(out)).toEqual(['schemas', 'id', 'externalId', 'userName', 'name', 'displayName', 'emails', 'phoneNumbers', 'active', 'meta']);
    expect(out).not.toHaveProperty('password');
    expect(out).not.toHaveProperty(ENTERPRISE_USER_SCHEMA); // every enterprise attribute is ignored
    expect(out.name).toEqual({ givenName: 'Bob', familyName: 'Smith', formatted: 'Bob Smith' });
    expect(out.meta).toEqual(meta);
  });

  it('keeps a group whole, an empty member list included', () => {
    expect(project(group(), 'Group')).toEqual(group());
    expect(project({ ...group(), members: [] }, 'Group').members).toEqual([]);
  });

  it('does not change the resource it projects', () => {
    const resource = user();
    project(resource, 'User', { attributes: ['userName'] });
    expect(resource).toEqual(user());
  });
});

describe('attributes', () => {
  it('returns what is listed plus id and schemas', () => {
    expect(project(user(), 'User', { attributes: ['userName'] })).toEqual({ schemas: user().schemas, id: 'u-1', userName: 'bob_smith' });
    expect(project(user(), 'User', { attributes: ['id'] })).toEqual({ schemas: user().schemas, id: 'u-1' });
  });

  it('takes sub-attributes by dotted name, in any case, URN-prefixed', () => {
    expect(project(user(), 'User', { attributes: ['NAME.GIVENNAME'] })).toEqual({ schemas: user().schemas, id: 'u-1', name: { givenName: 'Bob' } });
    expect(project(user(), 'User', { attributes: ['urn:ietf:params:scim:schemas:core:2.0:User:name.familyName', 'meta.lastModified'] })).toEqual({
      schemas: user().schemas,
      id: 'u-1',
      name: { familyName: 'Smith' },
      meta: { lastModified: meta.lastModified },
    });
  });

  it('cuts every element of a multi-valued attribute to the listed sub-attributes', () => {
    expect(project(group(), 'Group', { attributes: ['members.value'] }).members).toEqual([{ value: 'u-1' }, { value: 'u-2' }]);
    expect(project(user(), 'User', { attributes: ['emails.value', 'emails.type'] }).emails).toEqual([{ value: 'bob@example.com', type: 'work' }]);
  });

  it('lets a whole attribute win over its sub-attributes', () => {
    expect(project(user(), 'User', { attributes: ['name.givenName', 'name'] }).name).toEqual(user().name);
  });

  it('returns the request-only groups when asked for', () => {
    expect(project(user(), 'User', { attributes: ['groups'] }).groups).toEqual(user().groups);
    expect(project(user(), 'User', { attributes: ['groups.display'] }).groups).toEqual([{ display: 'Platform' }]);
  });

  it('never returns never-returned attributes, even when asked for', () => {
    const out = project(user(), 'User', { attributes: ['password', 'locale', `${ENTERPRISE_USER_SCHEMA}:department`] });
    expect(out).toEqual({ schemas: user().schemas, id: 'u-1' });
  });

  it('takes a schema URN for all its default attributes', () => {
    const out = project(user(), 'User', { attributes: [USER_SCHEMA] });
    expect(out).toEqual(project(user(), 'User'));
    expect(out).not.toHaveProperty('groups');
  });

  it('ignores unknown names (chosen over refusing: there is nothing to return for them)', () => {
    expect(project(user(), 'User', { attributes: ['nope', 'urn:example:custom:1.0:User:costCode', 'userName', ''] })).toEqual({ schemas: user().schemas, id: 'u-1', userName: 'bob_smith' });
    expect(project(user(), 'User', { excludedAttributes: ['nope'] })).toEqual(project(user(), 'User'));
  });
});

describe('excludedAttributes', () => {
  it('drops members, as Entra asks', () => {
    const out = project(group(), 'Group', { excludedAttributes: ['members'] });
    expect(out).toEqual({ schemas: [GROUP_SCHEMA], id: 'g-1', externalId: 'okta-g-1', displayName: 'Platform', meta: group().meta });
    expect(project(group(), 'Group', { excludedAttributes: ['MEMBERS'] })).not.toHaveProperty('members');
  });

  it('drops a sub-attribute and keeps the rest', () => {
    expect(project(user(), 'User', { excludedAttributes: ['name.givenName'] }).name).toEqual({ familyName: 'Smith', formatted: 'Bob Smith' });
    expect(project(group(), 'Group', { excludedAttributes: ['members.$ref', 'members.type'] }).members).toEqual([
      { value: 'u-1', display: 'bob_smith' },
      { value: 'u-2', display: 'carol' },
    ]);
  });

  it('keeps id and schemas even when excluded', () => {
    const out = project(user(), 'User', { excludedAttributes: ['id', 'schemas', 'meta', 'emails'] });
    expect(out.id).toBe('u-1');
    expect(out.schemas).toEqual(user().schemas);
    expect(out).not.toHaveProperty('meta');
    expect(out).not.toHaveProperty('emails');
  });

  it('refuses attributes and excludedAttributes together (mutually exclusive, RFC 7644 §3.4.2.5)', () => {
    let error: unknown;
    try {
      projector('Group', { attributes: ['displayName'], excludedAttributes: ['members'] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScimError);
    expect((error as ScimError).scimType).toBe('invalidValue');
  });
});

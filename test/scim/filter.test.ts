import { describe, expect, it } from 'vitest';
import { ScimError } from '../../src/scim/errors.js';
import { checkFilter, equalityLookup, matchesFilter, MAX_FILTER_COMPARISONS, MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, modifiedSinceLookup, parseFilter } from '../../src/scim/filter.js';
import { GROUP_SCHEMA, USER_SCHEMA, type ResourceTypeName } from '../../src/scim/schemas.js';

const bob = {
  schemas: [USER_SCHEMA],
  id: 'u-1',
  externalId: 'ext-Bob',
  userName: 'bob_smith',
  name: { givenName: 'Bob', familyName: 'Smith', formatted: 'Bob Smith' },
  displayName: 'Bob Smith',
  emails: [{ value: 'Bob.Smith@Example.com', type: 'work', primary: true }],
  active: true,
  meta: { resourceType: 'User', created: '2024-01-15T08:00:00Z', lastModified: '2024-06-01T10:00:00Z', location: 'https://gw/scim/v2/Users/u-1', version: 'W/"abc"' },
};
const carol = { ...bob, id: 'u-2', userName: 'carol', externalId: undefined, displayName: 'Carol', emails: [{ value: 'carol@example.com', type: 'work', primary: true }], active: false };
const team = {
  schemas: [GROUP_SCHEMA],
  id: 'g-1',
  displayName: 'Platform Team',
  members: [
    { value: 'u-1', display: 'bob_smith', type: 'User', $ref: 'https://gw/scim/v2/Users/u-1' },
    { value: 'u-2', display: 'carol', type: 'User', $ref: 'https://gw/scim/v2/Users/u-2' },
  ],
  meta: { resourceType: 'Group', created: '2024-01-01T00:00:00Z', lastModified: '2024-01-01T00:00:00Z' },
};
const emptyTeam = { ...team, id: 'g-2', displayName: 'Empty', members: [] };

const matches = (text: string, resource: Record<string, unknown> = bob, type: ResourceTypeName = 'User') => matchesFilter(parseFilter(text), resource, type);

/** The ScimError a call throws; fails the test when it throws anything else, or nothing. */
function refusal(fn: () => unknown): ScimError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ScimError);
    const scim = error as ScimError;
    expect(scim.status).toBe(400);
    expect(scim.detail).not.toMatch(/\n\s+at /); // never a stack
    return scim;
  }
  throw new Error('expected a refusal');
}
const refusedFilter = (text: string, type: ResourceTypeName = 'User') => {
  const error = refusal(() => checkFilter(parseFilter(text), type));
  expect(error.scimType).toBe('invalidFilter');
  return error.detail;
};

describe('what identity providers send (GOVERNANCE.md §1)', () => {
  it("answers Okta's lookup before create: userName eq", () => {
    expect(matches('userName eq "bob_smith"')).toBe(true);
    expect(matches('userName eq "someone_else"')).toBe(false);
  });

  it("answers Entra's user queries: userName, externalId and the work e-mail", () => {
    expect(matches('externalId eq "ext-Bob"')).toBe(true);
    expect(matches('externalId eq "ext-Bob"', carol)).toBe(false);
    expect(matches('emails[type eq "work"].value eq "bob.smith@example.com"')).toBe(true);
    expect(matches('emails[type eq "work"].value eq "bob.smith@example.com"', carol)).toBe(false);
  });

  it("answers Entra's group query: displayName eq", () => {
    expect(matches('displayName eq "Platform Team"', team, 'Group')).toBe(true);
    expect(matches('displayName eq "Other"', team, 'Group')).toBe(false);
  });
});

describe('operators', () => {
  it.each([
    ['eq', 'name.familyName eq "smith"', true],
    ['eq (no)', 'name.familyName eq "smit"', false],
    ['ne', 'name.familyName ne "jones"', true],
    ['ne (no)', 'name.familyName ne "Smith"', false],
    ['co', 'displayName co "b sm"', true],
    ['co (no)', 'displayName co "carol"', false],
    ['sw', 'displayName sw "BOB"', true],
    ['sw (no)', 'displayName sw "Smith"', false],
    ['ew', 'displayName ew "smith"', true],
    ['ew (no)', 'displayName ew "Bob"', false],
    ['pr', 'externalId pr', true],
    ['gt', 'name.familyName gt "Aaron"', true],
    ['gt (no)', 'name.familyName gt "Smith"', false],
    ['ge', 'name.familyName ge "Smith"', true],
    ['lt', 'name.familyName lt "Zed"', true],
    ['lt (no)', 'name.familyName lt "Smith"', false],
    ['le', 'name.familyName le "smith"', true],
    ['le (no)', 'name.familyName le "Sm"', false],
  ])('%s', (_, text, expected) => {
    expect(matches(text)).toBe(expected);
  });

  it('pr: absent, null and empty are not present; an empty list is not present', () => {
    expect(matches('externalId pr', carol)).toBe(false);
    expect(matches('externalId pr', { ...bob, externalId: '' })).toBe(false);
    expect(matches('externalId pr', { ...bob, externalId: null })).toBe(false);
    expect(matches('members pr', team, 'Group')).toBe(true);
    expect(matches('members pr', emptyTeam, 'Group')).toBe(false);
    expect(matches('name pr')).toBe(true);
  });

  it('eq null is "not present", ne null is "present", in any case', () => {
    expect(matches('externalId eq null', carol)).toBe(true);
    expect(matches('externalId eq NULL', bob)).toBe(false);
    expect(matches('externalId ne Null', bob)).toBe(true);
    expect(refusedFilter('externalId gt null')).toMatch(/null/);
  });

  it('and, or, not and parentheses, with and binding tighter than or', () => {
    expect(matches('userName eq "nobody" or userName eq "bob_smith" and active eq true')).toBe(true);
    expect(matches('(userName eq "nobody" or userName eq "bob_smith") and active eq false')).toBe(false);
    expect(matches('not (active eq false)')).toBe(true);
    expect(matches('not (active eq false)', carol)).toBe(false);
    expect(matches('userName pr and not (externalId pr)', carol)).toBe(true);
  });
});

describe('names and operators in any case; URN-prefixed names', () => {
  it('takes attribute names, sub-attribute names and operators in any case', () => {
    expect(matches('USERNAME EQ "bob_smith"')).toBe(true);
    expect(matches('Name.GivenName Sw "b" AND Active Eq True')).toBe(true);
    expect(matches('emails[TYPE EQ "work"].VALUE EW "example.com"')).toBe(true);
    expect(matches('NOT (active EQ true) OR userName Pr')).toBe(true);
  });

  it('takes the core schema URN before core and common attributes', () => {
    expect(matches('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bob_smith"')).toBe(true);
    expect(matches('URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER:name.familyName eq "smith"')).toBe(true);
    expect(matches('urn:ietf:params:scim:schemas:core:2.0:User:meta.created lt "2025-01-01T00:00:00Z"')).toBe(true);
    expect(matches('urn:ietf:params:scim:schemas:core:2.0:Group:displayName eq "platform team"', team, 'Group')).toBe(true);
  });

  it("refuses another type's URN, and the enterprise extension's attributes, which are not kept", () => {
    expect(refusedFilter('urn:ietf:params:scim:schemas:core:2.0:Group:displayName eq "x"')).toMatch(/Unknown attribute/);
    expect(refusedFilter('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "x"')).toMatch(/not kept/);
  });
});

describe('case sensitivity follows caseExact', () => {
  it('compares caseExact attributes exactly: userName, id, externalId, members.value', () => {
    expect(matches('userName eq "BOB_SMITH"')).toBe(false);
    expect(matches('userName sw "Bob"')).toBe(false);
    expect(matches('id eq "U-1"')).toBe(false);
    expect(matches('externalId eq "ext-bob"')).toBe(false);
    expect(matches('members[value eq "U-1"]', team, 'Group')).toBe(false);
  });

  it('compares the others case-insensitively: displayName, e-mails, name parts', () => {
    expect(matches('displayName eq "BOB SMITH"')).toBe(true);
    expect(matches('emails.value eq "BOB.SMITH@EXAMPLE.COM"')).toBe(true);
    expect(matches('name.givenName eq "bob"')).toBe(true);
    expect(matches('displayName eq "platform TEAM"', team, 'Group')).toBe(true);
  });
});

describe('value paths and multi-valued attributes', () => {
  it('matches an element that meets the whole value filter', () => {
    expect(matches('emails[type eq "work" and value co "@example.com"]')).toBe(true);
    expect(matches('emails[type eq "home"]')).toBe(false);
    expect(matches('emails[type eq "work" and value co "@other.org"]')).toBe(false);
    expect(matches('emails[primary eq true]')).toBe(true);
  });

  it("finds a group's member by value, as Okta's and Entra's PATCH paths name them", () => {
    expect(matches('members[value eq "u-2"]', team, 'Group')).toBe(true);
    expect(matches('members[value eq "u-9"]', team, 'Group')).toBe(false);
    expect(matches('members[value eq "u-1"]', emptyTeam, 'Group')).toBe(false);
    expect(matches('members[display co "CAR"]', team, 'Group')).toBe(true);
  });

  it('matches a multi-valued attribute when any value matches; ne when none is equal', () => {
    expect(matches('members.value eq "u-2"', team, 'Group')).toBe(true);
    expect(matches('members.value ne "u-2"', team, 'Group')).toBe(false);
    expect(matches('members.value ne "u-9"', team, 'Group')).toBe(true);
    expect(matches('externalId ne "x"', carol)).toBe(true); // absent is "not equal"
  });

  it('reads a complex attribute named without a sub-attribute as its value', () => {
    expect(matches('emails eq "bob.smith@example.com"')).toBe(true);
    expect(matches('emails co "smith@"')).toBe(true);
    expect(matches('members eq "u-1"', team, 'Group')).toBe(true);
    expect(refusedFilter('name eq "Bob"')).toMatch(/complex.*name\.givenName/);
    expect(refusedFilter('meta gt "2024-01-01T00:00:00Z"')).toMatch(/complex/);
  });

  it('refuses nested value paths, value paths on simple attributes and unknown sub-attributes', () => {
    expect(refusedFilter('emails[type eq "work" and emails[value pr]]')).toMatch(/cannot contain another/);
    expect(refusedFilter('userName[value eq "x"]')).toMatch(/complex/);
    expect(refusedFilter('emails[nope eq "x"]')).toMatch(/Unknown attribute "nope"/);
    expect(refusedFilter('members[value eq "x"]')).toMatch(/Unknown attribute "members"/); // a User has none
  });
});

describe('dateTime attributes compare as instants', () => {
  it('compares across offsets as points in time, not as text', () => {
    // 11:00+02:00 is 09:00Z, before 10:00Z; as text "…T10" < "…T11" would say the opposite.
    expect(matches('meta.lastModified gt "2024-06-01T11:00:00+02:00"')).toBe(true);
    expect(matches('meta.lastModified lt "2024-06-01T11:00:00+02:00"')).toBe(false);
    expect(matches('meta.lastModified eq "2024-06-01T12:00:00.000+02:00"')).toBe(true);
    expect(matches('meta.lastModified ge "2024-06-01T10:00:00Z"')).toBe(true);
    expect(matches('meta.lastModified le "2024-06-01T09:59:59.999Z"')).toBe(false);
  });

  it('takes a bare date (midnight UTC), and a time without an offset as UTC', () => {
    expect(matches('meta.lastModified gt "2024-01-01"')).toBe(true);
    expect(matches('meta.created eq "2024-01-15T08:00:00"')).toBe(true);
  });

  it('refuses a value that is not a dateTime', () => {
    expect(refusedFilter('meta.lastModified gt "yesterday"')).toMatch(/not a dateTime/);
    expect(refusedFilter('meta.lastModified gt "2024-13-45T00:00:00Z"')).toMatch(/not a dateTime/);
    expect(refusedFilter('meta.lastModified gt 2024')).toMatch(/dateTime/);
  });
});

describe('booleans', () => {
  it('takes true and false in any case (RFC 7644 literals are case-insensitive)', () => {
    expect(matches('active eq true')).toBe(true);
    expect(matches('active eq TRUE')).toBe(true);
    expect(matches('active eq False', carol)).toBe(true);
    expect(matches('active eq FALSE')).toBe(false);
    expect(matches('active ne false')).toBe(true);
  });

  it('leaves quoted "TRUE" a string', () => {
    expect(matches('displayName eq "TRUE"', { ...bob, displayName: 'True' })).toBe(true);
    expect(refusedFilter('active eq "true"')).toMatch(/boolean.*true or false/);
  });

  it('refuses ordering and substring operators on booleans', () => {
    for (const op of ['gt', 'ge', 'lt', 'le', 'co', 'sw', 'ew']) expect(refusedFilter(`active ${op} true`)).toMatch(/boolean/);
  });
});

describe('string literals are JSON strings', () => {
  it('reads escaped quotes and backslashes as JSON does', () => {
    expect(matches('displayName eq "Say \\"hi\\""', { ...bob, displayName: 'Say "hi"' })).toBe(true);
    expect(matches('displayName eq "a\\\\b"', { ...bob, displayName: 'a\\b' })).toBe(true);
    expect(matches('displayName eq "\\u0042ob Smith"')).toBe(true);
  });

  it('does not take words inside strings for operators or literals', () => {
    expect(matches('displayName eq "x and y or not (z) eq TRUE"', { ...bob, displayName: 'X and Y or not (z) eq TRUE' })).toBe(true);
  });

  it('refuses a number where a string is wanted', () => {
    expect(refusedFilter('userName eq 5')).toMatch(/string: quote/);
  });
});

describe('refusals are invalidFilter with a detail, never a library Error', () => {
  it.each([
    ['an unknown attribute', 'nickname_typo eq "x"', /Unknown attribute "nickname_typo"/],
    ['an unquoted word as a value', 'userName eq bob', /bob is not a value/],
    ['a missing value', 'userName eq', /no value after its operator/],
    ['an unknown operator', 'userName is "x"', /not valid SCIM filter syntax/],
    ['an unclosed parenthesis', '(userName eq "x"', /expected '\)'/],
    ['an unclosed bracket', 'emails[type eq "work"', /expected '\]'/],
    ['trailing text', 'userName eq "x" junk', /unexpected text/],
    ['a dangling and', 'userName pr and', /not valid SCIM filter syntax/],
    ['an unterminated string', 'userName eq "x', /no closing quote/],
    ['a bad escape', 'userName eq "\\q"', /not a valid JSON string/],
    ['an empty filter', '   ', /empty/],
    ['$ref, which the tokenizer does not take', 'members[$ref pr]', /not valid SCIM filter syntax/],
    ['a password, which is not kept', 'password eq "secret"', /not kept/],
  ])('%s', (_, text, detail) => {
    expect(refusedFilter(text)).toMatch(detail);
  });

  it('refuses an unknown attribute when checked, before any resource is read', () => {
    const filter = parseFilter('userNmae eq "x"');
    expect(refusal(() => checkFilter(filter, 'User')).detail).toMatch(/userNmae/);
    expect(refusal(() => matchesFilter(filter, bob, 'User')).scimType).toBe('invalidFilter');
  });

  it(`refuses text over ${MAX_FILTER_LENGTH} characters`, () => {
    const text = `userName eq "${'x'.repeat(MAX_FILTER_LENGTH)}"`;
    expect(refusal(() => parseFilter(text)).detail).toMatch(new RegExp(`at most ${MAX_FILTER_LENGTH}`));
    expect(() => parseFilter(`userName eq "${'x'.repeat(MAX_FILTER_LENGTH - 20)}"`)).not.toThrow();
  });

  it('refuses the 5,000-parenthesis attack with invalidFilter, not a RangeError', () => {
    const text = `${'('.repeat(5000)}userName pr${')'.repeat(5000)}`;
    const error = refusal(() => parseFilter(text));
    expect(error.scimType).toBe('invalidFilter');
  });

  it(`refuses nesting deeper than ${MAX_FILTER_DEPTH}, and takes ${MAX_FILTER_DEPTH}`, () => {
    const nested = (depth: number) => `${'('.repeat(depth)}userName pr${')'.repeat(depth)}`;
    expect(refusal(() => parseFilter(nested(MAX_FILTER_DEPTH + 1))).detail).toMatch(new RegExp(`deeper than ${MAX_FILTER_DEPTH}`));
    expect(refusal(() => parseFilter(nested(1000))).detail).toMatch(/deeper than/); // short enough to pass the length bound
    expect(matches(nested(MAX_FILTER_DEPTH))).toBe(true);
    expect(refusal(() => parseFilter(`${'emails[value pr and ('.repeat(9)}`)).detail).toMatch(/deeper than/);
  });

  it(`refuses more than ${MAX_FILTER_COMPARISONS} comparisons and long not-chains`, () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => `userName eq "u${i}"`).join(' or ');
    expect(refusal(() => parseFilter(many(MAX_FILTER_COMPARISONS + 1))).detail).toMatch(new RegExp(`more than ${MAX_FILTER_COMPARISONS} comparisons`));
    expect(matches(many(MAX_FILTER_COMPARISONS))).toBe(false);
    expect(refusal(() => parseFilter(`${'not '.repeat(200)}userName pr`)).detail).toMatch(/and\/or\/not/);
  });

  it('refuses an unterminated string full of newlines at once (the library would backtrack exponentially on it)', () => {
    expect(refusal(() => parseFilter(`userName eq "${'\n'.repeat(60)}`)).detail).toMatch(/no closing quote/);
    expect(refusal(() => parseFilter(`userName eq "${'\n'.repeat(60)}\\\n"`)).scimType).toBe('invalidFilter');
  });
});

describe('equalityLookup', () => {
  const lookup = (text: string, type: ResourceTypeName = 'User') => equalityLookup(parseFilter(text), type);

  it("finds the one attribute Okta's and Entra's lookups name", () => {
    expect(lookup('userName eq "bob_smith"')).toEqual({ attribute: 'userName', value: 'bob_smith', caseExact: true });
    expect(lookup('externalId eq "ext-Bob"')).toEqual({ attribute: 'externalId', value: 'ext-Bob', caseExact: true });
    expect(lookup('emails[type eq "work"].value eq "Bob@Example.com"')).toEqual({ attribute: 'emails.value', value: 'Bob@Example.com', caseExact: false });
    expect(lookup('displayName eq "Platform Team"', 'Group')).toEqual({ attribute: 'displayName', value: 'Platform Team', caseExact: false });
    expect(lookup('id eq "u-1"')).toEqual({ attribute: 'id', value: 'u-1', caseExact: true });
  });

  it('takes any case, URN prefixes, and a complex attribute as its value', () => {
    expect(lookup('USERNAME EQ "x"')?.attribute).toBe('userName');
    expect(lookup('urn:ietf:params:scim:schemas:core:2.0:User:externalId eq "x"')?.attribute).toBe('externalId');
    expect(lookup('emails eq "a@b.c"')?.attribute).toBe('emails.value');
  });

  it('finds it among the conjuncts of an AND, preferring the most selective; the rest is left to matchesFilter', () => {
    const text = 'displayName eq "Bob Smith" and (active eq true and id eq "u-1")';
    expect(lookup(text)).toEqual({ attribute: 'id', value: 'u-1', caseExact: true });
    expect(lookup('userName eq "bob_smith" and active eq false')?.attribute).toBe('userName');
    expect(matches('userName eq "bob_smith" and active eq false')).toBe(false);
  });

  it('finds nothing for OR, NOT, ne, null, non-strings, other attributes or types', () => {
    expect(lookup('userName eq "a" or userName eq "b"')).toBeNull();
    expect(lookup('not (userName eq "a")')).toBeNull();
    expect(lookup('userName ne "a"')).toBeNull();
    expect(lookup('externalId eq null')).toBeNull();
    expect(lookup('userName sw "a"')).toBeNull();
    expect(lookup('name.familyName eq "Smith"')).toBeNull();
    expect(lookup('emails.value eq "a@b.c"', 'Group')).toBeNull();
    expect(lookup('members[value eq "u-1"]', 'Group')).toBeNull();
  });
});

describe('modifiedSinceLookup', () => {
  const since = (text: string) => modifiedSinceLookup(parseFilter(text), 'User');
  it('reads gt and ge on meta.lastModified, alone or in an AND, the latest bound winning', () => {
    expect(since('meta.lastModified gt "2024-05-01T00:00:00Z"')).toBe(Date.parse('2024-05-01T00:00:00Z'));
    expect(since('META.LASTMODIFIED ge "2024-05-01"')).toBe(Date.parse('2024-05-01T00:00:00Z'));
    expect(since('active eq true and meta.lastModified gt "2024-05-01T00:00:00Z" and meta.lastModified ge "2024-06-01T00:00:00Z"')).toBe(Date.parse('2024-06-01T00:00:00Z'));
  });
  it('is null where the filter does not bound the time from below for every match', () => {
    expect(since('meta.lastModified lt "2024-05-01T00:00:00Z"')).toBeNull();
    expect(since('meta.lastModified gt "2024-05-01T00:00:00Z" or active eq true')).toBeNull();
    expect(since('not (meta.lastModified gt "2024-05-01T00:00:00Z")')).toBeNull();
    expect(since('meta.created gt "2024-05-01T00:00:00Z"')).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { ScimError } from '../../src/scim/errors.js';
import { DEFAULT_COUNT, listPage, MAX_COUNT, readListQuery, wantsAttribute, type ListQuery } from '../../src/scim/list-query.js';
import { GROUP_SCHEMA, LIST_RESPONSE_SCHEMA, USER_SCHEMA, type ResourceTypeName } from '../../src/scim/schemas.js';

const query = (text: string, type: ResourceTypeName = 'User') => readListQuery(new URLSearchParams(text), type);

function refusal(fn: () => unknown): ScimError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ScimError);
    expect((error as ScimError).status).toBe(400);
    return error as ScimError;
  }
  throw new Error('expected a refusal');
}

const pad = (n: number) => String(n).padStart(5, '0');
function user(n: number, extra: Record<string, unknown> = {}) {
  return {
    schemas: [USER_SCHEMA],
    id: `u-${pad(n)}`,
    userName: `user_${pad(n)}`,
    name: { givenName: 'User', familyName: pad(n) },
    displayName: `User ${pad(n)}`,
    emails: [{ value: `user${n}@example.com`, type: 'work', primary: true }],
    active: n % 2 === 0,
    meta: { resourceType: 'User', created: '2024-01-01T00:00:00Z', lastModified: '2024-01-01T00:00:00Z' },
    ...extra,
  };
}
/** 250 users, in an order that is neither by id nor by anything else. */
const shuffled = (n: number) => Array.from({ length: n }, (_, i) => user((i * 97) % n));
const ids = (body: { Resources: Array<Record<string, unknown>> }) => body.Resources.map((r) => r.id as string);

describe('readListQuery', () => {
  it('reads no parameters as the defaults', () => {
    expect(query('')).toEqual({ filter: null, startIndex: 1, count: DEFAULT_COUNT, sortBy: null, sortOrder: 'ascending', attributes: [], excludedAttributes: [] });
  });

  it("reads Okta's lookup and Entra's group query as they are sent", () => {
    const okta = query('filter=userName%20eq%20%22x%22&startIndex=1&count=100');
    expect(okta.filter).toEqual({ op: 'eq', path: 'userName', value: 'x' });
    expect([okta.startIndex, okta.count]).toEqual([1, 100]);
    const entra = query('excludedAttributes=members&filter=displayName+eq+%22Platform%22', 'Group');
    expect(entra.filter).toEqual({ op: 'eq', path: 'displayName', value: 'Platform' });
    expect(entra.excludedAttributes).toEqual(['members']);
  });

  it('treats startIndex below 1 as 1, count below 0 as 0, and caps count', () => {
    expect(query('startIndex=0').startIndex).toBe(1);
    expect(query('startIndex=-5').startIndex).toBe(1);
    expect(query('count=-1').count).toBe(0);
    expect(query('count=0').count).toBe(0);
    expect(query(`count=${MAX_COUNT + 1}`).count).toBe(MAX_COUNT);
    expect(query('count=99999999999999999999999').count).toBe(MAX_COUNT);
    expect(query('startIndex=+7').startIndex).toBe(7); // '+' arrives as a space
  });

  it.each(['startIndex=abc', 'startIndex=1.5', 'count=', 'count=1e3', 'count=10abc', 'count=0x10'])('refuses the non-integer %s with invalidValue', (text) => {
    expect(refusal(() => query(text)).scimType).toBe('invalidValue');
  });

  it('takes parameter names in any case, refuses a repeated one in any spelling, and ignores unknown ones', () => {
    expect(query('startindex=3&COUNT=7&SortOrder=Descending&sortby=userName')).toMatchObject({ startIndex: 3, count: 7, sortOrder: 'descending' });
    expect(query('startindex=3').startIndex).toBe(3);
    expect(refusal(() => query('count=1&count=2')).detail).toMatch(/count .*more than once/);
    expect(refusal(() => query('startIndex=1&startindex=2')).scimType).toBe('invalidValue');
    expect(query('_=1700000000&startIndex=2').startIndex).toBe(2);
  });

  it('refuses a filter that names an unknown attribute when read, before anything is listed', () => {
    expect(refusal(() => query('filter=userNmae%20eq%20%22x%22')).scimType).toBe('invalidFilter');
    expect(refusal(() => query('filter=members%5Bvalue%20eq%20%22x%22%5D')).scimType).toBe('invalidFilter'); // a Group's, not a User's
    expect(query('filter=members%5Bvalue%20eq%20%22x%22%5D', 'Group').filter).not.toBeNull();
    expect(refusal(() => query('filter=')).scimType).toBe('invalidFilter');
  });

  it('resolves sortBy like a filter path, and refuses what cannot be sorted by', () => {
    expect(query('sortBy=USERNAME').sortBy?.keys).toEqual(['userName']);
    expect(query('sortBy=urn:ietf:params:scim:schemas:core:2.0:User:name.familyName').sortBy?.keys).toEqual(['name', 'familyName']);
    expect(query('sortBy=emails').sortBy?.keys).toEqual(['emails', 'value']);
    expect(refusal(() => query('sortBy=nope')).scimType).toBe('invalidValue');
    expect(refusal(() => query('sortBy=name')).detail).toMatch(/complex/);
    expect(refusal(() => query('sortBy=password')).detail).toMatch(/does not keep/);
    expect(refusal(() => query('sortBy=userName&sortOrder=upwards')).scimType).toBe('invalidValue');
  });

  it('splits attribute lists and refuses both lists together', () => {
    expect(query('attributes=userName,%20name.givenName,,').attributes).toEqual(['userName', 'name.givenName']);
    expect(refusal(() => query('attributes=userName&excludedAttributes=emails')).scimType).toBe('invalidValue');
  });
});

describe('listPage: paging', () => {
  const all = shuffled(250);
  const page = (text: string) => listPage(all, query(text), 'User');

  it('pages through everything in a stable order, with integer counts, as Okta imports', () => {
    const seen: string[] = [];
    for (let startIndex = 1; startIndex <= 250; startIndex += 100) {
      const body = page(`startIndex=${startIndex}&count=100`);
      expect(body.schemas).toEqual([LIST_RESPONSE_SCHEMA]);
      expect(body.totalResults).toBe(250);
      expect(body.startIndex).toBe(startIndex);
      expect(body.itemsPerPage).toBe(startIndex === 201 ? 50 : 100);
      for (const n of [body.totalResults, body.startIndex, body.itemsPerPage]) expect(Number.isInteger(n)).toBe(true);
      seen.push(...ids(body));
    }
    expect(seen).toEqual([...all.map((u) => u.id)].sort());
    // The same page twice is the same page, and the input is not reordered.
    expect(ids(page('startIndex=101&count=100'))).toEqual(seen.slice(100, 200));
    expect(all[1]!.id).toBe(`u-${pad(97)}`);
  });

  it('answers startIndex past the end with an empty page that still counts', () => {
    expect(page('startIndex=251')).toEqual({ schemas: [LIST_RESPONSE_SCHEMA], totalResults: 250, startIndex: 251, itemsPerPage: 0, Resources: [] });
    expect(page('startIndex=250&count=10').itemsPerPage).toBe(1);
  });

  it('answers count=0 with totalResults only', () => {
    expect(page('count=0&filter=active%20eq%20true')).toEqual({ schemas: [LIST_RESPONSE_SCHEMA], totalResults: 125, startIndex: 1, itemsPerPage: 0, Resources: [] });
  });

  it(`returns at most ${MAX_COUNT} for a larger count`, () => {
    const many = shuffled(MAX_COUNT + 500);
    const body = listPage(many, query(`count=${MAX_COUNT * 5}`), 'User');
    expect(body.itemsPerPage).toBe(MAX_COUNT);
    expect(body.totalResults).toBe(MAX_COUNT + 500);
  });

  it('answers a filter that matches nothing with totalResults 0 (Okta checks it)', () => {
    expect(page('filter=userName%20eq%20%22nobody%22')).toEqual({ schemas: [LIST_RESPONSE_SCHEMA], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });
  });

  it('refuses an unknown attribute even with nothing to list', () => {
    const typo: ListQuery = { ...query(''), filter: { op: 'eq', path: 'userNmae', value: 'x' } };
    expect(refusal(() => listPage([], typo, 'User')).scimType).toBe('invalidFilter');
  });

  it('filters 10,000 resources', () => {
    const big = Array.from({ length: 10_000 }, (_, i) => user(i));
    const body = listPage(big, query('filter=emails%5Btype%20eq%20%22work%22%5D.value%20sw%20%22user99%22&count=1000'), 'User');
    // user99, user990-999, user9900-9999
    expect(body.totalResults).toBe(1 + 10 + 100);
    expect(ids(body)).toContain(`u-${pad(9999)}`);
  });
});

describe('listPage: sorting', () => {
  const people = [
    user(1, { userName: 'zed', displayName: 'bob', externalId: 'b', meta: { created: '2024-01-01T10:00:00+02:00' } }), // 08:00Z
    user(2, { userName: 'Amy', displayName: 'Bob', meta: { created: '2024-01-01T09:00:00Z' } }),
    user(3, { userName: 'carl', displayName: 'alice', externalId: 'a', meta: { created: '2024-01-01T07:00:00Z' } }),
    user(4, { userName: 'dora', displayName: 'Carol', externalId: 'c', meta: {} }),
  ];
  const order = (text: string) => ids(listPage(people, query(text), 'User'));

  it('sorts a caseExact attribute exactly, both ways', () => {
    expect(order('sortBy=userName')).toEqual(['u-00002', 'u-00003', 'u-00004', 'u-00001']); // Amy, carl, dora, zed
    expect(order('sortBy=userName&sortOrder=descending')).toEqual(['u-00001', 'u-00004', 'u-00003', 'u-00002']);
  });

  it('sorts the others case-insensitively, breaking ties by id in both orders', () => {
    expect(order('sortBy=displayName')).toEqual(['u-00003', 'u-00001', 'u-00002', 'u-00004']); // alice, bob = Bob, Carol
    expect(order('sortBy=displayName&sortOrder=descending')).toEqual(['u-00004', 'u-00001', 'u-00002', 'u-00003']);
  });

  it('puts missing values last ascending and first descending', () => {
    expect(order('sortBy=externalId')).toEqual(['u-00003', 'u-00001', 'u-00004', 'u-00002']);
    expect(order('sortBy=externalId&sortOrder=descending')).toEqual(['u-00002', 'u-00004', 'u-00001', 'u-00003']);
  });

  it('sorts dateTimes as instants', () => {
    expect(order('sortBy=meta.created')).toEqual(['u-00003', 'u-00001', 'u-00002', 'u-00004']);
  });

  it("sorts a multi-valued attribute by its primary value, else its first", () => {
    const two = [
      user(1, { emails: [{ value: 'z@example.com', type: 'home' }, { value: 'a@example.com', type: 'work', primary: true }] }),
      user(2, { emails: [{ value: 'm@example.com', type: 'work' }] }),
    ];
    expect(ids(listPage(two, query('sortBy=emails.value'), 'User'))).toEqual(['u-00001', 'u-00002']);
    expect(ids(listPage(two, query('sortBy=emails&sortOrder=descending'), 'User'))).toEqual(['u-00002', 'u-00001']);
  });

  it('pages the sorted result, not the input', () => {
    expect(order('sortBy=userName&startIndex=2&count=2')).toEqual(['u-00003', 'u-00004']);
  });
});

describe('listPage: projection', () => {
  const group = (n: number) => ({ schemas: [GROUP_SCHEMA], id: `g-${n}`, displayName: `Team ${n}`, members: [{ value: `u-${n}`, display: `user_${n}` }], meta: { resourceType: 'Group' } });

  it('projects every resource: excludedAttributes=members, as Entra asks', () => {
    const body = listPage([group(2), group(1)], query('excludedAttributes=members&filter=displayName%20eq%20%22team%201%22', 'Group'), 'Group');
    expect(body.Resources).toEqual([{ schemas: [GROUP_SCHEMA], id: 'g-1', displayName: 'Team 1', meta: { resourceType: 'Group' } }]);
  });

  it('filters on members even when they are left out of the answer', () => {
    const body = listPage([group(1), group(2)], query('excludedAttributes=members&filter=members%5Bvalue%20eq%20%22u-2%22%5D', 'Group'), 'Group');
    expect(ids(body)).toEqual(['g-2']);
    expect(body.Resources[0]).not.toHaveProperty('members');
  });

  it('returns only the attributes asked for', () => {
    expect(listPage([user(1)], query('attributes=userName'), 'User').Resources).toEqual([{ schemas: [USER_SCHEMA], id: 'u-00001', userName: 'user_00001' }]);
  });
});

describe('wantsAttribute', () => {
  it('wants default attributes unless left out', () => {
    expect(wantsAttribute(query('', 'Group'), 'members')).toBe(true);
    expect(wantsAttribute(query('excludedAttributes=members', 'Group'), 'members')).toBe(false);
    expect(wantsAttribute(query('excludedAttributes=members.display', 'Group'), 'members')).toBe(true);
    expect(wantsAttribute(query('attributes=displayName', 'Group'), 'members')).toBe(false);
    expect(wantsAttribute(query('attributes=members.value', 'Group'), 'members')).toBe(true);
    expect(wantsAttribute(query(`attributes=${GROUP_SCHEMA}`, 'Group'), 'members')).toBe(true);
  });

  it('wants request-only attributes only when named', () => {
    expect(wantsAttribute(query(''), 'groups', true)).toBe(false);
    expect(wantsAttribute(query(`attributes=${USER_SCHEMA}`), 'groups', true)).toBe(false);
    expect(wantsAttribute(query('attributes=userName,Groups'), 'groups', true)).toBe(true);
  });

  it('wants what the filter or sortBy reads, even when it is not returned', () => {
    expect(wantsAttribute(query('excludedAttributes=members&filter=members%5Bvalue%20eq%20%22u%22%5D', 'Group'), 'members')).toBe(true);
    expect(wantsAttribute(query('filter=not%20(groups.value%20eq%20%22g%22)'), 'groups', true)).toBe(true);
    expect(wantsAttribute(query('sortBy=members.display&excludedAttributes=members', 'Group'), 'members')).toBe(true);
    expect(wantsAttribute(query('excludedAttributes=members&filter=displayName%20eq%20%22x%22', 'Group'), 'members')).toBe(false);
  });
});

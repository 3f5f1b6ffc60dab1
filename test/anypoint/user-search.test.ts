import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnypointClient } from '../../src/anypoint/client.js';
import { findUserByUsername, listAllUsers, searchUsers } from '../../src/anypoint/accounts.js';
import type { AnypointUser, DataEnvelope } from '../../src/anypoint/types.js';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';
import { USERS_ROUTE, clientFor, resetCounts, rowsOf, useSimClient } from './support.js';

/**
 * The users list's `search` parameter (MuleSoft's Access Management spec: "search for an user by
 * username, firstName, lastName or email"), as the simulator serves it and as searchUsers and
 * findUserByUsername use it. The users below are made over HTTP with values no seeded user has,
 * so each search's exact result is known.
 */

interface NewUser {
  username: string;
  firstName: string;
  lastName: string;
  email: string;
}

// One distinctive token per field, each in exactly one user, so a match proves which field matched.
const FIELDS: NewUser = { username: 'Qwuserx_fields', firstName: 'Frobnitz', lastName: 'Grommetson', email: 'wibble.mail@search.example' };
// Regex and URL metacharacters, to be matched literally and to survive the query string.
const SPECIAL: NewUser = { username: 'special_chars', firstName: 'Dot.Star*', lastName: '(Paren)[Bracket]+Plus? R&D#1', email: "o'brien+tag%41@search.example" };
// Usernames that differ only in case, and one that contains another.
const TWINS: NewUser[] = ['Case_Twin', 'case_twin', 'case_twin_2'].map((username) => ({ username, firstName: 'Twin', lastName: 'Sibling', email: `${username.toLowerCase()}@twins.example` }));
// Seven users sharing a last name, to page through.
const PAGED: NewUser[] = Array.from({ length: 7 }, (_, i) => ({ username: `paged_${i}`, firstName: `Pager${i}`, lastName: 'Pagetokson', email: `paged_${i}@paging.example` }));

async function createUsers(h: SimHarness, orgId: string, users: NewUser[]): Promise<Map<string, string>> {
  const token = await h.token();
  const ids = new Map<string, string>();
  for (const user of users) {
    const res = await h.send('POST', `/accounts/api/organizations/${orgId}/users`, token, { ...user, password: 'Secret-Pass-1' });
    if (res.status !== 201) throw new Error(`creating ${user.username} answered ${res.status}: ${await res.text()}`);
    ids.set(user.username, ((await res.json()) as { id: string }).id);
  }
  return ids;
}

/** One raw page of the route, as the client sends it: to see total, offset and limit at work. */
const searchPage = (client: AnypointClient, orgId: string, search: string, offset: number, limit: number) =>
  client.request<DataEnvelope<AnypointUser>>({ route: USERS_ROUTE, params: { orgId }, query: { search, offset, limit } });

const usernames = (users: AnypointUser[]) => users.map((u) => u.username).sort();

describe('user search on the demo preset', () => {
  const ctx = useSimClient({ resetFaults: false });
  let orgId: string;

  beforeAll(async () => {
    orgId = ctx.h.sim.store.rootOrgId;
    await createUsers(ctx.h, orgId, [FIELDS, SPECIAL, ...TWINS, ...PAGED]);
  });

  describe('matching', () => {
    it.each([
      ['username', 'qwuserx'],
      ['firstName', 'obnit'],
      ['lastName', 'mmetso'],
      ['email', 'wibble.mail@search'],
    ])('finds a user by a substring of its %s, in any case', async (_field, token) => {
      for (const text of [token, token.toUpperCase(), token[0]!.toUpperCase() + token.slice(1)]) {
        expect(usernames(await searchUsers(ctx.client, orgId, text)), text).toEqual([FIELDS.username]);
      }
    });

    it('matches every user whose fields contain the text, across fields', async () => {
      // "twin" is in each twin's username, firstName and email.
      expect(usernames(await searchUsers(ctx.client, orgId, 'TWIN'))).toEqual(TWINS.map((t) => t.username).sort());
    });

    it('matches regex and URL metacharacters literally', async () => {
      const cases: Array<[string, string[]]> = [
        ['.*', []], // as a regex this would match everyone
        ['t.s', [SPECIAL.username]], // "Dot.Star*"; as a regex "t.s" would also match "tas", "tes", ...
        ['*', [SPECIAL.username]],
        ['(paren)[bracket]+plus?', [SPECIAL.username]],
        ['r&d#1', [SPECIAL.username]], // & and # must reach the server inside the value
        ['+tag%41', [SPECIAL.username]], // + must not become a space, nor %41 an "A"
        ["o'brien", [SPECIAL.username]],
        ['+taga', []],
        ['^dot', []],
        ['\\', []],
      ];
      for (const [text, expected] of cases) {
        expect(usernames(await searchUsers(ctx.client, orgId, text)), text).toEqual(expected);
      }
    });

    it('answers a search that matches nothing with an empty page and total 0, in one call', async () => {
      expect(await searchPage(ctx.client, orgId, 'no-such-user-anywhere', 0, 25)).toEqual({ data: [], total: 0 });
      await resetCounts(ctx.h);
      expect(await searchUsers(ctx.client, orgId, 'no-such-user-anywhere')).toEqual([]);
      expect(await rowsOf(ctx.h, 'GET', USERS_ROUTE)).toEqual({ '200': 1 });
    });

    it('treats an empty search as no filter, as the other Access Management lists do', async () => {
      expect(usernames(await searchUsers(ctx.client, orgId, ''))).toEqual(usernames(await listAllUsers(ctx.client, orgId)));
    });
  });

  describe('paging', () => {
    it('counts the matches in total and pages through them with offset and limit', async () => {
      const pages = [0, 3, 6].map((offset) => searchPage(ctx.client, orgId, 'PAGETOK', offset, 3));
      const [first, second, third] = await Promise.all(pages);
      expect([first!.total, second!.total, third!.total]).toEqual([7, 7, 7]);
      expect([first!.data.length, second!.data.length, third!.data.length]).toEqual([3, 3, 1]);
      const seen = [...first!.data, ...second!.data, ...third!.data].map((u) => u.username);
      expect(new Set(seen).size).toBe(7);
      expect([...seen].sort()).toEqual(PAGED.map((p) => p.username).sort());
      expect(await searchPage(ctx.client, orgId, 'pagetok', 7, 3)).toEqual({ data: [], total: 7 });
    });

    it('returns every match through searchUsers', async () => {
      expect(usernames(await searchUsers(ctx.client, orgId, 'pagetokson'))).toEqual(PAGED.map((p) => p.username).sort());
    });
  });

  describe('findUserByUsername', () => {
    it('picks the exact, case-sensitive username among the substring matches', async () => {
      // The search for "case_twin" also returns "Case_Twin" and "case_twin_2".
      for (const twin of TWINS) expect((await findUserByUsername(ctx.client, orgId, twin.username))?.username).toBe(twin.username);
    });

    it('is null when only other spellings exist, or nothing matches', async () => {
      expect(await findUserByUsername(ctx.client, orgId, 'CASE_TWIN')).toBeNull();
      expect(await findUserByUsername(ctx.client, orgId, 'case_twi')).toBeNull();
      expect(await findUserByUsername(ctx.client, orgId, 'nobody_by_this_name')).toBeNull();
    });

    it('does not take the search text for a pattern', async () => {
      expect(await findUserByUsername(ctx.client, orgId, 'special.chars')).toBeNull();
      expect((await findUserByUsername(ctx.client, orgId, SPECIAL.username))?.lastName).toBe(SPECIAL.lastName);
    });

    it('makes no call for an empty username, which no user can have', async () => {
      expect(await findUserByUsername(ctx.client, orgId, '')).toBeNull();
      expect(await rowsOf(ctx.h, 'GET', USERS_ROUTE)).toEqual({});
    });
  });
});

describe('user search on the large preset (2,000 users in the root org)', () => {
  let h: SimHarness;
  let client: AnypointClient;
  let orgId: string;

  beforeAll(async () => {
    h = await startSimHarness({ preset: 'large' });
    client = clientFor(h);
    orgId = h.sim.store.rootOrgId;
    await client.tokens.getToken();
  });

  afterAll(async () => {
    await client?.close();
    await h?.close();
  });

  it('finds one user with a single upstream call', async () => {
    const target = h.sim.store.usersOf(orgId)[1234]!;
    await resetCounts(h);
    const found = await findUserByUsername(client, orgId, target.username);
    expect(found).toMatchObject({ id: target.id, username: target.username });
    expect(await rowsOf(h, 'GET', USERS_ROUTE)).toEqual({ '200': 1 });
  });

  it('pages a search with more matches than one page, like listAllUsers', async () => {
    // Every seeded e-mail is at acme.example, so this matches all 2,000: four pages of 500.
    await resetCounts(h);
    const matches = await searchUsers(client, orgId, '@ACME.example');
    expect(await rowsOf(h, 'GET', USERS_ROUTE)).toEqual({ '200': 4 });
    const ids = matches.map((u) => u.id);
    expect(new Set(ids).size).toBe(2_000);
    expect([...ids].sort()).toEqual(h.sim.store.usersOf(orgId).map((u) => u.id).sort());
  });
});

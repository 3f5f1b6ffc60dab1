import { describe, expect, it } from 'vitest';
import { MAX_PAGE_SIZE } from '../../src/simulator/http.js';
import type { TeamRecord } from '../../src/simulator/model.js';
import { getJson, readJson, teamsPath, usersPath, useSimHarness, type MemberBody, type Page, type TeamBody, type UserBody } from './support.js';

const ctx = useSimHarness();

const all = `limit=${MAX_PAGE_SIZE}`;
const ids = (items: Array<{ id: string }>) => new Set(items.map((i) => i.id));
const teamIds = (items: TeamBody[]) => new Set(items.map((t) => t.team_id));
const rootTeams = () => [...ctx.h.sim.store.teams.values()].filter((t) => t.org_id === ctx.rootOrgId);

describe('users type filter', () => {
  it('lists only host users, only proxy users, or all of them', async () => {
    const users = ctx.h.sim.store.usersOf(ctx.rootOrgId);
    const proxies = users.filter((u) => u.type === 'proxy');
    expect(proxies.length).toBeGreaterThan(0);
    expect(proxies.length).toBeLessThan(users.length);
    for (const type of ['host', 'proxy', 'all'] as const) {
      const page = await getJson<Page<UserBody>>(ctx.h, `${usersPath(ctx.rootOrgId)}?type=${type}&${all}`, ctx.token);
      const expected = users.filter((u) => type === 'all' || u.type === type);
      expect(page.total, type).toBe(expected.length);
      expect(ids(page.data), type).toEqual(new Set(expected.map((u) => u.id)));
      if (type !== 'all') expect(page.data.every((u) => u.type === type), type).toBe(true);
    }
  });

  it('rejects an unknown user type', async () => {
    const res = await ctx.h.get(`${usersPath(ctx.rootOrgId)}?type=robot`, ctx.token);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ status: 400 });
  });
});

describe('teams filters', () => {
  const ancestorsOf = (team: TeamRecord) => ctx.h.sim.store.teamAncestorIds(team.team_id);

  /** Non-root teams that have at least one child, i.e. that are somebody's parent. */
  const parents = () => rootTeams().filter((t) => t.parentId !== null && rootTeams().some((c) => c.parentId === t.team_id));

  it('filters by one or several ancestor_team_id values', async () => {
    const candidates = parents();
    // Two parents on separate branches, so the second filter value adds teams of its own.
    const a = candidates[0]!;
    const b = candidates.find((t) => t !== a && !ancestorsOf(t).includes(a.team_id) && !ancestorsOf(a).includes(t.team_id))!;
    expect(b).toBeDefined();
    const single = await getJson<Page<TeamBody>>(ctx.h, `${teamsPath(ctx.rootOrgId)}?ancestor_team_id=${a.team_id}&${all}`, ctx.token);
    const expectedSingle = rootTeams().filter((t) => ancestorsOf(t).includes(a.team_id));
    expect(single.total).toBe(expectedSingle.length);
    expect(teamIds(single.data)).toEqual(new Set(expectedSingle.map((t) => t.team_id)));
    expect(single.data.every((t) => t.ancestor_team_ids.includes(a.team_id))).toBe(true);

    const both = await getJson<Page<TeamBody>>(
      ctx.h,
      `${teamsPath(ctx.rootOrgId)}?ancestor_team_id=${a.team_id}&ancestor_team_id=${b.team_id}&${all}`,
      ctx.token,
    );
    const expectedBoth = rootTeams().filter((t) => ancestorsOf(t).some((id) => id === a.team_id || id === b.team_id));
    expect(expectedBoth.length).toBeGreaterThan(expectedSingle.length);
    expect(teamIds(both.data)).toEqual(new Set(expectedBoth.map((t) => t.team_id)));
  });

  it('filters by one or several parent_team_id values (direct children only)', async () => {
    const rootTeam = rootTeams().find((t) => t.parentId === null)!;
    const [inner] = parents() as [TeamRecord];
    const direct = await getJson<Page<TeamBody>>(ctx.h, `${teamsPath(ctx.rootOrgId)}?parent_team_id=${rootTeam.team_id}&${all}`, ctx.token);
    const expectedDirect = rootTeams().filter((t) => t.parentId === rootTeam.team_id);
    expect(teamIds(direct.data)).toEqual(new Set(expectedDirect.map((t) => t.team_id)));
    // Grandchildren of the root team are excluded from a parent filter although they are descendants.
    expect(direct.total).toBeLessThan(rootTeams().length - 1);
    expect(direct.data.every((t) => t.ancestor_team_ids.at(-1) === rootTeam.team_id)).toBe(true);

    const two = await getJson<Page<TeamBody>>(
      ctx.h,
      `${teamsPath(ctx.rootOrgId)}?parent_team_id=${rootTeam.team_id}&parent_team_id=${inner.team_id}&${all}`,
      ctx.token,
    );
    const expectedTwo = rootTeams().filter((t) => t.parentId === rootTeam.team_id || t.parentId === inner.team_id);
    expect(two.total).toBe(expectedTwo.length);
    expect(teamIds(two.data)).toEqual(new Set(expectedTwo.map((t) => t.team_id)));
  });

  it('filters by team_id to exactly that team', async () => {
    const target = rootTeams()[3]!;
    const page = await getJson<Page<TeamBody>>(ctx.h, `${teamsPath(ctx.rootOrgId)}?team_id=${target.team_id}`, ctx.token);
    expect(page.total).toBe(1);
    expect(page.data[0]?.team_name).toBe(target.team_name);
  });

  it('filters by team_type', async () => {
    const rootTeam = rootTeams().find((t) => t.parentId === null)!;
    const created = await ctx.h.send('POST', teamsPath(ctx.rootOrgId), ctx.token, {
      team_name: 'Shared Filter Probe',
      parent_team_id: rootTeam.team_id,
      team_type: 'shared',
    });
    expect(created.status).toBe(201);
    const team = await readJson<TeamBody>(created);
    const shared = await getJson<Page<TeamBody>>(ctx.h, `${teamsPath(ctx.rootOrgId)}?team_type=shared`, ctx.token);
    expect(shared.data.map((t) => t.team_id)).toEqual([team.team_id]);
    const internal = await getJson<Page<TeamBody>>(ctx.h, `${teamsPath(ctx.rootOrgId)}?team_type=internal&${all}`, ctx.token);
    expect(internal.total).toBe(rootTeams().filter((t) => t.team_type === 'internal').length);
    expect(internal.data.some((t) => t.team_id === team.team_id)).toBe(false);
    const bad = await ctx.h.get(`${teamsPath(ctx.rootOrgId)}?team_type=public`, ctx.token);
    expect(bad.status).toBe(400);
  });

  it('searches team names case-insensitively as a partial match', async () => {
    const expected = rootTeams().filter((t) => t.team_name.toLowerCase().includes('developers'));
    expect(expected.length).toBeGreaterThan(1);
    for (const term of ['developers', 'DEVELOPERS', 'dEvElOp']) {
      const page = await getJson<Page<TeamBody>>(ctx.h, `${teamsPath(ctx.rootOrgId)}?search=${term}&${all}`, ctx.token);
      expect(teamIds(page.data), term).toEqual(new Set(expected.map((t) => t.team_id)));
    }
  });

  it('sorts by team_name, created_at or team_id, ascending or descending', async () => {
    for (const sort of ['team_name', 'created_at', 'team_id'] as const) {
      const expected = rootTeams()
        .map((t) => t[sort])
        .sort((a, b) => a.localeCompare(b));
      const up = await getJson<Page<TeamBody>>(ctx.h, `${teamsPath(ctx.rootOrgId)}?sort=${sort}&${all}`, ctx.token);
      expect(up.data.map((t) => t[sort]), sort).toEqual(expected);
      const down = await getJson<Page<TeamBody>>(ctx.h, `${teamsPath(ctx.rootOrgId)}?sort=${sort}&ascending=false&${all}`, ctx.token);
      expect(down.data.map((t) => t[sort]), sort).toEqual([...expected].reverse());
    }
    const bad = await ctx.h.get(`${teamsPath(ctx.rootOrgId)}?sort=size`, ctx.token);
    expect(bad.status).toBe(400);
  });
});

describe('team members filters', () => {
  /** A non-root team with several members, mixed membership types. */
  function busyTeam() {
    const { store } = ctx.h.sim;
    const team = rootTeams().find((t) => {
      const members = [...store.membersOf(t.team_id).values()];
      return t.parentId !== null && members.length >= 4 && members.some((m) => m.membership_type === 'maintainer');
    })!;
    return { team, members: [...store.membersOf(team.team_id).values()] };
  }
  const membersPath = (teamId: string) => `${teamsPath(ctx.rootOrgId)}/${teamId}/members`;
  const fullName = (userId: string) => {
    const user = ctx.h.sim.store.users.get(userId)!;
    return `${user.firstName} ${user.lastName}`;
  };

  it('filters by membership_type', async () => {
    const { team, members } = busyTeam();
    for (const type of ['member', 'maintainer'] as const) {
      const page = await getJson<Page<MemberBody>>(ctx.h, `${membersPath(team.team_id)}?membership_type=${type}`, ctx.token);
      const expected = members.filter((m) => m.membership_type === type);
      expect(page.total, type).toBe(expected.length);
      expect(ids(page.data), type).toEqual(new Set(expected.map((m) => m.userId)));
    }
    expect((await ctx.h.get(`${membersPath(team.team_id)}?membership_type=owner`, ctx.token)).status).toBe(400);
  });

  it('filters by one or several member_ids', async () => {
    const { team, members } = busyTeam();
    const [first, second] = members as [(typeof members)[0], (typeof members)[0]];
    const one = await getJson<Page<MemberBody>>(ctx.h, `${membersPath(team.team_id)}?member_ids=${first.userId}`, ctx.token);
    expect(one.data.map((m) => m.id)).toEqual([first.userId]);
    const two = await getJson<Page<MemberBody>>(
      ctx.h,
      `${membersPath(team.team_id)}?member_ids=${first.userId}&member_ids=${second.userId}`,
      ctx.token,
    );
    expect(ids(two.data)).toEqual(new Set([first.userId, second.userId]));
    expect(two.total).toBe(2);
  });

  it('searches member names case-insensitively', async () => {
    const { team, members } = busyTeam();
    const lastName = ctx.h.sim.store.users.get(members[0]!.userId)!.lastName;
    const expected = members.filter((m) => fullName(m.userId).toLowerCase().includes(lastName.toLowerCase()));
    const page = await getJson<Page<MemberBody>>(ctx.h, `${membersPath(team.team_id)}?search=${lastName.toUpperCase()}`, ctx.token);
    expect(ids(page.data)).toEqual(new Set(expected.map((m) => m.userId)));
    expect(page.total).toBeLessThan(members.length);
  });

  it('sorts members by name in either direction', async () => {
    const { team, members } = busyTeam();
    const names = members.map((m) => fullName(m.userId)).sort((a, b) => a.localeCompare(b));
    const up = await getJson<Page<MemberBody>>(ctx.h, `${membersPath(team.team_id)}?sort=name`, ctx.token);
    expect(up.data.map((m) => m.name)).toEqual(names);
    const down = await getJson<Page<MemberBody>>(ctx.h, `${membersPath(team.team_id)}?sort=name&ascending=false`, ctx.token);
    expect(down.data.map((m) => m.name)).toEqual([...names].reverse());
  });
});

describe('team roles filter', () => {
  it('filters a team\'s role assignments by role_id and searches by role name', async () => {
    const { store } = ctx.h.sim;
    const assignment = store.teamRoles.find((r) => store.teams.get(r.teamId)?.org_id === ctx.rootOrgId)!;
    const teamId = assignment.teamId;
    const path = `${teamsPath(ctx.rootOrgId)}/${teamId}/roles`;
    const other = [...store.roles.values()].find((r) => r.role_id !== assignment.role_id && !store.teamRoles.some((t) => t.teamId === teamId && t.role_id === r.role_id))!;
    const added = await ctx.h.send('POST', path, ctx.token, [{ role_id: other.role_id, context_params: { org: ctx.rootOrgId } }]);
    expect(added.status).toBeLessThan(300);

    const everything = await getJson<Page<{ role_id: string }>>(ctx.h, path, ctx.token);
    expect(everything.total).toBe(store.teamRoles.filter((r) => r.teamId === teamId).length);
    expect(everything.total).toBeGreaterThanOrEqual(2);

    const filtered = await getJson<Page<{ role_id: string; name: string }>>(ctx.h, `${path}?role_id=${other.role_id}`, ctx.token);
    expect(filtered.data.map((r) => r.role_id)).toEqual([other.role_id]);
    expect(filtered.data[0]?.name).toBe(other.name);

    const searched = await getJson<Page<{ role_id: string }>>(ctx.h, `${path}?search=${encodeURIComponent(other.name.toUpperCase())}`, ctx.token);
    expect(searched.data.map((r) => r.role_id)).toContain(other.role_id);
    expect(searched.data.every((r) => store.roles.get(r.role_id)!.name.toLowerCase().includes(other.name.toLowerCase()))).toBe(true);
  });
});

describe('roles search', () => {
  it('matches name or description case-insensitively', async () => {
    const roles = [...ctx.h.sim.store.roles.values()];
    const term = 'api manager';
    const expected = roles.filter((r) => `${r.name} ${r.description}`.toLowerCase().includes(term));
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(roles.length);
    const page = await getJson<Page<{ role_id: string; name: string }>>(ctx.h, `/accounts/api/roles?search=${encodeURIComponent(term.toUpperCase())}&${all}`, ctx.token);
    expect(page.total).toBe(expected.length);
    expect(new Set(page.data.map((r) => r.role_id))).toEqual(new Set(expected.map((r) => r.role_id)));
  });

  it('filters by exact name and sorts by name descending', async () => {
    const roles = [...ctx.h.sim.store.roles.values()];
    const target = roles[5]!;
    const exact = await getJson<Page<{ role_id: string }>>(ctx.h, `/accounts/api/roles?name=${encodeURIComponent(target.name)}`, ctx.token);
    expect(exact.data.map((r) => r.role_id)).toContain(target.role_id);
    expect(exact.total).toBe(roles.filter((r) => r.name === target.name).length);
    const down = await getJson<Page<{ name: string }>>(ctx.h, `/accounts/api/roles?ascending=false&${all}`, ctx.token);
    expect(down.data.map((r) => r.name)).toEqual(roles.map((r) => r.name).sort((a, b) => b.localeCompare(a)));
  });
});

import type { ProbeContext } from '../fixtures.js';
import { createTeam, createUser, orgPath, type Probe } from './probe.js';

/** Success probes for teams, team members, team role assignments and the role catalogue. */

const teams = (ctx: ProbeContext): string => `${orgPath(ctx)}/teams`;
const assignment = (ctx: ProbeContext) => [{ role_id: ctx.ids.roleId, context_params: { org: ctx.ids.orgId, envId: ctx.ids.envId } }];

export const teamProbes: Probe[] = [
  { route: 'GET /accounts/api/organizations/{orgId}/teams', name: 'lists teams', status: 200, run: (ctx) => ctx.get(teams(ctx)) },
  {
    route: 'POST /accounts/api/organizations/{orgId}/teams',
    name: 'creates a team',
    status: 201,
    run: (ctx) => ctx.send('POST', teams(ctx), { team_name: ctx.unique('Team'), parent_team_id: ctx.ids.rootTeamId, team_type: 'internal' }),
  },
  {
    route: 'GET /accounts/api/organizations/{orgId}/teams/{teamId}',
    name: 'returns one team',
    status: 200,
    run: (ctx) => ctx.get(`${teams(ctx)}/${ctx.ids.teamId}`),
  },
  {
    route: 'PATCH /accounts/api/organizations/{orgId}/teams/{teamId}',
    name: 'renames a team',
    status: 200,
    run: async (ctx) => ctx.send('PATCH', `${teams(ctx)}/${await createTeam(ctx)}`, { team_name: ctx.unique('Renamed') }),
  },
  {
    route: 'PUT /accounts/api/organizations/{orgId}/teams/{teamId}/parent',
    name: 'moves a team under another team',
    status: 200,
    run: async (ctx) => {
      const [parent, child] = [await createTeam(ctx), await createTeam(ctx)];
      return ctx.send('PUT', `${teams(ctx)}/${child}/parent`, { parent_team_id: parent });
    },
  },
  {
    route: 'DELETE /accounts/api/organizations/{orgId}/teams/{teamId}',
    name: 'deletes a team',
    status: 204,
    run: async (ctx) => ctx.send('DELETE', `${teams(ctx)}/${await createTeam(ctx)}`),
  },

  {
    route: 'GET /accounts/api/organizations/{orgId}/teams/{teamId}/members',
    name: 'lists team members',
    status: 200,
    run: (ctx) => ctx.get(`${teams(ctx)}/${ctx.ids.teamId}/members`),
  },
  {
    route: 'PUT /accounts/api/organizations/{orgId}/teams/{teamId}/members/{userId}',
    name: 'adds a user to a team',
    status: 201,
    run: async (ctx) => ctx.send('PUT', `${teams(ctx)}/${await createTeam(ctx)}/members/${ctx.ids.userId}`, { membership_type: 'maintainer' }),
  },
  {
    route: 'PUT /accounts/api/organizations/{orgId}/teams/{teamId}/members/{userId}',
    name: 'changes the membership type of an existing member',
    status: 204,
    run: async (ctx) => {
      const path = `${teams(ctx)}/${await createTeam(ctx)}/members/${ctx.ids.userId}`;
      await ctx.send('PUT', path, { membership_type: 'member' });
      return ctx.send('PUT', path, { membership_type: 'maintainer' });
    },
  },
  {
    route: 'DELETE /accounts/api/organizations/{orgId}/teams/{teamId}/members/{userId}',
    name: 'removes a member from a team',
    status: 204,
    run: async (ctx) => {
      const path = `${teams(ctx)}/${await createTeam(ctx)}/members/${await createUser(ctx)}`;
      await ctx.send('PUT', path, { membership_type: 'member' });
      return ctx.send('DELETE', path);
    },
  },

  { route: 'GET /accounts/api/roles', name: 'lists roles', status: 200, run: (ctx) => ctx.get('/accounts/api/roles') },
  {
    route: 'GET /accounts/api/organizations/{orgId}/teams/{teamId}/roles',
    name: 'lists the roles assigned to a team',
    status: 200,
    run: (ctx) => ctx.get(`${teams(ctx)}/${ctx.ids.teamId}/roles`),
  },
  {
    route: 'POST /accounts/api/organizations/{orgId}/teams/{teamId}/roles',
    name: 'assigns roles to a team',
    status: 204,
    run: async (ctx) => ctx.send('POST', `${teams(ctx)}/${await createTeam(ctx)}/roles`, assignment(ctx)),
  },
  {
    route: 'DELETE /accounts/api/organizations/{orgId}/teams/{teamId}/roles',
    name: 'removes role assignments from a team',
    status: 204,
    run: async (ctx) => {
      const path = `${teams(ctx)}/${await createTeam(ctx)}/roles`;
      await ctx.send('POST', path, assignment(ctx));
      return ctx.send('DELETE', path, assignment(ctx));
    },
  },
];

import { jsonOf, type ProbeContext } from '../fixtures.js';

/**
 * One real request against the simulator for one route. `status` is what the simulator must
 * answer; the test then checks that status and body against the route's spec operation.
 */
export interface Probe {
  /** `${method} ${template}`, as in platformRoutes. */
  route: string;
  /** Completes the test name "<route> <name>". */
  name: string;
  status: number;
  run(ctx: ProbeContext): Promise<Response>;
}

export const orgPath = (ctx: ProbeContext): string => `/accounts/api/organizations/${ctx.ids.orgId}`;

/** Setup steps shared by write probes: each makes its own record so probes stay independent. */
export async function createEnvironment(ctx: ProbeContext): Promise<string> {
  const res = await ctx.send('POST', `${orgPath(ctx)}/environments`, { name: ctx.unique('env'), type: 'sandbox', isProduction: false });
  return (await jsonOf<{ id: string }>(res, 201)).id;
}

export async function createUser(ctx: ProbeContext): Promise<string> {
  const username = ctx.unique('contract');
  const res = await ctx.send('POST', `${orgPath(ctx)}/users`, {
    username,
    firstName: 'Contract',
    lastName: 'Probe',
    email: `${username}@example.test`,
  });
  return (await jsonOf<{ id: string }>(res, 201)).id;
}

export async function createTeam(ctx: ProbeContext, parentId = ctx.ids.rootTeamId): Promise<string> {
  const res = await ctx.send('POST', `${orgPath(ctx)}/teams`, { team_name: ctx.unique('Team'), parent_team_id: parentId, team_type: 'internal' });
  return (await jsonOf<{ team_id: string }>(res, 201)).team_id;
}

import type { AnypointApiInstance, AnypointTeam, AnypointUser } from '../src/anypoint/types.js';
import type { GatewayContext } from '../src/server/context.js';
import { matchesSearch } from './connection.js';

/**
 * The filtered lists behind Query.users/teams/apis and the same fields on Organization and
 * Environment: one implementation, whichever entry point asks.
 */

export interface UserFilterArgs {
  enabled?: boolean | null;
  search?: string | null;
}

export async function usersOf(ctx: GatewayContext, orgId: string, filter?: UserFilterArgs | null): Promise<AnypointUser[]> {
  const users = await ctx.loaders.users.usersOfOrg(orgId);
  return users.filter(
    (u) =>
      (filter?.enabled == null || u.enabled === filter.enabled) &&
      matchesSearch(filter?.search, u.username, u.firstName, u.lastName, u.email),
  );
}

export interface TeamFilterArgs {
  parentId?: string | null;
  search?: string | null;
  type?: string | null;
}

export async function teamsOf(ctx: GatewayContext, orgId: string, filter?: TeamFilterArgs | null): Promise<AnypointTeam[]> {
  const teams = await ctx.loaders.teams.teamsOfOrg(orgId);
  return teams.filter(
    (t) =>
      (!filter?.parentId || t.ancestor_team_ids.at(-1) === filter.parentId) &&
      (!filter?.type || t.team_type === filter.type) &&
      matchesSearch(filter?.search, t.team_name),
  );
}

export interface ApiFilterArgs {
  search?: string | null;
  status?: string | null;
  technology?: string | null;
}

async function filterApis(ctx: GatewayContext, apis: AnypointApiInstance[], filter?: ApiFilterArgs | null): Promise<AnypointApiInstance[]> {
  const out: AnypointApiInstance[] = [];
  for (const api of apis) {
    if (filter?.status && api.status !== filter.status) continue;
    if (filter?.technology && api.technology !== filter.technology) continue;
    if (filter?.search) {
      const name = await ctx.loaders.apis.assetNameOf(api);
      if (!matchesSearch(filter.search, name, api.assetId, api.instanceLabel, api.description)) continue;
    }
    out.push(api);
  }
  return out;
}

export async function apisOfEnvironment(ctx: GatewayContext, orgId: string, envId: string, filter?: ApiFilterArgs | null) {
  return filterApis(ctx, (await ctx.loaders.apis.apisOfEnv(orgId, envId)).apis, filter);
}

/** Every instance of every environment of the org: one listing per environment, in parallel. */
export async function apisOfOrganization(ctx: GatewayContext, orgId: string, filter?: ApiFilterArgs | null) {
  const envs = await ctx.loaders.orgs.environmentsOf(orgId);
  const lists = await Promise.all(envs.map((e) => ctx.loaders.apis.apisOfEnv(orgId, e.id)));
  return filterApis(ctx, lists.flatMap((l) => l.apis), filter);
}

/**
 * The whole inventory: every business group's instances, in org tree order (orgNodes: the root
 * first), each org's as apisOfOrganization orders them, so a cursor means the same position on
 * the next page. Every org's listings start at once; the order comes from the array, not from
 * which answers first.
 */
export async function apisOfPlatform(ctx: GatewayContext, filter?: ApiFilterArgs | null) {
  const orgs = await ctx.loaders.orgs.orgNodes();
  const lists = await Promise.all(orgs.map((org) => apisOfOrganization(ctx, org.id, filter)));
  return lists.flat();
}

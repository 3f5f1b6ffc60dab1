import { PlatformSizes } from './platform-sizes.js';
import type { Args, CostContext, FieldCost, Scope } from './field-costs.js';
import { ANY } from './tally.js';

/**
 * The reads and writes of each provisioning mutation at most (src/provisioning): the plan's
 * reads, then every write it could need. Writes are counted as if each one were needed; a push
 * of an unchanged group writes nothing, so its actual cost is far below this bound.
 */
const pages = PlatformSizes.pages;

const inputOf = (args: Args): Record<string, unknown> => (args.input && typeof args.input === 'object' ? (args.input as Record<string, unknown>) : {});
const orgOf = (cx: CostContext, input: Record<string, unknown>): string => (typeof input.organizationId === 'string' ? input.organizationId : cx.rootOrgId);

/** The tree (org exists), and the user found by id: one GET, or the org's listing. */
function findUser(cx: CostContext, org: string): void {
  cx.tally.add('tree', 'root', 1);
  cx.tally.add('userGet', ANY, 1);
  cx.tally.add('usersList', org, pages(cx.sizes.users.of(org)));
}

/** Usernames are unique across the platform: every org's listing may be read to prove it. */
function usernameIsFree(cx: CostContext): void {
  cx.tally.add('usersList', ANY, cx.sizes.users.totalPages(cx.sizes.organizations));
}

const userResult = (org: string): Scope => ({ n: 1, org });

export const MUTATION_COSTS: Record<string, FieldCost> = {
  createUser: (_scope, args, cx) => {
    const org = orgOf(cx, inputOf(args));
    cx.tally.add('tree', 'root', 1);
    usernameIsFree(cx);
    cx.tally.add('teamsList', org, pages(cx.sizes.teams.of(org)));
    cx.tally.add('write', ANY, 2);
    return userResult(org);
  },
  updateUserProfile: (_scope, args, cx) => {
    const org = orgOf(cx, inputOf(args));
    findUser(cx, org);
    cx.tally.add('write', ANY, 1);
    return userResult(org);
  },
  changeUsername: (_scope, args, cx) => {
    const org = orgOf(cx, inputOf(args));
    findUser(cx, org);
    usernameIsFree(cx);
    // The new user's teams are the old one's: the org's teams and their members.
    const teams = cx.sizes.teams.of(org);
    cx.tally.add('teamsList', org, pages(teams));
    cx.tally.add('members', ANY, teams);
    cx.tally.add('write', ANY, 2 + teams);
    return userResult(org);
  },
  deactivateUser: (_scope, args, cx) => {
    const org = orgOf(cx, inputOf(args));
    findUser(cx, org);
    cx.tally.add('write', ANY, 2);
    return userResult(org);
  },
  reactivateUser: (_scope, args, cx) => {
    const org = orgOf(cx, inputOf(args));
    findUser(cx, org);
    cx.tally.add('write', ANY, 1);
    return userResult(org);
  },
  pushGroup: (_scope, args, cx) => {
    const input = inputOf(args);
    const org = orgOf(cx, input);
    const members = Array.isArray(input.members) ? input.members.length : 0;
    cx.tally.add('tree', 'root', 1);
    cx.tally.add('usersList', org, pages(cx.sizes.users.of(org)));
    if (org !== cx.rootOrgId) cx.tally.add('usersList', cx.rootOrgId, pages(cx.sizes.users.of(cx.rootOrgId)));
    cx.tally.add('teamsList', org, pages(cx.sizes.teams.of(org)));
    cx.tally.add('members', ANY, 1 + pages(members));
    // Create or rename the team, add every member, remove up to as many current ones.
    cx.tally.add('write', ANY, 2 + members + cx.sizes.members.of(undefined));
    return { n: 1, org };
  },
  unlinkGroup: () => null,
  deleteGroup: (_scope, args, cx) => {
    const org = orgOf(cx, inputOf(args));
    cx.tally.add('tree', 'root', 1);
    cx.tally.add('teamsList', org, pages(cx.sizes.teams.of(org)));
    cx.tally.add('write', ANY, 1);
    return null;
  },
};

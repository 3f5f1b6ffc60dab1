import { ANY } from './tally.js';
import { idOf, usersNear, type FieldCost } from './field-costs.js';
import { PlatformSizes } from './platform-sizes.js';

/**
 * What the drift fields cost upstream (src/provisioning/drift.ts): the group's link is the
 * gateway's own (no call); then one group's team is a GET and its member listing, every linked
 * group of an org is the org's team listing and each linked team's member listing. How many
 * groups an org has linked is learned from the drifts queries seen (PlatformSizes.linkedGroups).
 */

/** Differences assumed per group, for the users the items name: a few hand changes. */
const ITEMS_PER_GROUP = 3;

export const DRIFT_COSTS: Record<string, FieldCost> = {
  'Query.groupDrift': (_scope, args, cx) => {
    const org = idOf(args.organizationId) ?? cx.rootOrgId;
    cx.tally.add('teamGet', ANY, 1);
    cx.tally.add('members', ANY, cx.sizes.members.meanPages());
    return { n: 1, org };
  },
  'Query.drifts': (_scope, args, cx) => {
    const org = idOf(args.organizationId) ?? cx.rootOrgId;
    const groups = Math.round(cx.sizes.linkedGroups.of(org));
    if (groups === 0) return null;
    cx.tally.add('teamsList', org, PlatformSizes.pages(cx.sizes.teams.of(org)));
    cx.tally.add('members', ANY, groups * cx.sizes.members.meanPages());
    return { n: groups, org };
  },
  // The team the comparison read: no further call for its own fields.
  'GroupDrift.team': (scope) => ({ n: scope.n, org: scope.org }),
  'GroupDrift.organization': (scope) => ({ n: scope.n, org: scope.org }),
  'GroupDrift.items': (scope) => ({ n: scope.n * ITEMS_PER_GROUP, org: scope.org }),
  'GroupDrift.pushedMembers': (scope, _args, cx) => ({ n: Math.ceil(scope.n * cx.sizes.members.of(undefined)), org: scope.org }),
  'GroupDriftItem.user': (scope, _args, cx) => (usersNear(cx, scope, scope.n), { n: scope.n, org: scope.org }),
  // One read of the audit log per group from its push (src/changes/drift-causes.ts): a page and the empty one.
  'GroupDriftItem.cause': (scope, _args, cx) => (cx.tally.add('auditQuery', ANY, Math.ceil(scope.n / ITEMS_PER_GROUP) * 2), null),
  'PushedMember.user': (scope, _args, cx) => (usersNear(cx, scope, scope.n), { n: scope.n, org: scope.org }),
};

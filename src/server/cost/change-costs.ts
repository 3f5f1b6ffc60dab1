import { ANY } from './tally.js';
import { connection, firstOf, idOf, teamsNear, usersNear, type FieldCost } from './field-costs.js';

/** What the change feed's fields cost upstream (resolvers/Changes.ts): the tree, then pages of the platform's audit log. */
export const CHANGE_COSTS: Record<string, FieldCost> = {
  // Pages of 200 for the changes asked, and the empty page that says the feed is current.
  'Query.changes': (_scope, args, cx) => {
    cx.tally.add('tree', 'root', 1);
    cx.tally.add('auditQuery', ANY, Math.ceil(firstOf(args, 100) / 200) + 1);
    return connection(firstOf(args, 100), { org: idOf(args.organizationId) });
  },
  'Change.user': (scope, _args, cx) => (usersNear(cx, scope, scope.n), { n: scope.n, org: scope.org }),
  'Change.team': (scope, _args, cx) => (teamsNear(cx, scope), { n: scope.n, org: scope.org }),
  'Change.organization': (scope) => ({ n: scope.n, org: scope.org }),
};

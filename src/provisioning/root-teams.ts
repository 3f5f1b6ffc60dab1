import type { AnypointClient } from '../anypoint/client.js';
import type { Loaders } from '../loaders/index.js';
import type { OperationDeps } from './deps.js';

/**
 * An organization's root team id, remembered per upstream client. The root team is made with the
 * organization and can be neither deleted nor moved, so its id never changes: a create, which
 * only needs it to know which member list goes stale, reads the org's teams once per process
 * instead of once per user.
 */
const known = new WeakMap<AnypointClient, Map<string, string>>();

export async function rootTeamIdOf(deps: OperationDeps, loaders: Loaders, orgId: string): Promise<string | null> {
  let byOrg = known.get(deps.client);
  if (!byOrg) known.set(deps.client, (byOrg = new Map()));
  const cached = byOrg.get(orgId);
  if (cached) return cached;
  const root = await loaders.teams.rootTeamOf(orgId);
  if (root) byOrg.set(orgId, root.team_id);
  return root?.team_id ?? null;
}

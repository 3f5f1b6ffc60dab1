import type { AnypointClient } from '../anypoint/client.js';
import type { GatewayConfig } from '../config/config.js';
import type { Loaders } from '../loaders/index.js';
import { getHierarchy } from '../anypoint/accounts.js';
import { flattenHierarchy } from '../loaders/organizations.js';
import type { CallMeters } from '../observability/call-meters.js';
import { createUserDirectory } from '../scim/directory.js';
import { createScimGroups } from '../scim/groups.js';
import { createScimHandler } from '../scim/http.js';
import { createScimUsers } from '../scim/users.js';
import type { RequestHeaders } from './auth.js';
import type { CallerBudget } from './cost/caller-budget.js';
import type { GatewayLogger } from './gateway.js';
import type { ProvisioningRoot } from './provisioning-root.js';
import type { Caller } from './roles.js';

/** Builds the SCIM endpoint over the provisioning root the mutations use. */
export interface ScimRootOptions {
  config: Readonly<GatewayConfig>;
  root: ProvisioningRoot;
  client: AnypointClient;
  rootOrgId: string;
  /** The gateway's own connected app (its entries in the platform log are the gateway's writes). */
  ownClientId: string;
  authenticate(headers: RequestHeaders): Promise<Caller | null>;
  loaders(requestId: string, signal: AbortSignal, fresh: boolean): Loaders;
  budget: CallerBudget | null;
  meters: CallMeters;
  logger: GatewayLogger;
}

export async function openScim(options: ScimRootOptions) {
  const { config, root, rootOrgId } = options;
  const orgId = config.scim.orgId ?? rootOrgId;
  if (orgId !== rootOrgId) {
    // A typo in SCIM_ORGANIZATION_ID would otherwise surface as every IdP request failing.
    const orgs = flattenHierarchy(await getHierarchy(options.client, rootOrgId));
    if (!orgs.some((o) => o.id === orgId)) throw new Error(`SCIM_ORGANIZATION_ID ${orgId} is not a business group the connected app sees`);
  }
  const deps = {
    settings: { orgId, deleteUsers: config.scim.deleteUsers, deleteGroups: config.scim.deleteGroups },
    client: options.client,
    records: root.scimRecords,
    links: root.links,
    provisioning: root.provisioning,
    locks: root.locks,
    users: createUserDirectory(root.scimRecords, orgId),
    feed: { client: options.client, trail: root.audit, rootOrgId, ownClientId: options.ownClientId },
  };
  return createScimHandler({
    users: createScimUsers(deps),
    groups: createScimGroups(deps),
    authenticate: options.authenticate,
    loaders: options.loaders,
    maxBodyBytes: config.http.maxBodyBytes,
    readTimeoutMs: config.limits.executionTimeoutMs,
    budget: options.budget,
    meters: options.meters,
    baseUrl: config.scim.baseUrl,
    onError: (error) => options.logger.warn('SCIM request failed', { error: error instanceof Error ? error.message : String(error) }),
  });
}

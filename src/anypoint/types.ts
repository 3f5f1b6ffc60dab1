/**
 * Anypoint payload types: the fields the gateway reads, named as the platform names them
 * (API.md). GraphQL resolvers map from these (codegen mappers), never the other way round.
 */

export interface DataEnvelope<T> {
  data: T[];
  total: number;
}

export interface AnypointEnvironment {
  id: string;
  name: string;
  organizationId: string;
  isProduction: boolean;
  type: string;
  clientId?: string;
  arcNamespace?: string | null;
}

export interface AnypointOrganization {
  id: string;
  name: string;
  createdAt?: string;
  updatedAt?: string;
  ownerId?: string;
  isRoot?: boolean;
  isMaster?: boolean;
  parentOrganizationIds?: string[];
  subOrganizationIds?: string[];
  entitlements?: Record<string, unknown>;
  environments?: AnypointEnvironment[];
  owner?: { id: string; username?: string } | null;
}

export interface AnypointHierarchyNode {
  id: string;
  name: string;
  isRoot?: boolean;
  isMaster?: boolean;
  ownerId?: string;
  parentOrganizationIds?: string[];
  subOrganizations: AnypointHierarchyNode[];
}

export interface AnypointUser {
  id: string;
  username: string;
  firstName: string;
  lastName: string;
  email: string;
  phoneNumber?: string | null;
  organizationId: string;
  enabled: boolean;
  deleted?: boolean;
  lastLogin?: string | null;
  createdAt?: string;
  updatedAt?: string;
  idprovider_id?: string;
  type?: string;
}

export interface AnypointTeam {
  team_id: string;
  team_name: string;
  team_type: string;
  org_id: string;
  ancestor_team_ids: string[];
  created_at?: string;
  updated_at?: string;
}

export interface AnypointTeamMember {
  id: string;
  name?: string;
  identity_type?: string;
  membership_type: 'member' | 'maintainer';
  is_assigned_via_external_groups?: boolean;
  created_at?: string;
  updated_at?: string;
}

export interface AnypointTeamRole {
  role_id: string;
  name: string;
  context_params: { org: string; envId?: string };
}

export interface AnypointApiInstance {
  id: number;
  groupId: string;
  assetId: string;
  assetVersion: string;
  productVersion: string;
  instanceLabel: string | null;
  technology: string;
  status: string;
  endpointUri: string | null;
  environmentId: string;
  organizationId: string;
  deprecated: boolean;
  isPublic: boolean;
  lastActiveDate: string | null;
  description: string | null;
  tags?: string[];
  endpoint?: { type?: string; uri?: string | null } | null;
}

export interface AnypointApiAssetGroup {
  groupId: string;
  assetId: string;
  exchangeAssetName?: string;
  apis: AnypointApiInstance[];
}

export interface AnypointApiList {
  total: number;
  assets: AnypointApiAssetGroup[];
}

/** A policy applied to an API instance (API.md §8.3); only what the gateway reads. */
export interface AnypointApiPolicy {
  id: number;
  apiId: number;
  assetId: string;
  assetVersion: string;
  disabled?: boolean;
}

/** GET .../apis/{apiId}/contracts: `total` counts every contract, whatever the page. */
export interface AnypointContractList {
  total: number;
  contracts: Array<{ id: number; status: string; applicationId: number; tierId?: number | null }>;
}

/** GET .../apis/{apiId}/tiers: `total` counts every SLA tier, whatever the page. */
export interface AnypointTierList {
  total: number;
  tiers: Array<{ id: number; name: string; status: string; autoApprove: boolean }>;
}

export interface AnypointExchangeFile {
  classifier: string | null;
  packaging: string;
  externalLink?: string | null;
  downloadURL?: string | null;
  mainFile?: string | null;
  isGenerated?: boolean;
}

export interface AnypointExchangeAsset {
  groupId: string;
  assetId: string;
  version: string;
  name: string;
  description?: string | null;
  type: string;
  status: string;
  isPublic?: boolean;
  labels?: string[];
  categories?: Array<{ key: string; displayName?: string; value: string[] }>;
  files?: AnypointExchangeFile[];
  organization?: { id: string } | null;
  organizationId?: string;
}

export interface AnypointMe {
  client?: { client_id: string; org_id: string };
  user?: AnypointUser & { organization?: { id: string } };
}

/** A role assignment's scope: a business group, and an environment when the role is per environment. */
export interface AnypointContextParams {
  org: string;
  envId?: string;
}

export interface AnypointRoleGroup {
  role_group_id: string;
  name: string;
  description?: string;
  external_names?: string[];
  org_id?: string;
}

export interface AnypointRoleGroupRole {
  role_group_id: string;
  role_id: string;
  name: string;
  context_params: AnypointContextParams;
}

export interface AnypointRoleGroupUser {
  id: string;
  username: string;
}

/** A user with the role assignments a role search matched (POST /roles/users/search). */
export interface AnypointRoleHolder extends AnypointUser {
  assignments: Array<{ role_id: string; context_params: AnypointContextParams & { user?: string } }>;
}

export interface AnypointRole {
  role_id: string;
  name: string;
  description?: string;
}

export interface AnypointConnectedApp {
  client_id: string;
  client_name: string;
  owner_org_id?: string;
  owner_user_id?: string;
  grant_types: string[];
  scopes: Array<{ scope: string; context_params: AnypointContextParams[] | AnypointContextParams }>;
  enabled?: boolean;
  audience?: string;
}

/** A team as a user's team listing returns it: the team, and the user's membership of it. */
export interface AnypointUserTeam extends AnypointTeam {
  membership_type: 'member' | 'maintainer';
  is_assigned_via_external_groups?: boolean;
}

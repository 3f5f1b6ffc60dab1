/**
 * The simulator's in-memory records. Field names follow the Anypoint payloads (API.md) so the
 * route handlers mostly project these records; derived fields (ancestor ids, embedded orgs) are
 * computed at response time from the store.
 */
export interface OrgRecord {
  id: string;
  name: string;
  parentId: string | null;
  ownerId: string;
  clientId: string;
  domain: string | null;
  createdAt: string;
  updatedAt: string;
  sessionTimeout: number;
  mfaRequired: string;
  entitlements: Record<string, unknown>;
  subscription: { category: string; type: string; expiration: string };
  deletedAt: string | null;
}

export type EnvironmentType = 'production' | 'sandbox' | 'design';

export interface EnvironmentRecord {
  id: string;
  name: string;
  organizationId: string;
  isProduction: boolean;
  type: EnvironmentType;
  clientId: string;
  arcNamespace: string | null;
}

export type UserType = 'host' | 'proxy';

export interface UserRecord {
  id: string;
  username: string;
  firstName: string;
  lastName: string;
  email: string;
  phoneNumber: string | null;
  organizationId: string;
  enabled: boolean;
  deleted: boolean;
  type: UserType;
  idprovider_id: string;
  createdAt: string;
  updatedAt: string;
  lastLogin: string | null;
  /** Held only so password-grant logins can be checked; never serialised. */
  password: string;
}

export type TeamType = 'internal' | 'shared' | 'private' | 'external';

export interface TeamRecord {
  team_id: string;
  team_name: string;
  team_type: TeamType;
  org_id: string;
  parentId: string | null;
  created_at: string;
  updated_at: string;
}

export type MembershipType = 'member' | 'maintainer';

export interface MemberRecord {
  teamId: string;
  userId: string;
  membership_type: MembershipType;
  is_assigned_via_external_groups: boolean;
  created_at: string;
  updated_at: string;
}

export interface ContextParams {
  org: string;
  envId?: string;
}

export interface TeamRoleRecord {
  teamId: string;
  role_id: string;
  context_params: ContextParams;
}

export interface RoleRecord {
  role_id: string;
  name: string;
  description: string;
  internal: boolean;
  org_id: string | null;
  namespaces: string[];
  shareable: boolean;
}

export interface ConnectedAppRecord {
  client_id: string;
  client_secret: string;
  client_name: string;
  org_id: string;
  owner_user_id: string;
  grant_types: string[];
  scopes: string[];
  enabled: boolean;
  audience: string;
  /** Where each scope applies; a scope not listed applies to the app's own organization. */
  scope_contexts?: Record<string, ContextParams[]>;
}

export interface TokenRecord {
  token: string;
  clientId: string;
  /** Set for password-grant (user session) tokens; app tokens have none. */
  userId: string | null;
  expiresAt: number;
}

export type AssetType = 'rest-api' | 'http-api' | 'soap-api';
export type SpecFormat = 'oas' | 'raml';

export interface ExchangeAssetRecord {
  groupId: string;
  assetId: string;
  version: string;
  name: string;
  description: string;
  organizationId: string;
  type: AssetType;
  status: 'published' | 'deprecated';
  isPublic: boolean;
  labels: string[];
  categories: Array<{ key: string; displayName: string; value: string[] }>;
  specFormat: SpecFormat | null;
  mainFile: string | null;
  createdById: string;
  createdAt: string;
  updatedAt: string;
}

export type ApiTechnology = 'mule4' | 'mule3' | 'flexGateway' | 'serviceMesh';

export interface ApiInstanceRecord {
  id: number;
  organizationId: string;
  environmentId: string;
  groupId: string;
  assetId: string;
  assetVersion: string;
  productVersion: string;
  instanceLabel: string | null;
  technology: ApiTechnology;
  status: 'active' | 'inactive' | 'unregistered';
  endpointUri: string | null;
  deprecated: boolean;
  isPublic: boolean;
  pinned: boolean;
  lastActiveDate: string | null;
  description: string | null;
  tags: string[];
  createdDate: string;
  updatedDate: string;
}

export interface PolicyRecord {
  id: number;
  apiId: number;
  policyTemplateId: string;
  assetId: string;
  assetVersion: string;
  order: number;
  disabled: boolean;
  configurationData: Record<string, unknown>;
}

/** An SLA tier of an API instance (API.md §8.4): a named request-rate limit applications contract for. */
export interface TierRecord {
  id: number;
  apiId: number;
  name: string;
  description: string | null;
  status: 'ACTIVE' | 'DEPRECATED';
  autoApprove: boolean;
  limits: Array<{ visible: boolean; maximumRequests: number; timePeriodInMilliseconds: number }>;
  createdDate: string;
}

export interface ContractRecord {
  id: number;
  apiId: number;
  status: 'APPROVED' | 'PENDING' | 'REVOKED' | 'REJECTED';
  applicationId: number;
  applicationName: string;
  clientId: string;
  tierId: number | null;
  approvedDate: string | null;
  createdDate: string;
}

/** A role group ("business group role"): roles granted to every user in it (API.md §6). */
export interface RoleGroupRecord {
  role_group_id: string;
  name: string;
  description: string;
  /** Identity-provider group names mapped onto the role group. */
  external_names: string[];
  org_id: string;
  editable: boolean;
  created_at: string;
  updated_at: string;
}

export interface RoleGroupRoleRecord {
  role_group_assignment_id: string;
  role_group_id: string;
  role_id: string;
  context_params: ContextParams;
  created_at: string;
}

/** A role assigned straight to a user (not through a team or role group). */
export interface UserRoleRecord {
  userId: string;
  role_id: string;
  context_params: ContextParams;
  created_at: string;
}

/** A user's federated identity at an identity provider, with its last login there. */
export interface IdpProfileRecord {
  idpUserId: string;
  userId: string;
  providerId: string;
  createdAt: string;
  updatedAt: string;
  lastLoginAt: string | null;
}

/** Anypoint's own mapping of an identity-provider group onto a team. */
export interface GroupMappingRecord {
  teamId: string;
  external_group_name: string;
  membership_type: MembershipType;
  provider_id: string;
}

/**
 * One entry of the platform's audit log (Audit Log Query API): every write the platform accepts,
 * whoever made it (a connected app, or a user signed in), with the object as it was right after.
 */
export interface AuditLogEntry {
  /** Increasing with time: entries of one millisecond keep the order they were written in. */
  id: string;
  /** ISO-8601 with milliseconds. */
  timestamp: string;
  organizationId: string;
  /** The user who acted (a signed-in session), else null. */
  userId: string | null;
  userName: string | null;
  /** The connected app that acted (its token), always set. */
  clientId: string;
  platform: 'Access Management' | 'API Manager';
  objectType: 'User' | 'Team' | 'TeamMember' | 'TeamRole' | 'Environment' | 'RoleGroupMember' | 'UserRole';
  objectId: string;
  objectName: string | null;
  /** The object's parent (a member's team, a team's parent team), when it has one. */
  parentId: string | null;
  action: 'Create' | 'Update' | 'Delete' | 'Add' | 'Remove' | 'Move';
  properties: Record<string, unknown>;
  /** The request's X-Request-Id, when it sent one. */
  requestId: string | null;
  /** The object right after the write (getVersionedObjectsInLogs), null once deleted. */
  object: Record<string, unknown> | null;
}

import { servedSpecFile } from './spec-file-overrides.js';
import type { SimStore } from './store.js';
import type {
  ApiInstanceRecord,
  EnvironmentRecord,
  ExchangeAssetRecord,
  MemberRecord,
  OrgRecord,
  TeamRecord,
  UserRecord,
} from './model.js';

/**
 * Projections of store records into Anypoint response payloads (API.md). Kept in one place so
 * every route that returns, say, a User returns the same shape.
 */

export function environmentView(env: EnvironmentRecord) {
  return {
    id: env.id,
    name: env.name,
    organizationId: env.organizationId,
    isProduction: env.isProduction,
    type: env.type,
    clientId: env.clientId,
    arcNamespace: env.arcNamespace,
  };
}

function orgSummary(store: SimStore, org: OrgRecord) {
  return {
    id: org.id,
    name: org.name,
    isRoot: org.parentId === null,
    isMaster: org.parentId === null,
    parentId: org.parentId,
    parentName: org.parentId ? (store.orgs.get(org.parentId)?.name ?? null) : null,
  };
}

export function organizationView(store: SimStore, org: OrgRecord) {
  const owner = store.users.get(org.ownerId);
  return {
    id: org.id,
    name: org.name,
    createdAt: org.createdAt,
    updatedAt: org.updatedAt,
    ownerId: org.ownerId,
    clientId: org.clientId,
    idprovider_id: 'mulesoft',
    isFederated: false,
    parentOrganizationIds: store.orgAncestorIds(org.id),
    subOrganizationIds: store.orgChildIds(org.id),
    tenantOrganizationIds: [],
    mfaRequired: org.mfaRequired,
    isAutomaticAdminPromotionExempt: false,
    orgType: 'anypoint',
    domain: org.domain,
    isRoot: org.parentId === null,
    isMaster: org.parentId === null,
    gdotId: null,
    deletedAt: org.deletedAt,
    sessionTimeout: org.sessionTimeout,
    properties: {},
    entitlements: org.entitlements,
    subscription: org.subscription,
    environments: store.environmentsOf(org.id).map(environmentView),
    owner: owner ? { id: owner.id, username: owner.username, firstName: owner.firstName, lastName: owner.lastName } : null,
  };
}

export interface HierarchyNode {
  id: string;
  name: string;
  isMaster: boolean;
  isRoot: boolean;
  ownerId: string;
  parentOrganizationIds: string[];
  domain: string | null;
  sessionTimeout: number;
  entitlements: Record<string, unknown>;
  subOrganizations: HierarchyNode[];
}

export function hierarchyView(store: SimStore, org: OrgRecord): HierarchyNode {
  return {
    id: org.id,
    name: org.name,
    isMaster: org.parentId === null,
    isRoot: org.parentId === null,
    ownerId: org.ownerId,
    parentOrganizationIds: store.orgAncestorIds(org.id),
    domain: org.domain,
    sessionTimeout: org.sessionTimeout,
    entitlements: org.entitlements,
    subOrganizations: store
      .orgChildIds(org.id)
      .map((id) => hierarchyView(store, store.orgs.get(id)!)),
  };
}

/**
 * The organization fields of a User payload. They depend only on the user's org, so a listing
 * builds them once per org (userViews) instead of once per user.
 */
export function userOrgFields(store: SimStore, orgId: string) {
  const org = store.orgs.get(orgId);
  const memberOf = org ? [org, ...store.orgAncestorIds(org.id).map((id) => store.orgs.get(id)!)] : [];
  return {
    organization: org ? { id: org.id, name: org.name, isMaster: org.parentId === null } : null,
    primaryOrganization: org ? { id: org.id, name: org.name } : null,
    memberOfOrganizations: memberOf.map((o) => orgSummary(store, o)),
  };
}

export function userView(store: SimStore, user: UserRecord, orgFields = userOrgFields(store, user.organizationId)) {
  return {
    id: user.id,
    username: user.username,
    firstName: user.firstName,
    lastName: user.lastName,
    email: user.email,
    // Absent rather than null when unknown: the spec types both as plain strings, and API.md §4
    // has lastLogin "ISO or absent". An undefined field is left out of the JSON where it stands,
    // which keeps the field order without spreading an object per user.
    phoneNumber: user.phoneNumber ?? undefined,
    organizationId: user.organizationId,
    enabled: user.enabled,
    deleted: user.deleted,
    lastLogin: user.lastLogin ?? undefined,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
    idprovider_id: user.idprovider_id,
    isFederated: false,
    type: user.type,
    mfaVerificationExcluded: false,
    mfaVerifiersConfigured: 'false',
    organization: orgFields.organization,
    primaryOrganization: orgFields.primaryOrganization,
    memberOfOrganizations: orgFields.memberOfOrganizations,
    contributorOfOrganizations: [],
    organizationPreferences: {},
    properties: {},
  };
}

/**
 * A user as GET /accounts/api/users/{userId} returns it (MuleSoft's Access Management spec,
 * getUserById): the organization-scoped view plus the fields that operation requires
 * (previousLastLogin, ipAllowlistExcluded, email_verified_at) and the user's organization in full
 * (its detail without the embedded environments and owner).
 */
export function globalUserView(store: SimStore, user: UserRecord) {
  const org = store.orgs.get(user.organizationId);
  let organization: Record<string, unknown> | null = null;
  if (org) {
    const { environments: _environments, owner: _owner, ...detail } = organizationView(store, org);
    // The one property getUserById's organization requires (value as in MuleSoft's example).
    organization = { ...detail, properties: { defaultAccessManagementUi: 'cs-ui' } };
  }
  return {
    ...userView(store, user),
    // Required by getUserById: null, not absent, when there is none (deviations.ts).
    phoneNumber: user.phoneNumber ?? null,
    lastLogin: user.lastLogin ?? null,
    // The simulator keeps one login time; the one before it is not modelled, so it is the same.
    previousLastLogin: user.lastLogin ?? null,
    ipAllowlistExcluded: false,
    // Users are created by an administrator with their e-mail address: verified on creation.
    email_verified_at: user.createdAt,
    organization,
  };
}

/** Views of many users (a listing page), sharing each org's fields: they are only serialised. */
export function userViews(store: SimStore, users: readonly UserRecord[]) {
  const byOrg = new Map<string, ReturnType<typeof userOrgFields>>();
  return users.map((user) => {
    let orgFields = byOrg.get(user.organizationId);
    if (!orgFields) {
      orgFields = userOrgFields(store, user.organizationId);
      byOrg.set(user.organizationId, orgFields);
    }
    return userView(store, user, orgFields);
  });
}

export function teamView(store: SimStore, team: TeamRecord) {
  return {
    team_id: team.team_id,
    team_name: team.team_name,
    team_type: team.team_type,
    org_id: team.org_id,
    ancestor_team_ids: store.teamAncestorIds(team.team_id),
    created_at: team.created_at,
    updated_at: team.updated_at,
  };
}

/** Members are always users here; Anypoint's other identity types (groups) are not modelled. */
export const MEMBER_IDENTITY_TYPE = 'user';

export const memberName = (user: UserRecord): string => `${user.firstName} ${user.lastName}`;

export function memberView(store: SimStore, member: MemberRecord) {
  const user = store.users.get(member.userId);
  return {
    id: member.userId,
    name: user ? memberName(user) : member.userId,
    identity_type: MEMBER_IDENTITY_TYPE,
    membership_type: member.membership_type,
    is_assigned_via_external_groups: member.is_assigned_via_external_groups,
    created_at: member.created_at,
    updated_at: member.updated_at,
  };
}

export function apiInstanceView(api: ApiInstanceRecord) {
  return {
    id: api.id,
    groupId: api.groupId,
    assetId: api.assetId,
    assetVersion: api.assetVersion,
    productVersion: api.productVersion,
    instanceLabel: api.instanceLabel,
    technology: api.technology,
    status: api.status,
    endpointUri: api.endpointUri,
    environmentId: api.environmentId,
    organizationId: api.organizationId,
    masterOrganizationId: api.organizationId,
    deprecated: api.deprecated,
    isPublic: api.isPublic,
    pinned: api.pinned,
    lastActiveDate: api.lastActiveDate,
    activeContractsCount: 0,
    autodiscoveryInstanceName: `${api.productVersion}:${api.id}`,
    order: 1,
    stage: 'release',
    description: api.description,
    tags: api.tags,
    providerId: null,
    deployment: null,
    routing: [],
    audit: { created: { date: api.createdDate }, updated: { date: api.updatedDate } },
  };
}

export function apiEndpointView(api: ApiInstanceRecord) {
  return {
    id: api.id + 1,
    type: 'http',
    uri: api.endpointUri,
    proxyUri: null,
    proxyRegistrationUri: null,
    isCloudHub: null,
    deploymentType: 'CH2',
    muleVersion4OrAbove: api.technology !== 'mule3',
    responseTimeout: null,
    referencesUserDomain: null,
    policiesVersion: null,
    wsdlConfig: null,
    // tlsContexts is an object in the spec and only sent with includeTlsContexts=true (API.md §8.2).
    audit: { created: { date: api.createdDate }, updated: {} },
  };
}

export function fileView(store: SimStore, asset: ExchangeAssetRecord, link: string) {
  const file = servedSpecFile(store, asset);
  if (!asset.specFormat || !file) return [];
  return [
    {
      classifier: asset.specFormat,
      // OAS specs are a single YAML file here; RAML specs come as a zip, as Exchange packages them
      // (a /__sim/spec-files override may serve something else, and says so here).
      packaging: file.packaging,
      externalLink: link,
      downloadURL: link,
      md5: file.md5,
      sha1: file.sha1,
      createdDate: asset.createdAt,
      mainFile: asset.mainFile,
      isGenerated: false,
    },
  ];
}

export function assetSummaryView(store: SimStore, asset: ExchangeAssetRecord, link: string) {
  const org = store.orgs.get(asset.organizationId);
  const author = store.users.get(asset.createdById);
  const [major, minor] = asset.version.split('.');
  return {
    id: `${asset.groupId}/${asset.assetId}/${asset.version}`,
    groupId: asset.groupId,
    assetId: asset.assetId,
    version: asset.version,
    minorVersion: `${major}.${minor}`,
    versionGroup: `v${major}`,
    name: asset.name,
    description: asset.description,
    type: asset.type,
    status: asset.status,
    isPublic: asset.isPublic,
    isSnapshot: false,
    contactName: author ? `${author.firstName} ${author.lastName}` : null,
    contactEmail: author?.email ?? null,
    labels: asset.labels,
    categories: asset.categories,
    customFields: [],
    files: fileView(store, asset, link),
    createdBy: author
      ? { id: author.id, userName: author.username, firstName: author.firstName, lastName: author.lastName }
      : null,
    organization: org
      ? {
          id: org.id,
          name: org.name,
          isMaster: org.parentId === null,
          isRoot: org.parentId === null,
          domain: org.domain,
          parentOrganizationIds: store.orgAncestorIds(org.id),
          subOrganizationIds: store.orgChildIds(org.id),
          tenantOrganizationIds: [],
          isMulesoftOrganization: false,
        }
      : null,
    rating: 0,
    numberOfRates: 0,
    createdDate: asset.createdAt,
    updatedDate: asset.updatedAt,
    createdAt: asset.createdAt,
    modifiedAt: asset.updatedAt,
  };
}

export function assetDetailView(store: SimStore, asset: ExchangeAssetRecord, link: string) {
  const [major] = asset.version.split('.');
  const versions = [...store.assets.values()]
    .filter((a) => a.groupId === asset.groupId && a.assetId === asset.assetId)
    .map((a) => ({ version: a.version, status: a.status, createdAt: a.createdAt }));
  return {
    ...assetSummaryView(store, asset, link),
    organizationId: asset.organizationId,
    createdById: asset.createdById,
    attributes: [],
    dependencies: [],
    versions,
    productAPIVersion: `v${major}`,
  };
}

import type { Outcome } from '../provisioning/runner.js';
import type { ChangeUsernameResult, UserResult } from '../provisioning/users.js';
import type { GroupResult, PushGroupResult } from '../provisioning/groups.js';
import type { AuditRecord } from '../audit/types.js';
import type { DriftItem, GroupDriftResult } from '../provisioning/drift.js';
import type { PushedMember } from '../provisioning/group-links.js';
import type {
  AnypointApiInstance,
  AnypointConnectedApp,
  AnypointContextParams,
  AnypointEnvironment,
  AnypointExchangeAsset,
  AnypointExchangeFile,
  AnypointTeam,
  AnypointTeamMember,
  AnypointTeamRole,
  AnypointUser,
} from '../anypoint/types.js';
import type { Membership } from '../loaders/teams.js';
import type { AccessPath, Grant, RoleAssignment } from '../access/grants.js';
import type { AccessReviewRow, AccessReviewSummary } from '../access/review.js';

/**
 * What each GraphQL object type resolves from (codegen mappers, STYLE.md habit 6): the
 * Anypoint payload where there is one, a reference where the object is loaded lazily.
 */

/** Organizations are loaded field by field: the tree for names, the detail for the rest. */
export interface OrganizationRef {
  id: string;
}

export type EnvironmentParent = AnypointEnvironment;
export type UserParent = AnypointUser;
export type TeamParent = AnypointTeam;
export type ApiParent = AnypointApiInstance;
export type TeamMembershipParent = Membership;
export interface TeamMemberParent {
  orgId: string;
  member: AnypointTeamMember;
}
export type TeamRoleParent = AnypointTeamRole;
export type ExchangeAssetParent = AnypointExchangeAsset;
export type ExchangeFileParent = AnypointExchangeFile;
export interface ApiSpecificationParent {
  asset: AnypointExchangeAsset;
  file: AnypointExchangeFile;
}
export interface ViewerParent {
  clientId: string;
  orgId: string;
}
export interface ConnectionParent<T> {
  totalCount: number;
  edges: Array<{ cursor: string; node: T }>;
  nodes: T[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}
export type UserConnectionParent = ConnectionParent<UserParent> & { removedUserIds?: string[]; deltaToken?: string | null };
export type TeamConnectionParent = ConnectionParent<TeamParent>;
export type TeamMemberConnectionParent = ConnectionParent<TeamMemberParent>;
export type ApiConnectionParent = ConnectionParent<ApiParent>;

/** Payloads of the provisioning mutations: the runner's outcome with its result spread in. */
export type { PlannedWrite as PlannedWriteParent } from '../provisioning/steps.js';
export type { UserError as UserErrorParent } from '../provisioning/user-errors.js';
export type { GroupDiff as GroupDiffParent } from '../provisioning/groups.js';
export type { AuditRecord as AuditEventParent } from '../audit/types.js';
type Payload<R> = Omit<Outcome<R>, 'result'> & Partial<R>;
export type UserPayloadParent = Payload<UserResult>;
export type ChangeUsernamePayloadParent = Payload<ChangeUsernameResult>;
export type PushGroupPayloadParent = Payload<PushGroupResult>;
export type GroupPayloadParent = Payload<GroupResult>;
export type MutationPayloadParent = Payload<unknown>;
export interface SkippedMemberParent {
  member: string;
  reason: string;
}
export interface AuditEventConnectionParent {
  /** Counted only when totalCount is asked for: the file backend reads the whole trail to count. */
  count: () => Promise<number>;
  edges: Array<{ cursor: string; node: AuditRecord }>;
  nodes: AuditRecord[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

/** Access: grants and paths carry the organization their teams and environments belong to. */
export type AccessGrantParent = Grant;
export interface AccessPathParent {
  path: AccessPath;
  orgId: string;
}
export interface EffectiveTeamRoleParent extends RoleAssignment {
  inheritedFrom: { id: string; name: string } | null;
  teamOrgId: string;
}
export type ConnectedAppParent = AnypointConnectedApp;
export interface AppScopeParent {
  scope: string;
  context: AnypointContextParams;
}
export type AccessReviewConnectionParent = ConnectionParent<AccessReviewRow> & { summary: AccessReviewSummary };
export type AccessReviewRowParent = AccessReviewRow;
export type ChangeParent = import('../changes/change.js').Change;
export type ChangeConnectionParent = Omit<ConnectionParent<ChangeParent>, 'totalCount'> & { deltaToken: string | null };

/** Drift (schema/drift.graphql): the comparison, and its items and pushed members with the org they belong to. */
export type GroupDriftParent = GroupDriftResult;
export interface GroupDriftItemParent {
  orgId: string;
  item: DriftItem;
  /** The comparison it is an item of (its causes are read once per group). */
  drift?: GroupDriftResult;
}
export interface PushedMemberParent {
  orgId: string;
  member: PushedMember;
}

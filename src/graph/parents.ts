import type {
  AnypointApiInstance,
  AnypointEnvironment,
  AnypointExchangeAsset,
  AnypointExchangeFile,
  AnypointTeam,
  AnypointTeamMember,
  AnypointTeamRole,
  AnypointUser,
} from '../anypoint/types.js';
import type { Membership } from '../loaders/teams.js';

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
export type UserConnectionParent = ConnectionParent<UserParent>;
export type TeamConnectionParent = ConnectionParent<TeamParent>;
export type TeamMemberConnectionParent = ConnectionParent<TeamMemberParent>;
export type ApiConnectionParent = ConnectionParent<ApiParent>;

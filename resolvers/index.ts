import { DateTimeResolver, JSONResolver, URLResolver } from 'graphql-scalars';
import type { Resolvers } from '../src/generated/resolvers-types.js';
import { AccessGrant, AccessPath, AccessReviewRow, AppScope, ConnectedApp, EffectiveTeamRole, accessReview, connectedApps, teamEffectiveRoles, userAccess } from './Access.js';
import { Api, ApiSpecification, ExchangeAsset, ExchangeFile } from './Api.js';
import { Change, changes } from './Changes.js';
import { AuditEvent, AuditEventConnection, auditEvents } from './AuditEvent.js';
import { GroupDrift, GroupDriftItem, PushedMember, drifts, groupDrift } from './Drift.js';
import { EmailAddress } from './EmailAddress.js';
import { Environment } from './Environment.js';
import { Organization } from './Organization.js';
import { Mutation } from './Mutation.js';
import { Query } from './Query.js';
import { Team, TeamMember, TeamRole } from './Team.js';
import { TeamMembership, User } from './User.js';
import { Viewer } from './Viewer.js';
import { enumResolvers } from './enums.js';

export const resolvers: Resolvers = {
  DateTime: DateTimeResolver,
  EmailAddress,
  URL: URLResolver,
  JSON: JSONResolver,
  ...enumResolvers,
  Query: { ...Query, auditEvents, accessReview, changes, groupDrift, drifts },
  Mutation,
  AuditEvent,
  AuditEventConnection,
  Viewer,
  Organization: { ...Organization, connectedApps: (org, _, ctx) => connectedApps(org, ctx) },
  Environment,
  User: { ...User, access: (user, _, ctx) => userAccess(user, ctx) },
  TeamMembership,
  Team: { ...Team, effectiveRoles: (team, _, ctx) => teamEffectiveRoles(team, ctx) },
  TeamMember,
  TeamRole,
  Api,
  ExchangeAsset,
  ExchangeFile,
  ApiSpecification,
  AccessGrant,
  AccessPath,
  EffectiveTeamRole,
  ConnectedApp,
  AppScope,
  AccessReviewRow,
  Change,
  GroupDrift,
  GroupDriftItem,
  PushedMember,
};

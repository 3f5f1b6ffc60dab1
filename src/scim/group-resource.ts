import type { AnypointTeam, AnypointTeamMember } from '../anypoint/types.js';
import type { ScimRecord } from './records.js';
import { GROUP_SCHEMA } from './schemas.js';
import { weakEtag } from './version.js';

export type GroupResource = Record<string, unknown> & { id: string; displayName: string };

/**
 * A linked group as SCIM sees it: its id is the group id of the link (what pushGroup calls
 * groupId), its displayName the team's name, its members the team's members, each under the
 * member's SCIM id (`scimIdOf`). `members` undefined leaves the attribute out (Entra lists groups
 * with excludedAttributes=members, and then the members are not read at all).
 */
export function toGroupResource(
  groupId: string,
  team: AnypointTeam,
  record: ScimRecord | undefined,
  members: AnypointTeamMember[] | undefined,
  scimIdOf: (anypointUserId: string) => string | null,
  baseUrl: string,
  /** The platform log's last Team or TeamMember entry about the team, when the answer read the log. */
  changedAt?: string,
): GroupResource {
  const body: Record<string, unknown> = {
    schemas: [GROUP_SCHEMA],
    id: groupId,
    ...(record?.externalId ? { externalId: record.externalId } : {}),
    displayName: team.team_name,
    ...(members
      ? {
          // Users no live SCIM resource shows (renamed away, ended) are not listed: the IdP could not remove them.
          members: members.flatMap((m) => {
            const value = scimIdOf(m.id);
            return value === null ? [] : [{ value, ...(m.name ? { display: m.name } : {}), type: 'User', $ref: `${baseUrl}/Users/${encodeURIComponent(value)}` }];
          }),
        }
      : {}),
  };
  const created = record?.created ?? team.created_at;
  const lastModified = [team.updated_at, record?.lastModified, changedAt].reduce<string | undefined>((a, b) => (!b ? a : !a || Date.parse(b) > Date.parse(a) ? b : a), undefined) ?? created;
  // Without members the version would not cover them: left out, rather than a tag that lies.
  const version = members ? { version: weakEtag(body) } : {};
  return {
    ...body,
    meta: {
      resourceType: 'Group',
      ...(created ? { created } : {}),
      ...(lastModified ? { lastModified } : {}),
      location: `${baseUrl}/Groups/${encodeURIComponent(groupId)}`,
      ...version,
    },
  } as unknown as GroupResource;
}

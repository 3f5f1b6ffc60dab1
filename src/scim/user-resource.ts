import type { AnypointUser } from '../anypoint/types.js';
import type { ScimRecord } from './records.js';
import { USER_SCHEMA } from './schemas.js';
import { weakEtag } from './version.js';

/** A SCIM User as the endpoint returns it, before projection. */
export type UserResource = Record<string, unknown> & { id: string; userName: string; active: boolean };

export interface GroupRef {
  id: string;
  displayName: string;
}

/**
 * The Anypoint user behind a SCIM resource, mapped once for every answer: firstName/lastName to
 * name, the one e-mail as the primary work address, the phone as a work number, enabled to
 * active. `id` is the SCIM id (the record's, which outlives username changes); externalId is
 * what the record keeps, since Anypoint has none. meta.lastModified is the latest of the record's,
 * the user's updatedAt and, when given, the time of the platform log's last entry about the user.
 */
export function toUserResource(user: AnypointUser, record: ScimRecord | undefined, baseUrl: string, groups?: GroupRef[], changedAt?: string): UserResource {
  const id = record?.id ?? user.id;
  const formatted = `${user.firstName} ${user.lastName}`.trim();
  const body: Record<string, unknown> = {
    schemas: [USER_SCHEMA],
    id,
    ...(record?.externalId ? { externalId: record.externalId } : {}),
    userName: user.username,
    name: { givenName: user.firstName, familyName: user.lastName, formatted },
    displayName: formatted,
    emails: [{ value: user.email, type: 'work', primary: true }],
    ...(user.phoneNumber ? { phoneNumbers: [{ value: user.phoneNumber, type: 'work', primary: true }] } : {}),
    active: user.enabled,
    ...(groups ? { groups: groups.map((g) => ({ value: g.id, display: g.displayName, type: 'direct', $ref: `${baseUrl}/Groups/${encodeURIComponent(g.id)}` })) } : {}),
  };
  const created = record?.created ?? user.createdAt ?? user.updatedAt ?? null;
  // changedAt: the platform log's last entry about the user, when the answer read the log.
  const lastModified = latest(latest(record?.lastModified, user.updatedAt), changedAt) ?? created;
  const meta = {
    resourceType: 'User',
    ...(created ? { created } : {}),
    ...(lastModified ? { lastModified } : {}),
    location: `${baseUrl}/Users/${encodeURIComponent(id)}`,
  };
  // The version covers what the resource says, not when it was said.
  return { ...body, meta: { ...meta, version: weakEtag(body) } } as unknown as UserResource;
}

/** The later of two ISO instants, either of which may be missing. */
function latest(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b;
  if (!b) return a;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

import { quote } from '../provisioning/validate.js';
import { randomUUID } from 'node:crypto';
import type { AnypointTeam, AnypointTeamMember, AnypointUser } from '../anypoint/types.js';
import type { Loaders } from '../loaders/index.js';
import type { GroupLink } from '../provisioning/group-links.js';
import type { MemberDelta } from '../provisioning/group-patch.js';
import type { ScimDeps, ScimRequest } from './context.js';
import { invalidValue, notFound, ScimError } from './errors.js';
import { listPage, type ListQuery } from './list-query.js';
import { filterPaths, modifiedSinceLookup } from './filter.js';
import { startAt } from '../changes/position.js';
import { readTeamChangeTimes } from '../changes/users.js';
import { resolveAttribute } from './attribute-paths.js';
import { resultOf } from './outcomes.js';
import { planGroupPatch, readPatchRequest, type MemberChange } from './patch-ops.js';
import type { ScimRecord } from './records.js';
import { readGroupInput } from './resource-bodies.js';
import { toGroupResource, type GroupResource } from './group-resource.js';
import { ifMatchAllows } from './version.js';

/**
 * /Groups: the groups pushGroup links to teams under the root team, the same links and the same
 * engine. POST pushes a new group (refusing, as pushGroup does, to take over a team made by
 * hand); PATCH applies member deltas under the group's lock; DELETE deletes the team (or, with
 * SCIM_DELETE_GROUPS=unlink, only forgets the link).
 */
/** Whether the filter or the sort looks at members, so they must be read before paging. */
function readsMembers(query: ListQuery): boolean {
  const paths = [...(query.filter ? filterPaths(query.filter) : []), ...(query.sortBy ? [query.sortBy.keys[0]!] : [])];
  return paths.some((path) => resolveAttribute('Group', path)?.keys[0] === 'members');
}

export function createScimGroups(deps: ScimDeps) {
  const { settings, records, links, provisioning, users } = deps;
  const orgId = settings.orgId;
  const org = { organizationId: orgId };

  async function recordsById(): Promise<Map<string, ScimRecord>> {
    return new Map((await records.list('Group', orgId)).map((r) => [r.id, r]));
  }

  /** The linked groups whose team still exists, with the team. */
  async function linked(loaders: Loaders, only?: string): Promise<Array<{ link: GroupLink; team: AnypointTeam }>> {
    const [all, teams] = await Promise.all([only ? links.get(orgId, only).then((l) => (l ? [l] : [])) : links.list(orgId), loaders.teams.teamsOfOrg(orgId)]);
    const byId = new Map(teams.map((t) => [t.team_id, t]));
    return all.flatMap((link) => (byId.has(link.teamId) ? [{ link, team: byId.get(link.teamId)! }] : []));
  }

  async function resources(
    req: ScimRequest,
    groups: Array<{ link: GroupLink; team: AnypointTeam }>,
    withMembers: boolean,
    loaders = req.loaders,
    changedAt?: Map<string, string>,
  ): Promise<GroupResource[]> {
    const [byId, scimIdOf, members] = await Promise.all([
      recordsById(),
      withMembers ? users.scimIdMapper() : Promise.resolve((id: string): string | null => id),
      withMembers ? Promise.all(groups.map((g) => loaders.teams.membersOfTeam(orgId, g.team.team_id))) : Promise.resolve(undefined),
    ]);
    return groups.map((g, i) => toGroupResource(g.link.groupId, g.team, byId.get(g.link.groupId), members?.[i], scimIdOf, req.baseUrl, changedAt?.get(g.team.team_id)));
  }

  /**
   * For `meta.lastModified gt "T"` (or ge): when each team last changed since T by the platform
   * log (a member added by hand changes its group), one bounded pass; otherwise nothing is read.
   */
  async function teamChangeTimes(req: ScimRequest, query: ListQuery): Promise<Map<string, string> | undefined> {
    const since = query.filter ? modifiedSinceLookup(query.filter, 'Group') : null;
    if (since === null || !deps.feed) return undefined;
    const feed = { ...deps.feed, call: { signal: req.signal, requestId: req.call.requestId } };
    return (await readTeamChangeTimes(feed, startAt(orgId, since), new Set([orgId]))).times;
  }

  async function one(req: ScimRequest, id: string, loaders: Loaders, withMembers = true): Promise<GroupResource> {
    const [group] = await linked(loaders, id);
    if (!group) throw notFound(`Group ${quote(id)} not found`);
    return (await resources(req, [group], withMembers, loaders))[0]!;
  }

  /** Anypoint user ids of SCIM member ids; an id that is no user of the organization is refused before any write. */
  async function memberIds(req: ScimRequest, scimIds: string[], strict: boolean): Promise<string[]> {
    const mapped = await users.anypointIds(scimIds);
    const unknown = scimIds.filter((id) => mapped.get(id) == null);
    // Ids without a record are Anypoint ids: checked through the cache (one listing, or single GETs).
    const unrecorded = [...new Set(scimIds.filter((id) => mapped.get(id) === id))];
    const found = await Promise.all(unrecorded.map((id) => req.loaders.users.userById.load({ id, orgId }).then(() => true, () => false)));
    unknown.push(...unrecorded.filter((_, i) => !found[i]));
    if (unknown.length && strict) throw invalidValue(`members: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''} ${unknown.length === 1 ? 'is' : 'are'} not users of this organization`);
    const missing = new Set(unknown);
    return scimIds.filter((id) => !missing.has(id)).map((id) => mapped.get(id)!);
  }

  async function saveExternalId(groupId: string, externalId: string | null, existing?: ScimRecord) {
    if ((existing?.externalId ?? null) === externalId && existing) return;
    const at = new Date().toISOString();
    await records.put({ type: 'Group', orgId, id: groupId, anypointId: null, retired: [], externalId, ended: false, created: existing?.created ?? at, lastModified: at });
  }

  async function checkVersion(req: ScimRequest, id: string) {
    if (req.ifMatch === undefined) return;
    const now = await one(req, id, req.fresh);
    const version = (now.meta as { version: string }).version;
    if (!ifMatchAllows(req.ifMatch, version)) throw new ScimError(412, `The group has changed (its version is ${version}); read it again`);
  }

  /** The members a push left in the team, without reading them again. */
  const membersAfter = (diff: { added: AnypointUser[]; unchanged: AnypointUser[]; keptMaintainers: AnypointUser[] }): AnypointTeamMember[] =>
    [...diff.unchanged, ...diff.added, ...diff.keptMaintainers].map((u) => ({ id: u.id, name: u.username, membership_type: 'member' }));

  return {
    async list(req: ScimRequest, query: ListQuery, withMembers: boolean) {
      const [groups, changedAt] = await Promise.all([linked(req.loaders), teamChangeTimes(req, query)]);
      if (!withMembers || readsMembers(query)) return listPage(await resources(req, groups, withMembers, req.loaders, changedAt), query, 'Group');
      // Filtered, sorted and paged on what the teams say; the members read for the page only, not
      // for every linked group (a thousand groups would cost a thousand listings per request).
      const bare = listPage(await resources(req, groups, false, req.loaders, changedAt), { ...query, attributes: ['id'], excludedAttributes: [] }, 'Group');
      const byId = new Map(groups.map((g) => [g.link.groupId, g]));
      const page = await resources(req, bare.Resources.map((r) => byId.get(r.id as string)!), true, req.loaders, changedAt);
      return { ...listPage(page, { ...query, filter: null, startIndex: 1 }, 'Group'), totalResults: bare.totalResults, startIndex: query.startIndex };
    },

    get: (req: ScimRequest, id: string, withMembers: boolean) => one(req, id, req.loaders, withMembers),

    async create(req: ScimRequest, body: unknown): Promise<GroupResource> {
      const input = readGroupInput(body);
      const groupId = randomUUID();
      const members = await memberIds(req, input.members, true);
      const result = resultOf(await provisioning.pushGroup({ ...org, groupId, displayName: input.displayName, members }, req.call))!;
      await saveExternalId(groupId, input.externalId);
      const scimIdOf = await users.scimIdMapper();
      return toGroupResource(groupId, result.team!, (await recordsById()).get(groupId), membersAfter(result.diff), scimIdOf, req.baseUrl);
    },

    async replace(req: ScimRequest, id: string, body: unknown): Promise<GroupResource> {
      const input = readGroupInput(body);
      if (!(await links.get(orgId, id))) throw notFound(`Group ${quote(id)} not found`);
      await checkVersion(req, id);
      const members = await memberIds(req, input.members, true);
      // A full replace is a push: exactly these members (hand-added maintainers go too).
      const result = resultOf(await provisioning.pushGroup({ ...org, groupId: id, displayName: input.displayName, members, removeUnlistedMaintainers: true }, req.call))!;
      const existing = (await recordsById()).get(id);
      await saveExternalId(id, input.externalId, existing);
      const scimIdOf = await users.scimIdMapper();
      return toGroupResource(id, result.team!, (await recordsById()).get(id), membersAfter(result.diff), scimIdOf, req.baseUrl);
    },

    /** Deltas, never a read-modify-write of the member list: see provisioning/group-patch.ts. */
    async patch(req: ScimRequest, id: string, body: unknown): Promise<void> {
      const patch = planGroupPatch(readPatchRequest(body), id);
      await checkVersion(req, id);
      const deltas: MemberDelta[] = [];
      for (const change of patch.members as MemberChange[]) {
        if (change.kind === 'clear') deltas.push({ kind: 'clear' });
        // A user that is not there cannot be a member: removing them is done already.
        else if (change.kind === 'add') deltas.push({ kind: 'add', userIds: await memberIds(req, change.ids, true) });
        // Every Anypoint user the id stood for, so a renamed or ended user can still be taken out.
        else deltas.push({ kind: 'remove', userIds: await users.everyAnypointId(change.ids) });
      }
      resultOf(await provisioning.patchGroup({ ...org, groupId: id, displayName: patch.displayName ?? null, members: deltas }, req.call));
      if (patch.externalId !== undefined) await saveExternalId(id, patch.externalId, (await recordsById()).get(id));
    },

    async remove(req: ScimRequest, id: string): Promise<void> {
      await checkVersion(req, id);
      const input = { ...org, groupId: id };
      const outcome = settings.deleteGroups === 'unlink' ? await provisioning.unlinkGroup(input, req.call) : await provisioning.deleteGroup(input, req.call);
      resultOf(outcome);
      await records.delete('Group', orgId, id);
    },
  };
}

export type ScimGroups = ReturnType<typeof createScimGroups>;

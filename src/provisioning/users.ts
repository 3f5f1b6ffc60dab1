import type { AnypointUser } from '../anypoint/types.js';
import type { UserChanges } from '../anypoint/accounts-writes.js';
import type { Loaders } from '../loaders/index.js';
import { findUser, orgExists, type OperationDeps } from './deps.js';
import type { Operation } from './runner.js';
import type { Step } from './steps.js';
import { addMemberStep, createUserStep, sameEmail, updateUserStep } from './user-steps.js';
import { userError, type UserError } from './user-errors.js';
import { checkEmail, checkName, checkPhone, checkUsername, mayBeAnId, quote } from './validate.js';
import { settled, runOptions } from './plans.js';
import { isUsernameTaken } from './username-lookup.js';
import { findUserByUsername } from '../anypoint/accounts.js';
import { rootTeamIdOf } from './root-teams.js';

/** The user lifecycle: create, update the profile, change the username, deactivate, reactivate. */

interface Common {
  dryRun?: boolean | null;
  idempotencyKey?: string | null;
}

export interface CreateUserInput extends Common {
  organizationId?: string | null;
  username: string;
  firstName: string;
  lastName: string;
  email: string;
  phoneNumber?: string | null;
}

export interface UpdateUserProfileInput extends Common {
  id: string;
  organizationId?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  phoneNumber?: string | null;
  /** Accepted only to be refused with EMAIL_IMMUTABLE when it differs. */
  email?: string | null;
}

export interface ChangeUsernameInput extends Common {
  id: string;
  organizationId?: string | null;
  newUsername: string;
}

export interface UserIdInput extends Common {
  id: string;
  organizationId?: string | null;
}

export interface UserResult {
  user: AnypointUser | null;
}

export interface ChangeUsernameResult {
  previousUser: AnypointUser | null;
  user: AnypointUser | null;
}


const summarizeUser = (user: AnypointUser | null | undefined) => (user ? { id: user.id, username: user.username } : null);


const userSummary = (r: UserResult | null) => summarizeUser(r?.user);

/** Loads the user a mutation is about, or the userError saying why it cannot. */
async function targetUser(loaders: Loaders, input: UserIdInput): Promise<AnypointUser | UserError> {
  if (input.organizationId && !(mayBeAnId(input.organizationId) && (await orgExists(loaders, input.organizationId)))) return userError('ORGANIZATION_NOT_FOUND', 'organizationId');
  const notFound = userError('USER_NOT_FOUND', 'id', `User ${quote(input.id)} was not found`);
  if (!mayBeAnId(input.id)) return notFound;
  return (await findUser(loaders, input.id, input.organizationId ?? null)) ?? notFound;
}

/**
 * A username no user of the orgs read is using may still be taken: by a user of another business
 * group, or by a deleted user (usernames are never reusable). The real run learns that from its
 * create's 409 at no extra cost; a dry run, which sends no create, asks the platform in one call.
 */
async function dryRunFindsTaken(deps: OperationDeps, username: string, dryRun: boolean | null | undefined): Promise<boolean> {
  return dryRun ? isUsernameTaken(deps.client, username, { requestId: deps.requestId }) : false;
}

const isUserError = (value: unknown): value is UserError => typeof value === 'object' && value !== null && 'code' in value && 'message' in value;

export function createUserOperation(deps: OperationDeps, input: CreateUserInput): Operation<UserResult> {
  const orgId = input.organizationId ?? deps.rootOrgId;
  return {
    action: 'createUser',
    input: { ...input },
    target: `user:${input.username}`,
    ...runOptions(input),
    async plan() {
      const errors: UserError[] = [
        ...checkUsername(input.username),
        ...checkName(input.firstName, 'firstName', true),
        ...checkName(input.lastName, 'lastName', true),
        ...checkEmail(input.email),
        ...checkPhone(input.phoneNumber),
      ];
      if (errors.length) return settled(errors, null, userSummary);
      const loaders = deps.fresh();
      // The root organization is where the gateway started: it exists without asking.
      if (!mayBeAnId(orgId) || (orgId !== deps.rootOrgId && !(await orgExists(loaders, orgId)))) return settled([userError('ORGANIZATION_NOT_FOUND', 'organizationId')], null, userSummary);
      // Usernames are platform-wide; the org's and the root org's users are the ones visible
      // here. One search each finds the name, where a listing would read every user (an
      // identity provider's first sync of 1,000 users would read the org 1,000 times).
      const orgs = orgId === deps.rootOrgId ? [orgId] : [orgId, deps.rootOrgId];
      const call = { requestId: deps.requestId };
      const existing = (await Promise.all(orgs.map((o) => findUserByUsername(deps.client, o, input.username, call)))).find((u) => u !== null) ?? null;
      if (existing && existing.organizationId === orgId && sameEmail(existing.email, input.email)) {
        // The same person in the same org: an earlier (perhaps interrupted) call created them.
        return settled([], { user: existing }, userSummary);
      }
      if (existing || (await dryRunFindsTaken(deps, input.username, input.dryRun))) {
        return settled([userError('USERNAME_TAKEN', 'username', `The username ${input.username} is taken`)], null, userSummary);
      }
      const create = createUserStep(deps, orgId, await rootTeamIdOf(deps, loaders, orgId), input);
      return { userErrors: [], steps: [create], preview: () => ({ user: null }), finish: async () => ({ user: create.result ?? null }), summary: userSummary };
    },
  };
}

export function updateUserProfileOperation(deps: OperationDeps, input: UpdateUserProfileInput): Operation<UserResult> {
  return {
    action: 'updateUserProfile',
    input: { ...input },
    target: `user:${input.id}`,
    ...runOptions(input),
    async plan() {
      const errors: UserError[] = [
        ...checkName(input.firstName, 'firstName', false),
        ...checkName(input.lastName, 'lastName', false),
        ...checkPhone(input.phoneNumber),
      ];
      if (input.firstName === null) errors.push(userError('NAME_INVALID', 'firstName', 'firstName cannot be removed'));
      if (input.lastName === null) errors.push(userError('NAME_INVALID', 'lastName', 'lastName cannot be removed'));
      if (errors.length) return settled(errors, null, userSummary);
      const user = await targetUser(deps.fresh(), input);
      if (isUserError(user)) return settled([user], null, userSummary);
      if (input.email !== undefined && input.email !== null && !sameEmail(input.email, user.email)) {
        return settled([userError('EMAIL_IMMUTABLE', 'email', 'The e-mail of an existing user cannot change; create a new user instead')], null, userSummary);
      }
      // Only what differs is written: an unchanged profile costs no upstream write.
      const changes: UserChanges = {};
      if (input.firstName != null && input.firstName.trim() !== user.firstName) changes.firstName = input.firstName.trim();
      if (input.lastName != null && input.lastName.trim() !== user.lastName) changes.lastName = input.lastName.trim();
      if (input.phoneNumber !== undefined && (input.phoneNumber || null) !== (user.phoneNumber ?? null)) changes.phoneNumber = input.phoneNumber || null;
      if (Object.keys(changes).length === 0) return settled([], { user }, userSummary);
      const update = updateUserStep(deps, () => user, changes, 'UPDATE_USER', user.username);
      return {
        userErrors: [],
        steps: [update],
        preview: () => ({ user: { ...user, ...changes } }),
        finish: async () => ({ user: update.result ?? null }),
        summary: userSummary,
      };
    },
  };
}

export function setUserEnabledOperation(deps: OperationDeps, input: UserIdInput, enabled: boolean): Operation<UserResult> {
  return {
    action: enabled ? 'reactivateUser' : 'deactivateUser',
    input: { ...input },
    target: `user:${input.id}`,
    ...runOptions(input),
    async plan() {
      const user = await targetUser(deps.fresh(), input);
      if (isUserError(user)) return settled([user], null, userSummary);
      // Already as asked: a success with no write.
      if (user.enabled === enabled) return settled([], { user }, userSummary);
      const change = updateUserStep(deps, () => user, { enabled }, enabled ? 'ENABLE_USER' : 'DISABLE_USER', user.username);
      return {
        userErrors: [],
        steps: [change],
        preview: () => ({ user: { ...user, enabled } }),
        finish: async () => ({ user: change.result ?? null }),
        summary: userSummary,
      };
    },
  };
}

/**
 * The platform cannot rename a user: the new username is a new user (new id) with the same
 * profile and team memberships, and the old one is deactivated, in that order so access never
 * lapses. Re-running after an interruption picks up the half-made new user by its e-mail.
 */
export function changeUsernameOperation(deps: OperationDeps, input: ChangeUsernameInput): Operation<ChangeUsernameResult> {
  const summary = (r: ChangeUsernameResult | null) => ({ previousUser: summarizeUser(r?.previousUser), user: summarizeUser(r?.user) });
  return {
    action: 'changeUsername',
    input: { ...input },
    target: `user:${input.id}`,
    ...runOptions(input),
    async plan() {
      const errors = checkUsername(input.newUsername, 'newUsername');
      if (errors.length) return settled(errors, null, summary);
      const loaders = deps.fresh();
      const old = await targetUser(loaders, input);
      if (isUserError(old)) return settled([old], null, summary);
      if (old.username === input.newUsername) return settled([], { previousUser: old, user: old }, summary);
      const orgId = old.organizationId;
      const orgs = orgId === deps.rootOrgId ? [orgId] : [orgId, deps.rootOrgId];
      const taken = (await Promise.all(orgs.map((o) => loaders.users.usersOfOrg(o)))).flat().find((u) => u.username === input.newUsername);
      const ours = taken && taken.organizationId === orgId && sameEmail(taken.email, old.email) ? taken : null;
      if ((taken && !ours) || (!taken && (await dryRunFindsTaken(deps, input.newUsername, input.dryRun)))) {
        return settled([userError('USERNAME_TAKEN', 'newUsername', `The username ${input.newUsername} is taken`)], null, summary);
      }

      const memberships = await loaders.teams.membershipsInOrg(orgId);
      const root = await loaders.teams.rootTeamOf(orgId);
      const already = new Set((ours ? memberships[ours.id] ?? [] : []).map((m) => m.team.team_id));
      const steps: Step[] = [];
      const create = ours ? null : createUserStep(deps, orgId, root?.team_id ?? null, { ...old, username: input.newUsername }, 0, 'newUsername');
      if (create) steps.push(create);
      const newUser = () => (ours ?? create!.result)!;
      for (const { team, member } of memberships[old.id] ?? []) {
        // Every user is in the root team already; and a resumed run skips what it did before.
        if (team.team_id === root?.team_id || already.has(team.team_id)) continue;
        const labels = { team: team.team_name, user: input.newUsername };
        steps.push(addMemberStep(deps, orgId, () => team.team_id, () => newUser().id, member.membership_type, labels, 1));
      }
      const disable = old.enabled ? updateUserStep(deps, () => old, { enabled: false }, 'DISABLE_USER', old.username, 2) : null;
      if (disable) steps.push(disable);
      // Renaming a deactivated user must not give the person access again.
      // (Only for a user made now: an adopted one may be the enabled result of an earlier run.)
      const keepDisabled = !old.enabled && !ours ? updateUserStep(deps, newUser, { enabled: false }, 'DISABLE_USER', input.newUsername, 2) : null;
      if (keepDisabled) steps.push(keepDisabled);
      return {
        userErrors: [],
        steps,
        // As after the run (Plan.preview): the old user disabled, the new one null until it exists.
        preview: () => ({ previousUser: disable ? { ...old, enabled: false } : old, user: ours }),
        finish: async () => ({ previousUser: disable?.result ?? old, user: keepDisabled?.result ?? ours ?? create?.result ?? null }),
        summary,
      };
    },
  };
}

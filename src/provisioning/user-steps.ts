import { randomBytes } from 'node:crypto';
import { findUserByUsername, getUser } from '../anypoint/accounts.js';
import { createUser, findTeamMember, putTeamMember, updateUser, type UserChanges } from '../anypoint/accounts-writes.js';
import type { AnypointUser } from '../anypoint/types.js';
import type { CacheKind } from '../loaders/read-through.js';
import { memberEntries, userEntries, type OperationDeps } from './deps.js';
import { PlannedStep, step, type Step, type Verified } from './steps.js';
import { RejectedWrite, userError } from './user-errors.js';

/** The write steps of the user lifecycle, each with the read-back that reconciles a lost response. */

export interface NewProfile {
  username: string;
  firstName: string;
  lastName: string;
  email: string;
  phoneNumber?: string | null;
}

/**
 * The platform e-mails new users a password-reset link. Where it wants a password on create, it
 * gets one nobody knows: generated here, sent once, never logged, stored or returned.
 */
const throwawayPassword = () => `${randomBytes(24).toString('base64url')}aA1!`;

export const sameEmail = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * `rootTeamId`: the org's root team, which the new user joins, so its member list goes stale.
 * `usernameField`: the input field a USERNAME_TAKEN refusal points at.
 */
export function createUserStep(deps: OperationDeps, orgId: string, rootTeamId: string | null, profile: NewProfile, phase = 0, usernameField = 'username'): Step<AnypointUser> {
  const readBack = async () => {
    // One search, not a listing of the whole org: this runs on every lost create response.
    const found = await findUserByUsername(deps.client, orgId, profile.username);
    return found && sameEmail(found.email, profile.email) ? { done: true as const, value: found } : { done: false as const };
  };
  return step<AnypointUser>({
    action: 'CREATE_USER',
    target: `user:${profile.username}`,
    description: `create user ${profile.username} in organization ${orgId}`,
    phase,
    run: async (requestId) => {
      try {
        const { username, email } = profile;
        const [firstName, lastName] = [profile.firstName.trim(), profile.lastName.trim()];
        const body = { username, firstName, lastName, email: email.trim(), phoneNumber: profile.phoneNumber || undefined, password: throwawayPassword() };
        return await createUser(deps.client, orgId, body, { requestId });
      } catch (error) {
        // 409 from a user the gateway cannot see (e.g. a deleted one), unless it is this very user.
        if ((error as { code?: string }).code === 'CONFLICT' && !(await readBack()).done) {
          throw new RejectedWrite(userError('USERNAME_TAKEN', usernameField, `The username ${profile.username} is taken (usernames are never reusable, even after deletion)`));
        }
        throw error;
      }
    },
    verify: readBack,
    evicts: [['users', `org:${orgId}`], ['users', `total:${orgId}`], ...(rootTeamId ? memberEntries(orgId, rootTeamId) : [['members', `byUser:${orgId}`] as [CacheKind, string]])],
  });
}

type UserAction = 'UPDATE_USER' | 'DISABLE_USER' | 'ENABLE_USER';

export function updateUserStep(deps: OperationDeps, user: () => AnypointUser, changes: UserChanges, action: UserAction, label: string, phase = 0): Step<AnypointUser> {
  const fields = Object.keys(changes).join(', ');
  return step<AnypointUser>({
    action,
    target: `user:${label}`,
    description: action === 'UPDATE_USER' ? `set ${fields} of user ${label}` : `${action === 'DISABLE_USER' ? 'disable' : 'enable'} user ${label}`,
    phase,
    run: (requestId) => updateUser(deps.client, user().organizationId, user().id, changes, { requestId }),
    verify: async () => {
      const now = await getUser(deps.client, user().organizationId, user().id);
      const record = now as unknown as Record<string, unknown>;
      const applied = Object.entries(changes).every(([k, v]) => (record[k] ?? null) === (v ?? null));
      return applied ? { done: true, value: now } : { done: false };
    },
    evicts: () => [...userEntries(user()), ['members', `byUser:${user().organizationId}`]],
  });
}

export function addMemberStep(
  deps: OperationDeps,
  orgId: string,
  teamId: () => string,
  userId: () => string,
  membershipType: 'member' | 'maintainer',
  labels: { team: string; user: string },
  phase: number,
): Step<unknown> {
  return new AddMemberStep(deps, orgId, teamId, userId, membershipType, labels, phase);
}

/** A class, not step(): a group push plans one per member (see PlannedStep). */
class AddMemberStep extends PlannedStep<unknown> {
  constructor(
    private readonly deps: OperationDeps,
    private readonly orgId: string,
    private readonly teamId: () => string,
    private readonly userId: () => string,
    private readonly membershipType: 'member' | 'maintainer',
    labels: { team: string; user: string },
    phase: number,
  ) {
    super('ADD_MEMBER', `team:${labels.team}`, `add ${labels.user} to team ${labels.team} as ${membershipType}`, phase);
  }

  override run(requestId: string): Promise<unknown> {
    return putTeamMember(this.deps.client, this.orgId, this.teamId(), this.userId(), this.membershipType, { requestId });
  }

  override async verify(): Promise<Verified<unknown>> {
    const member = await findTeamMember(this.deps.client, this.orgId, this.teamId(), this.userId());
    return member?.membership_type === this.membershipType ? { done: true, value: member } : { done: false };
  }

  override get evicts(): Array<[CacheKind, string]> {
    return memberEntries(this.orgId, this.teamId());
  }
}

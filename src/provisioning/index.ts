import type { OperationDeps } from './deps.js';
import { pushGroupOperation, removeGroupOperation, type GroupInput, type PushGroupInput } from './groups.js';
import { patchGroupOperation, type PatchGroupInput } from './group-patch.js';
import type { CallInfo, Runner } from './runner.js';
import type { Loaders } from '../loaders/index.js';
import { groupDrift, orgDrifts } from './drift.js';
import { deleteUserOperation } from './user-delete.js';
import {
  changeUsernameOperation,
  createUserOperation,
  setUserEnabledOperation,
  updateUserProfileOperation,
  type ChangeUsernameInput,
  type CreateUserInput,
  type UpdateUserProfileInput,
  type UserIdInput,
} from './users.js';

/** The provisioning engine: one entry per mutation (and SCIM write), each validate -> plan -> audit -> apply. */
export function createProvisioning(deps: OperationDeps, runner: Runner) {
  // The plan's reads carry the request's id, like its writes: they are that request's calls.
  const of = (call: CallInfo): OperationDeps => ({ ...deps, requestId: call.requestId, fresh: () => deps.fresh(call.requestId) });
  return {
    createUser: (input: CreateUserInput, call: CallInfo) => runner.run(createUserOperation(of(call), input), call),
    updateUserProfile: (input: UpdateUserProfileInput, call: CallInfo) => runner.run(updateUserProfileOperation(of(call), input), call),
    changeUsername: (input: ChangeUsernameInput, call: CallInfo) => runner.run(changeUsernameOperation(of(call), input), call),
    deactivateUser: (input: UserIdInput, call: CallInfo) => runner.run(setUserEnabledOperation(of(call), input, false), call),
    reactivateUser: (input: UserIdInput, call: CallInfo) => runner.run(setUserEnabledOperation(of(call), input, true), call),
    pushGroup: (input: PushGroupInput, call: CallInfo) => runner.run(pushGroupOperation(of(call), input), call),
    unlinkGroup: (input: GroupInput, call: CallInfo) => runner.run(removeGroupOperation(of(call), input, true, 'unlinkGroup'), call),
    deleteGroup: (input: GroupInput & { keepTeam?: boolean | null }, call: CallInfo) =>
      runner.run(removeGroupOperation(of(call), input, input.keepTeam ?? false, 'deleteGroup'), call),
    // SCIM's: member deltas under the group's lock, and real deletion (behind SCIM_DELETE_USERS).
    patchGroup: (input: PatchGroupInput, call: CallInfo) => runner.run(patchGroupOperation(of(call), input), call),
    deleteUser: (input: UserIdInput, call: CallInfo) => runner.run(deleteUserOperation(of(call), input), call),
    // Reads, not operations: what differs between each group's last push and its team now.
    groupDrift: (orgId: string | null | undefined, groupId: string, loaders: Loaders) => groupDrift(deps.links, loaders, orgId ?? deps.rootOrgId, groupId),
    drifts: (orgId: string | null | undefined, loaders: Loaders, onLinks?: (count: number) => void) => orgDrifts(deps.links, loaders, orgId ?? deps.rootOrgId, onLinks),
  };
}

export type Provisioning = ReturnType<typeof createProvisioning>;
export type { Outcome } from './runner.js';

import type { OperationDeps } from './deps.js';
import { pushGroupOperation, removeGroupOperation, type GroupInput, type PushGroupInput } from './groups.js';
import type { CallInfo, Runner } from './runner.js';
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

/** The provisioning engine: one entry per mutation, each validate -> plan -> audit -> apply. */
export function createProvisioning(deps: OperationDeps, runner: Runner) {
  return {
    createUser: (input: CreateUserInput, call: CallInfo) => runner.run(createUserOperation(deps, input), call),
    updateUserProfile: (input: UpdateUserProfileInput, call: CallInfo) => runner.run(updateUserProfileOperation(deps, input), call),
    changeUsername: (input: ChangeUsernameInput, call: CallInfo) => runner.run(changeUsernameOperation(deps, input), call),
    deactivateUser: (input: UserIdInput, call: CallInfo) => runner.run(setUserEnabledOperation(deps, input, false), call),
    reactivateUser: (input: UserIdInput, call: CallInfo) => runner.run(setUserEnabledOperation(deps, input, true), call),
    pushGroup: (input: PushGroupInput, call: CallInfo) => runner.run(pushGroupOperation(deps, input), call),
    unlinkGroup: (input: GroupInput, call: CallInfo) => runner.run(removeGroupOperation(deps, input, true, 'unlinkGroup'), call),
    deleteGroup: (input: GroupInput & { keepTeam?: boolean | null }, call: CallInfo) => runner.run(removeGroupOperation(deps, input, input.keepTeam ?? false, 'deleteGroup'), call),
  };
}

export type Provisioning = ReturnType<typeof createProvisioning>;
export type { Outcome } from './runner.js';

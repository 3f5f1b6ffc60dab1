import { getUser } from '../anypoint/accounts.js';
import { deleteUser } from '../anypoint/accounts-writes.js';
import { findUser, userEntries, type OperationDeps } from './deps.js';
import { settled, runOptions } from './plans.js';
import type { Operation } from './runner.js';
import { step } from './steps.js';
import { userError } from './user-errors.js';
import { mayBeAnId, quote } from './validate.js';
import type { UserIdInput } from './users.js';

/**
 * Deletes the Anypoint user. Only SCIM calls it, and only when SCIM_DELETE_USERS=delete: the
 * username can then never be used again, which is why deactivation is the default.
 */
export function deleteUserOperation(deps: OperationDeps, input: UserIdInput): Operation<{ deletedUserId: string | null }> {
  const orgId = input.organizationId ?? deps.rootOrgId;
  const summary = (r: { deletedUserId: string | null } | null) => r;
  return {
    action: 'deleteUser',
    input: { ...input },
    target: `user:${input.id}`,
    ...runOptions(input),
    async plan() {
      const user = mayBeAnId(input.id) ? await findUser(deps.fresh(), input.id, orgId) : null;
      if (!user) return settled([userError('USER_NOT_FOUND', 'id', `User ${quote(input.id)} was not found`)], null, summary);
      const remove = step<null>({
        action: 'DELETE_USER',
        target: `user:${user.username}`,
        description: `delete user ${user.username}`,
        phase: 0,
        run: async (requestId) => {
          await deleteUser(deps.client, orgId, user.id, { requestId });
          return null;
        },
        verify: async () => {
          try {
            const now = await getUser(deps.client, orgId, user.id);
            return now.deleted ? { done: true, value: null } : { done: false };
          } catch (error) {
            if ((error as { code?: string }).code === 'NOT_FOUND') return { done: true, value: null };
            throw error;
          }
        },
        evicts: [...userEntries(user), ['members', `byUser:${orgId}`]],
      });
      return { userErrors: [], steps: [remove], preview: () => ({ deletedUserId: user.id }), finish: async () => ({ deletedUserId: user.id }), summary };
    },
  };
}

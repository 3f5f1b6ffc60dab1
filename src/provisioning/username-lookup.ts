import type { AnypointClient } from '../anypoint/client.js';

/**
 * Whether a username is taken anywhere on the platform, by anyone the connected app can see or
 * not, deleted users included: usernames are never reusable. The platform answers this in one
 * call (GET /accounts/api/username/{username}: 200 taken, 404 free; MuleSoft's Access Management
 * spec, operation getUsername). A create learns the same from its POST's 409; a dry run, which
 * must not POST, asks here, so that it refuses exactly what the real run would.
 */
export const USERNAME_ROUTE = '/accounts/api/username/{username}';

export async function isUsernameTaken(client: AnypointClient, username: string, call: { requestId?: string } = {}): Promise<boolean> {
  try {
    await client.request<unknown>({ route: USERNAME_ROUTE, params: { username }, ...call });
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === 'NOT_FOUND') return false;
    throw error;
  }
}

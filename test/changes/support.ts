import { DEMO_USER_PASSWORD } from '../../src/simulator/seed.js';
import { startProvisioningStack, type ProvisioningStack } from '../provisioning/support.js';

/**
 * A gateway over a clean organization (the empty preset) with an admin who can change things by
 * hand, straight against the simulator's REST routes with a signed-in session (as in Anypoint's
 * UI), so the platform's audit log names the admin.
 */
export interface ChangesFixture {
  stack: ProvisioningStack;
  admin: { id: string; username: string };
  /** A write straight against the platform as the admin. */
  byHand(method: string, path: string, body?: unknown): Promise<any>;
  close(): Promise<void>;
}

export async function changesFixture(env: Record<string, string> = {}): Promise<ChangesFixture> {
  const stack = await startProvisioningStack(env, 'empty');
  const { sim, store, rootOrgId } = stack;
  const owner = store.users.get(store.orgs.get(rootOrgId)!.ownerId)!;
  const login = await fetch(`${sim.url}/accounts/api/v2/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'password', client_id: sim.sim.demoApp.clientId, client_secret: sim.sim.demoApp.clientSecret, username: owner.username, password: DEMO_USER_PASSWORD }),
  });
  const session = ((await login.json()) as { access_token: string }).access_token;
  return {
    stack,
    admin: { id: owner.id, username: owner.username },
    async byHand(method, path, body) {
      const res = await sim.send(method, `/accounts/api/organizations/${rootOrgId}${path}`, session, body);
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return text ? JSON.parse(text) : null;
    },
    close: () => stack.close(),
  };
}

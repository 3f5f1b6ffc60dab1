import { describe, expect, it } from 'vitest';
import type { AnypointUser } from '../../src/anypoint/types.js';
import { USERS_ROUTE, anypointFailure, rowsOf, setFaults, useSimClient } from './support.js';

const ctx = useSimClient({ options: { retryPolicy: { maxAttempts: 4 } } });
let serial = 0;

function createUser(): { username: string; call: Promise<AnypointUser> } {
  serial += 1;
  const username = `write_retry_${serial}_${Date.now()}`;
  const call = ctx.client.request<AnypointUser>({
    method: 'POST',
    route: USERS_ROUTE,
    params: { orgId: ctx.h.sim.store.rootOrgId },
    body: { username, firstName: 'Retry', lastName: 'Test', email: `${username}@example.com`, password: 'Secret-Password-1' },
  });
  return { username, call };
}

const usersNamed = (username: string) => [...ctx.h.sim.store.users.values()].filter((u) => u.username === username && !u.deleted);

describe('retrying writes', () => {
  it('does not resend a POST whose connection was reset, and marks its outcome unknown', async () => {
    await setFaults(ctx.h, { rules: [{ kind: 'reset', probability: 1, times: 1, method: 'POST', path: '/accounts/**' }] });
    const { call } = createUser();
    const error = await anypointFailure(call);
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.outcomeUnknown).toBe(true);
    expect(error.attempts).toBe(1);
    expect(error.method).toBe('POST');
    expect(await rowsOf(ctx.h, 'POST', USERS_ROUTE)).toEqual({ reset: 1 });
  });

  it('does not resend a POST whose response was dropped after it committed', async () => {
    await setFaults(ctx.h, { rules: [{ kind: 'drop', probability: 1, times: 1, method: 'POST', path: '/accounts/**' }] });
    const { username, call } = createUser();
    const error = await anypointFailure(call);
    expect(error.outcomeUnknown).toBe(true);
    expect(await rowsOf(ctx.h, 'POST', USERS_ROUTE)).toEqual({ dropped: 1 });
    // Resending would have failed with 409 or created a twin; the one committed user is all there is.
    expect(usersNamed(username)).toHaveLength(1);
  });

  it('resends a POST refused with 503, because the platform did not act on it', async () => {
    await setFaults(ctx.h, { rules: [{ kind: '503', probability: 1, times: 1, method: 'POST', path: '/accounts/**' }] });
    const { username, call } = createUser();
    const user = await call;
    expect(user.username).toBe(username);
    expect(await rowsOf(ctx.h, 'POST', USERS_ROUTE)).toEqual({ '503': 1, '201': 1 });
    expect(usersNamed(username)).toHaveLength(1);
  });

  it('resends a POST refused with 429', async () => {
    await setFaults(ctx.h, { rules: [{ kind: '429', probability: 1, times: 1, method: 'POST', path: '/accounts/**' }] });
    const { username, call } = createUser();
    expect((await call).username).toBe(username);
    expect(await rowsOf(ctx.h, 'POST', USERS_ROUTE)).toEqual({ '429': 1, '201': 1 });
  });

  it('does not resend a POST answered with 500', async () => {
    await setFaults(ctx.h, { rules: [{ kind: '500', probability: 1, times: 1, method: 'POST', path: '/accounts/**' }] });
    const { call } = createUser();
    const error = await anypointFailure(call);
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.status).toBe(500);
    expect(error.attempts).toBe(1);
    expect(await rowsOf(ctx.h, 'POST', USERS_ROUTE)).toEqual({ '500': 1 });
  });
});

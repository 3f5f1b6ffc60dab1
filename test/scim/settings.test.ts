import { afterEach, describe, expect, it } from 'vitest';
import { GROUP_SCHEMA, oktaUser, startScimStack, type ScimStack } from './support.js';

/** SCIM_DELETE_USERS, SCIM_DELETE_GROUPS and SCIM_ORGANIZATION_ID, each changing what the endpoint does. */
let s: ScimStack | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

describe('SCIM settings', () => {
  it('SCIM_DELETE_USERS=delete deletes the Anypoint user', async () => {
    s = await startScimStack({ SCIM_DELETE_USERS: 'delete' });
    const id = (await s.scim('POST', '/Users', oktaUser('really_gone'))).body.id;
    expect((await s.scim('DELETE', `/Users/${id}`)).status).toBe(204);
    expect(s.store.liveUser(id)).toBeUndefined();
    expect((await s.scim('GET', `/Users/${id}`)).status).toBe(404);
  });

  it('SCIM_DELETE_GROUPS=unlink keeps the team and forgets the group', async () => {
    s = await startScimStack({ SCIM_DELETE_GROUPS: 'unlink' });
    const id = (await s.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Kept Team', members: [] })).body.id;
    expect((await s.scim('DELETE', `/Groups/${id}`)).status).toBe(204);
    expect(s.store.teamsOf(s.rootOrgId).map((t) => t.team_name)).toContain('Kept Team');
    expect((await s.scim('GET', `/Groups/${id}`)).status).toBe(404);
  });

  it('SCIM_ORGANIZATION_ID provisions another business group', async () => {
    const probe = await startScimStack({}, 'demo');
    const child = probe.store.orgChildIds(probe.rootOrgId)[0]!;
    await probe.close();
    s = await startScimStack({ SCIM_ORGANIZATION_ID: child }, 'demo');
    const created = await s.scim('POST', '/Users', oktaUser('in_child_org'));
    expect(created.status).toBe(201);
    expect(s.store.liveUser(created.body.id)?.organizationId).toBe(child);
    const listed = (await s.scim('GET', '/Users?count=1000')).body.Resources.map((r: { id: string }) => r.id);
    expect(listed).toContain(created.body.id);
    expect(listed).toHaveLength(s.store.usersOf(child).length);
  });

  it('a SCIM_ORGANIZATION_ID the connected app does not see stops the start', async () => {
    await expect(startScimStack({ SCIM_ORGANIZATION_ID: 'f'.repeat(36) }, 'demo')).rejects.toThrow(/SCIM_ORGANIZATION_ID/);
  });
});

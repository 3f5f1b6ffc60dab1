import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changesFixture, type ChangesFixture } from '../changes/support.js';
import { KEYS } from '../provisioning/support.js';
import { GROUP_SCHEMA, oktaUser, PATCH_OP, SCIM_JSON } from './support.js';

/**
 * An IdP's incremental import (`GET /Users?filter=meta.lastModified gt "T"`, as Entra and Okta
 * send it) is answered from the platform's audit log: users changed by hand in Anypoint are in
 * it, with a lastModified after T, and no one is listed.
 */

let f: ChangesFixture;
beforeAll(async () => {
  f = await changesFixture();
});
afterAll(() => f.close());

const AUDIT = 'POST /audit/v2/organizations/{orgId}/query';
const pause = () => new Promise((resolve) => setTimeout(resolve, 5));

async function scim(method: string, path: string, body?: unknown) {
  const res = await fetch(`${f.stack.gw.gateway.url}/scim/v2${path}`, {
    method,
    headers: { authorization: `Bearer ${KEYS.provisioner}`, ...(body === undefined ? {} : { 'content-type': SCIM_JSON }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const filtered = (filter: string) => scim('GET', `/Users?filter=${encodeURIComponent(filter)}&count=1000`);
const names = (list: { Resources: Array<{ userName: string }> }) => list.Resources.map((u) => u.userName).sort();

describe('meta.lastModified gt, from the platform log', () => {
  let since: string;
  let hand: { id: string };
  let scimPatched: { id: string };
  let scimMade: { id: string };

  beforeAll(async () => {
    await f.byHand('POST', '/users', { username: 'never_changed', firstName: 'N', lastName: 'C', email: 'n@example.test' });
    hand = await f.byHand('POST', '/users', { username: 'hand_changed', firstName: 'Old', lastName: 'Name', email: 'h@example.test' });
    const doomed = await f.byHand('POST', '/users', { username: 'hand_removed', firstName: 'D', lastName: 'R', email: 'd@example.test' });
    scimPatched = (await scim('POST', '/Users', oktaUser('scim_patched'))).body;
    await pause();
    since = new Date().toISOString();
    await pause();
    await f.byHand('PUT', `/users/${hand.id}`, { firstName: 'New' });
    await f.byHand('DELETE', `/users/${doomed.id}`);
    const patch = await scim('PATCH', `/Users/${scimPatched.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'name.givenName', value: 'Patched' }] });
    expect(patch.status).toBe(200);
    scimMade = (await scim('POST', '/Users', oktaUser('scim_made'))).body;
  });

  it('returns the users changed since T (by hand or through SCIM), each modified after T, reading only audit-log pages', async () => {
    await f.stack.resetCounts();
    const { status, body } = await filtered(`meta.lastModified gt "${since}"`);
    expect(status).toBe(200);
    // Not never_changed (untouched since T), not hand_removed (gone), not the admin.
    expect(names(body)).toEqual(['hand_changed', 'scim_made', 'scim_patched']);
    for (const user of body.Resources) expect(Date.parse(user.meta.lastModified)).toBeGreaterThan(Date.parse(since));
    const changed = body.Resources.find((u: any) => u.userName === 'hand_changed');
    expect(changed).toMatchObject({ id: hand.id, name: { givenName: 'New' } });
    expect(body.Resources.find((u: any) => u.userName === 'scim_patched')).toMatchObject({ id: scimPatched.id, name: { givenName: 'Patched' } });
    expect(body.Resources.find((u: any) => u.userName === 'scim_made').id).toBe(scimMade.id);
    // One page of entries, then the empty page that says the log is current; no users listing.
    expect((await f.stack.upstream()).byRoute).toEqual({ [AUDIT]: 2 });
    const everyone = await scim('GET', '/Users?count=1000');
    expect(everyone.body.totalResults).toBeGreaterThan(body.totalResults);
  });

  it('takes ge, and other conditions ANDed with it', async () => {
    expect(names((await filtered(`meta.lastModified ge "${since}"`)).body)).toEqual(['hand_changed', 'scim_made', 'scim_patched']);
    await f.stack.resetCounts();
    const anded = await filtered(`userName sw "scim" and meta.lastModified gt "${since}"`);
    expect(names(anded.body)).toEqual(['scim_made', 'scim_patched']);
    expect((await f.stack.upstream()).byRoute).toEqual({ [AUDIT]: 2 });
    // A time after every change: nothing.
    expect((await filtered(`meta.lastModified gt "${new Date(Date.now() + 60_000).toISOString()}"`)).body.totalResults).toBe(0);
  });

  it('includes a user whose SCIM record alone changed (an externalId)', async () => {
    const at = new Date().toISOString();
    await pause();
    const put = await scim('PATCH', `/Users/${scimPatched.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'externalId', value: 'moved-42' }] });
    expect(put.status).toBe(200);
    const { body } = await filtered(`meta.lastModified gt "${at}"`);
    expect(body.Resources.map((u: any) => [u.userName, u.externalId])).toEqual([['scim_patched', 'moved-42']]);
  });

  it('refuses a time that is not one as invalidFilter', async () => {
    const { status, body } = await filtered('meta.lastModified gt "last tuesday"');
    expect(status).toBe(400);
    expect(body.scimType).toBe('invalidFilter');
  });
});

describe('Groups: meta.lastModified gt, with the members changed by hand', () => {
  it('returns a group whose team gained a member by hand since T, modified after T, and not one left alone', async () => {
    const group = (name: string) => scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: name, members: [] });
    const touched = (await group('Touched By Hand')).body;
    expect((await group('Left Alone')).body.id).toEqual(expect.any(String));
    const member = await f.byHand('POST', '/users', { username: 'joins_by_hand', firstName: 'J', lastName: 'H', email: 'j@example.test' });
    await pause();
    const since = new Date().toISOString();
    await pause();
    const team = [...f.stack.store.teams.values()].find((t) => t.team_name === 'Touched By Hand')!;
    await f.byHand('PUT', `/teams/${team.team_id}/members/${member.id}`, { membership_type: 'member' });
    const { status, body } = await scim('GET', `/Groups?filter=${encodeURIComponent(`meta.lastModified gt "${since}"`)}&excludedAttributes=members`);
    expect(status).toBe(200);
    expect(body.Resources.map((g: any) => g.displayName)).toEqual(['Touched By Hand']);
    expect(body.Resources[0].id).toBe(touched.id);
    expect(Date.parse(body.Resources[0].meta.lastModified)).toBeGreaterThan(Date.parse(since));
  });
});

import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { getOrganization, listUsersPage } from '../../src/anypoint/accounts.js';
import { ORG_ROUTE, USERS_ROUTE, anypointFailure, rowsOf, setFaults, useSimClient } from './support.js';

const ctx = useSimClient();
let orgId: string;

beforeAll(() => {
  orgId = ctx.h.sim.store.rootOrgId;
});

describe('GET de-duplication', () => {
  it('serves ten identical concurrent GETs with one upstream call', async () => {
    await setFaults(ctx.h, { latency: { minMs: 50, maxMs: 50 } });
    const orgs = await Promise.all(Array.from({ length: 10 }, () => getOrganization(ctx.client, orgId)));
    expect(orgs.every((org) => org.id === orgId)).toBe(true);
    expect(await rowsOf(ctx.h, 'GET', ORG_ROUTE)).toEqual({ '200': 1 });
  });

  it('makes separate calls for different query strings', async () => {
    await setFaults(ctx.h, { latency: { minMs: 50, maxMs: 50 } });
    const pages = await Promise.all([
      listUsersPage(ctx.client, orgId, 0, 5),
      listUsersPage(ctx.client, orgId, 5, 5),
      listUsersPage(ctx.client, orgId, 0, 5),
      listUsersPage(ctx.client, orgId, 0, 6),
    ]);
    expect(pages[0]!.data.map((u) => u.id)).toEqual(pages[2]!.data.map((u) => u.id));
    expect(pages[1]!.data[0]!.id).not.toBe(pages[0]!.data[0]!.id);
    expect(pages[3]!.data).toHaveLength(6);
    expect(await rowsOf(ctx.h, 'GET', USERS_ROUTE)).toEqual({ '200': 3 });
  });

  it('does not share a GET once it has completed', async () => {
    await getOrganization(ctx.client, orgId);
    await getOrganization(ctx.client, orgId);
    expect(await rowsOf(ctx.h, 'GET', ORG_ROUTE)).toEqual({ '200': 2 });
  });

  it('does not share GETs between different organizations', async () => {
    const other = [...ctx.h.sim.store.orgs.keys()].find((id) => id !== orgId)!;
    const [a, b] = await Promise.all([getOrganization(ctx.client, orgId), getOrganization(ctx.client, other)]);
    expect(a.id).toBe(orgId);
    expect(b.id).toBe(other);
    expect(await rowsOf(ctx.h, 'GET', ORG_ROUTE)).toEqual({ '200': 2 });
  });

  it('lets one caller abort without aborting the other caller it shares the call with', async () => {
    await setFaults(ctx.h, { latency: { minMs: 300, maxMs: 300 } });
    const first = new AbortController();
    const second = new AbortController();
    const aborted = getOrganization(ctx.client, orgId, { signal: first.signal });
    const kept = getOrganization(ctx.client, orgId, { signal: second.signal });
    await sleep(50);
    first.abort();
    expect((await anypointFailure(aborted)).code).toBe('ABORTED');
    expect((await kept).id).toBe(orgId);
    expect(await rowsOf(ctx.h, 'GET', ORG_ROUTE)).toEqual({ '200': 1 });
  });

  it('lets a caller without a signal finish when the caller with one aborts', async () => {
    await setFaults(ctx.h, { latency: { minMs: 300, maxMs: 300 } });
    const controller = new AbortController();
    const aborted = getOrganization(ctx.client, orgId, { signal: controller.signal });
    const kept = getOrganization(ctx.client, orgId);
    await sleep(50);
    controller.abort();
    expect((await anypointFailure(aborted)).code).toBe('ABORTED');
    expect((await kept).id).toBe(orgId);
    expect(await rowsOf(ctx.h, 'GET', ORG_ROUTE)).toEqual({ '200': 1 });
  });

  it('does not hand a later caller the result of a call every earlier caller abandoned', async () => {
    await setFaults(ctx.h, { latency: { minMs: 300, maxMs: 300 } });
    const controller = new AbortController();
    const abandoned = getOrganization(ctx.client, orgId, { signal: controller.signal });
    await sleep(50);
    controller.abort();
    expect((await anypointFailure(abandoned)).code).toBe('ABORTED');
    // Same GET, asked after the only waiter aborted: it must get its own call, not the dead one.
    const later = await getOrganization(ctx.client, orgId);
    expect(later.id).toBe(orgId);
  });

  it('starts no upstream call for a caller whose signal was already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await anypointFailure(getOrganization(ctx.client, orgId, { signal: controller.signal }))).code).toBe('ABORTED');
    await sleep(50);
    expect(await rowsOf(ctx.h, 'GET', ORG_ROUTE)).toEqual({});
  });
});

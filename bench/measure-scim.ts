import type { PassContext } from './context.js';
import { cpuMs, waitIdle } from './proc-stats.js';
import { expectStatus, scim } from './scim-http.js';
import { addMembers, IDP_CONCURRENCY, IMPORT_PAGE, lookupPath, newGroup, oktaUser, PATCH_BATCH } from './scim-scenarios.js';
import { median } from './stats.js';

/**
 * The SCIM scenarios' requests, sent as an identity provider sends them, with the simulator's
 * counters and both processes' CPU read around each scenario. Every answer is checked (a lookup
 * must find nobody, a create must be a 201 with the userName sent, a PATCH a 204, an import must
 * see every user once): a scenario that answers wrongly fails the round instead of measuring it.
 */

export interface ScimRun {
  wallMs: number;
  calls: number;
  writes: number;
  failed: number;
  byRoute: Record<string, number>;
  /** The simulator's own time on the run's calls, summed (bench/sim-control.ts). */
  serviceMs: number;
  cpuMs: number | null;
  simulatorCpuMs: number | null;
  /** Median time of one IdP request, by kind. */
  requestMs: Record<string, number>;
}

export interface SyncedUser {
  id: string;
  userName: string;
}

/** Runs `work` between a reset and a read of the simulator's counters, timed, with CPU before and after. */
async function counted<T>(ctx: PassContext, work: () => Promise<T>): Promise<{ value: T; run: Omit<ScimRun, 'requestMs'> }> {
  await waitIdle(ctx.gatewayPid);
  await ctx.sim.reset();
  const cpuBefore = cpuMs(ctx.gatewayPid);
  const simBefore = cpuMs(ctx.simulatorPid);
  const started = performance.now();
  const value = await work();
  const wallMs = performance.now() - started;
  const cpuAfter = cpuMs(ctx.gatewayPid);
  const simAfter = cpuMs(ctx.simulatorPid);
  const counts = await ctx.sim.counts();
  return {
    value,
    run: {
      wallMs,
      calls: counts.total,
      writes: counts.writes,
      failed: counts.failed,
      byRoute: counts.byRoute,
      serviceMs: counts.serviceMs,
      cpuMs: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore,
      simulatorCpuMs: simBefore === null || simAfter === null ? null : simAfter - simBefore,
    },
  };
}

/** At most `concurrency` of `n` jobs at a time, each taken by the next free worker; stops at the first failure. */
async function pool(n: number, concurrency: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown = null;
  const worker = async () => {
    for (let i = next++; i < n && failure === null; i = next++) {
      try {
        await job(i);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  if (failure !== null) throw failure;
}

/**
 * An IdP's first sync: for each username a lookup (must be empty), then the create, IDP_CONCURRENCY
 * users at a time. `created` receives every user created, even when a later one fails, so the
 * caller knows how many users the org gained.
 */
export async function measureSync(ctx: PassContext, base: string, names: string[], created: SyncedUser[] = []): Promise<ScimRun & { users: SyncedUser[] }> {
  const lookups: number[] = [];
  const creates: number[] = [];
  const users: SyncedUser[] = new Array(names.length);
  const { run } = await counted(ctx, () =>
    pool(names.length, IDP_CONCURRENCY, async (i) => {
      const userName = names[i]!;
      const found = await scim(base, ctx.provisionerKey, 'GET', lookupPath(userName));
      lookups.push(found.ms);
      if (expectStatus(`lookup of ${userName}`, found, 200).totalResults !== 0) throw new Error(`the lookup of the new user ${userName} found ${found.body.totalResults} users`);
      const answer = await scim(base, ctx.provisionerKey, 'POST', '/Users', oktaUser(userName));
      creates.push(answer.ms);
      const body = expectStatus(`POST /Users ${userName}`, answer, 201);
      if (body.userName !== userName || typeof body.id !== 'string') throw new Error(`POST /Users ${userName} answered userName ${body.userName}, id ${body.id}`);
      users[i] = { id: body.id, userName };
      created.push(users[i]!);
    }),
  );
  return { ...run, requestMs: { lookup: median(lookups), create: median(creates) }, users };
}

/**
 * The IdP's import: pages of IMPORT_PAGE from startIndex 1 until past totalResults. Every user
 * must come once, and the total must be the org's (`expectedTotal`).
 */
export async function measureImport(ctx: PassContext, base: string, expectedTotal: number): Promise<ScimRun & { pages: number; totalResults: number }> {
  const pageMs: number[] = [];
  const { value, run } = await counted(ctx, async () => {
    const seen = new Set<string>();
    let total = Number.POSITIVE_INFINITY;
    let pages = 0;
    for (let start = 1; start <= total; start += IMPORT_PAGE) {
      const answer = await scim(base, ctx.provisionerKey, 'GET', `/Users?startIndex=${start}&count=${IMPORT_PAGE}`);
      pageMs.push(answer.ms);
      const body = expectStatus(`GET /Users?startIndex=${start}`, answer, 200);
      if (pages > 0 && body.totalResults !== total) throw new Error(`totalResults changed from ${total} to ${body.totalResults} during the import`);
      total = body.totalResults;
      pages += 1;
      const expected = Math.min(IMPORT_PAGE, Math.max(0, total - start + 1));
      if (body.Resources.length !== expected) throw new Error(`page at startIndex ${start} has ${body.Resources.length} users instead of ${expected}`);
      for (const r of body.Resources) seen.add(r.id);
    }
    if (seen.size !== total) throw new Error(`the import saw ${seen.size} distinct users of ${total}`);
    return { pages, totalResults: total };
  });
  if (value.totalResults !== expectedTotal) throw new Error(`the import found ${value.totalResults} users instead of the org's ${expectedTotal}`);
  if (run.calls === 0) throw new Error('the import made no upstream call: the cache was not cold at its start');
  return { ...run, requestMs: { page: median(pageMs), 'first page': pageMs[0]! }, ...value };
}

/**
 * A group push: `POST /Groups` with no members, then the members in sequential PATCHes of
 * PATCH_BATCH. After the counted part, the group is read back and must have every member.
 */
export async function measureGroupPush(ctx: PassContext, base: string, displayName: string, members: SyncedUser[]): Promise<ScimRun & { groupId: string }> {
  const patchMs: number[] = [];
  let createMs = 0;
  const { value: groupId, run } = await counted(ctx, async () => {
    const answer = await scim(base, ctx.provisionerKey, 'POST', '/Groups', newGroup(displayName));
    createMs = answer.ms;
    const id = expectStatus(`POST /Groups ${displayName}`, answer, 201).id as string;
    for (let from = 0; from < members.length; from += PATCH_BATCH) {
      const patched = await scim(base, ctx.provisionerKey, 'PATCH', `/Groups/${encodeURIComponent(id)}`, addMembers(members.slice(from, from + PATCH_BATCH)));
      patchMs.push(patched.ms);
      expectStatus(`PATCH /Groups/${id} (members ${from + 1}-${Math.min(members.length, from + PATCH_BATCH)})`, patched, 204);
    }
    return id;
  });
  // Not counted: the check that every member is there.
  const group = expectStatus(`GET /Groups/${groupId}`, await scim(base, ctx.provisionerKey, 'GET', `/Groups/${encodeURIComponent(groupId)}`), 200);
  const present = new Set((group.members ?? []).map((m: { value: string }) => m.value));
  const missing = members.filter((m) => !present.has(m.id)).length;
  if (missing || present.size !== members.length) throw new Error(`group ${displayName} has ${present.size} members after the push, ${missing} of the ${members.length} pushed missing`);
  return { ...run, requestMs: { create: createMs, patch: median(patchMs) }, groupId };
}

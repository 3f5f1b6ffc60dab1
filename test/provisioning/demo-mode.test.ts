import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config/config.js';
import { startGateway, type Gateway, type GatewayLogger } from '../../src/server/gateway.js';
import { API_KEYS, KEYS, uniqueName } from './support.js';

/**
 * Demo mode (no Anypoint credentials): the embedded simulator starts afresh, with the same seed,
 * on every run, so it hands out the same ids again. The audit trail and the group links must then
 * be of the run too, or a restart would show records and links naming users and teams of the
 * previous simulator under ids that now belong to others. Set explicitly, their paths are kept.
 */

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface DemoRun {
  gateway: Gateway;
  /** Fields of the start log's "demo mode" line, when there was one. */
  demoLine: Record<string, unknown> | undefined;
  gql(query: string, variables: Record<string, unknown>, key: keyof typeof KEYS): Promise<any>;
}

async function startDemo(env: Record<string, string> = {}): Promise<DemoRun> {
  let demoLine: Record<string, unknown> | undefined;
  const logger: GatewayLogger = {
    debug: () => undefined,
    info: (message, fields) => {
      if (message.startsWith('demo mode')) demoLine = fields ?? {};
    },
    warn: () => undefined,
    error: () => undefined,
  };
  // Exactly the environment given: no ANYPOINT_* credentials, so this is demo mode.
  const gateway = await startGateway(readConfig({ PORT: '0', API_KEYS, ...env }), { logger });
  expect(gateway.simulator, 'the embedded simulator runs').toBeTruthy();
  return {
    gateway,
    demoLine,
    async gql(query, variables, key) {
      const res = await fetch(gateway.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEYS[key] }, body: JSON.stringify({ query, variables }) });
      const body = (await res.json()) as { data?: any; errors?: unknown };
      expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
      return body.data;
    },
  };
}

const PUSH = 'mutation($input: PushGroupInput!) { pushGroup(input: $input) { userErrors { code } plan { action status } team { id } } }';
const EVENTS = 'query($filter: AuditEventFilter) { auditEvents(filter: $filter, first: 100) { nodes { action target status } } }';

const pushOnce = (run: DemoRun, groupId: string) => run.gql(PUSH, { input: { groupId, displayName: `Demo ${groupId}`, members: [] } }, 'provisioner');
const eventsOf = async (run: DemoRun, groupId: string) => (await run.gql(EVENTS, { filter: { action: 'pushGroup' } }, 'auditor')).auditEvents.nodes.filter((n: any) => n.target.endsWith(`/${groupId}`));

describe('demo mode', () => {
  it('keeps the audit trail and group links of one run only: a restart starts with neither, and the run directory is gone at stop', async () => {
    const groupId = uniqueName('demo_group');
    const first = await startDemo();
    let auditPath: string;
    try {
      expect(first.demoLine).toMatchObject({ auditPath: expect.any(String), groupLinksPath: expect.any(String) });
      auditPath = first.demoLine!.auditPath as string;
      expect(auditPath.startsWith(tmpdir())).toBe(true);
      expect((await pushOnce(first, groupId)).pushGroup.plan.map((w: any) => w.action)).toEqual(['CREATE_TEAM', 'LINK_GROUP']);
      expect(await eventsOf(first, groupId)).toHaveLength(2);
      expect(readFileSync(auditPath, 'utf8')).toContain(groupId);
      expect(existsSync(first.demoLine!.groupLinksPath as string)).toBe(true);
    } finally {
      await first.gateway.close();
    }
    expect(existsSync(auditPath)).toBe(false);

    const second = await startDemo();
    try {
      expect(second.demoLine!.auditPath).not.toBe(auditPath);
      // Nothing of the first run: no records, and no link to a team of the previous simulator.
      expect(await eventsOf(second, groupId)).toEqual([]);
      const again = (await pushOnce(second, groupId)).pushGroup;
      expect(again.userErrors).toEqual([]);
      expect(again.plan.map((w: any) => w.action)).toEqual(['CREATE_TEAM', 'LINK_GROUP']);
    } finally {
      await second.gateway.close();
    }
  });

  it('keeps them across runs where AUDIT_LOG_PATH, GROUP_LINKS_PATH and SCIM_RECORDS_PATH are set explicitly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anypoint-graph-demo-explicit-'));
    dirs.push(dir);
    const env = { AUDIT_LOG_PATH: join(dir, 'audit.jsonl'), GROUP_LINKS_PATH: join(dir, 'links.json'), SCIM_RECORDS_PATH: join(dir, 'scim-records.jsonl') };
    const groupId = uniqueName('demo_kept');

    const first = await startDemo(env);
    try {
      expect(first.demoLine).toBeUndefined();
      await pushOnce(first, groupId);
    } finally {
      await first.gateway.close();
    }
    expect(JSON.parse(readFileSync(env.GROUP_LINKS_PATH, 'utf8')).links).toEqual([expect.objectContaining({ groupId })]);

    const second = await startDemo(env);
    try {
      expect((await eventsOf(second, groupId)).map((e: any) => e.status)).toEqual([null, 'SUCCEEDED']);
    } finally {
      await second.gateway.close();
    }
  });
});

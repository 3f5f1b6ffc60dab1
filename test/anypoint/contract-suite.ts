import { describe, expect, it } from 'vitest';
import type { AnypointClient } from '../../src/anypoint/client.js';
import {
  getHierarchy,
  getMe,
  getOrganization,
  listAllTeamMembers,
  listAllTeams,
  findUserByUsername,
  listEnvironments,
  listUsersPage,
  searchUsers,
} from '../../src/anypoint/accounts.js';
import { listAllApiInstances, listApiContractsPage, listApiPolicies, listApiTiersPage } from '../../src/anypoint/api-manager.js';
import { searchAssetsOfOrganizations } from '../../src/anypoint/exchange.js';

/**
 * The client's contract, defined once: read-only calls and the shapes the gateway relies on.
 * Registered against the simulator always and against a real control plane on request
 * (contract.test.ts). Never add a write here: the live run points at a real organization.
 */
export interface ContractTarget {
  client: AnypointClient;
  rootOrgId: string;
}

export function defineClientContract(target: () => ContractTarget): void {
  describe('identity', () => {
    it('reads /me as the connected app, naming the organization it belongs to', async () => {
      const { client, rootOrgId } = target();
      const me = await getMe(client);
      const orgOfCaller = me.client?.org_id ?? me.user?.organizationId;
      expect(orgOfCaller).toEqual(expect.any(String));
      if (me.client) expect(me.client.client_id).toEqual(expect.any(String));
      expect(rootOrgId).toEqual(expect.any(String));
    });
  });

  describe('organizations', () => {
    it('reads the root organization by id', async () => {
      const { client, rootOrgId } = target();
      const org = await getOrganization(client, rootOrgId);
      expect(org.id).toBe(rootOrgId);
      expect(org.name).toEqual(expect.any(String));
    });

    it('reads the hierarchy as a tree rooted at the organization', async () => {
      const { client, rootOrgId } = target();
      const tree = await getHierarchy(client, rootOrgId);
      expect(tree.id).toBe(rootOrgId);
      expect(Array.isArray(tree.subOrganizations)).toBe(true);
      const visit = (node: typeof tree): void => {
        expect(node.id).toEqual(expect.any(String));
        expect(node.name).toEqual(expect.any(String));
        expect(Array.isArray(node.subOrganizations)).toBe(true);
        node.subOrganizations.forEach(visit);
      };
      visit(tree);
    });

    it('lists environments of the organization as an array with ids, names and types', async () => {
      const { client, rootOrgId } = target();
      const envs = await listEnvironments(client, rootOrgId);
      expect(Array.isArray(envs)).toBe(true);
      for (const env of envs) {
        expect(env).toMatchObject({ id: expect.any(String), name: expect.any(String), organizationId: rootOrgId, isProduction: expect.any(Boolean), type: expect.any(String) });
      }
    });
  });

  describe('users', () => {
    it('reads one page of users in the {data, total} envelope, no longer than asked for', async () => {
      const { client, rootOrgId } = target();
      const page = await listUsersPage(client, rootOrgId, 0, 3);
      expect(page.total).toEqual(expect.any(Number));
      expect(Array.isArray(page.data)).toBe(true);
      expect(page.data.length).toBeLessThanOrEqual(3);
      expect(page.data.length).toBe(Math.min(3, page.total));
      for (const user of page.data) {
        expect(user).toMatchObject({ id: expect.any(String), username: expect.any(String), enabled: expect.any(Boolean) });
      }
    });

    it('searches users by a listed username: finds that user, and every match holds the text in one of the four fields', async () => {
      const { client, rootOrgId } = target();
      const [listed] = (await listUsersPage(client, rootOrgId, 0, 1)).data;
      expect(listed, 'the organization has at least its owner').toBeDefined();
      const matches = await searchUsers(client, rootOrgId, listed!.username);
      expect(matches.map((u) => u.id)).toContain(listed!.id);
      const text = listed!.username.toLowerCase();
      for (const user of matches) {
        const fields = [user.username, user.firstName, user.lastName, user.email];
        expect(fields.some((field) => field.toLowerCase().includes(text)), user.username).toBe(true);
      }
      expect((await findUserByUsername(client, rootOrgId, listed!.username))?.id).toBe(listed!.id);
    });
  });

  describe('teams', () => {
    it('lists the teams of the organization, with exactly one root team', async () => {
      const { client, rootOrgId } = target();
      const teams = await listAllTeams(client, rootOrgId);
      expect(teams.length).toBeGreaterThan(0);
      for (const team of teams) {
        expect(team).toMatchObject({ team_id: expect.any(String), team_name: expect.any(String), org_id: rootOrgId });
        expect(Array.isArray(team.ancestor_team_ids)).toBe(true);
      }
      expect(teams.filter((t) => t.ancestor_team_ids.length === 0)).toHaveLength(1);
    });

    it('lists the members of the root team with their membership type', async () => {
      const { client, rootOrgId } = target();
      const teams = await listAllTeams(client, rootOrgId);
      const root = teams.find((t) => t.ancestor_team_ids.length === 0)!;
      const members = await listAllTeamMembers(client, rootOrgId, root.team_id);
      for (const member of members) {
        expect(member.id).toEqual(expect.any(String));
        expect(['member', 'maintainer']).toContain(member.membership_type);
      }
    });
  });

  describe('API Manager', () => {
    it('lists the API instances of each environment as a flat array', async () => {
      const { client, rootOrgId } = target();
      const envs = await listEnvironments(client, rootOrgId);
      for (const env of envs.slice(0, 3)) {
        const { apis, assetNames } = await listAllApiInstances(client, rootOrgId, env.id);
        expect(Array.isArray(apis)).toBe(true);
        expect(assetNames).toBeInstanceOf(Map);
        for (const api of apis) {
          expect(api).toMatchObject({ id: expect.any(Number), groupId: expect.any(String), assetId: expect.any(String), status: expect.any(String) });
        }
        expect(new Set(apis.map((a) => a.id)).size).toBe(apis.length);
      }
    });

    it('reads the policies of an instance as a bare array, and its contracts and SLA tiers as a {total} page no longer than asked for', async () => {
      const { client, rootOrgId } = target();
      const envs = await listEnvironments(client, rootOrgId);
      const listed = await Promise.all(envs.map(async (env) => (await listAllApiInstances(client, rootOrgId, env.id)).apis));
      const api = listed.flat()[0];
      // These routes can only be checked against an instance: a live org needs at least one.
      expect(api, 'the organization has at least one API instance').toBeDefined();
      const ref = { orgId: rootOrgId, envId: api!.environmentId, apiId: api!.id };
      const policies = await listApiPolicies(client, ref);
      expect(Array.isArray(policies)).toBe(true);
      for (const policy of policies) expect(policy).toMatchObject({ id: expect.any(Number), assetId: expect.any(String) });
      const contracts = await listApiContractsPage(client, ref, 0, 1);
      expect(contracts.total).toEqual(expect.any(Number));
      expect(contracts.contracts.length).toBe(Math.min(1, contracts.total));
      const tiers = await listApiTiersPage(client, ref, 0, 1);
      expect(tiers.total).toEqual(expect.any(Number));
      expect(tiers.tiers.length).toBe(Math.min(1, tiers.total));
      for (const tier of tiers.tiers) expect(tier).toMatchObject({ id: expect.any(Number), name: expect.any(String) });
    });
  });

  describe('Exchange', () => {
    it('searches the assets of the organization as a bare array', async () => {
      const { client, rootOrgId } = target();
      const assets = await searchAssetsOfOrganizations(client, [rootOrgId]);
      expect(Array.isArray(assets)).toBe(true);
      for (const asset of assets) {
        expect(asset).toMatchObject({ groupId: expect.any(String), assetId: expect.any(String), version: expect.any(String), name: expect.any(String), type: expect.any(String) });
      }
    });
  });
}

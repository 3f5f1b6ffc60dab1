import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isolatedSchema } from '../audit/pg-schema.js';
import { startGatewayFor, type GatewayHarness } from '../helpers/gateway.js';
import { describeWithService, postgresAvailable, redisAvailable, REDIS_URL } from '../helpers/services.js';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';
import { API_KEYS, KEYS } from '../provisioning/support.js';
import { GROUP_SCHEMA, oktaUser, patchOf } from './support.js';

/**
 * Two replicas behind one SCIM base URL, sharing Redis (cache, group locks) and PostgreSQL
 * (audit, group links, SCIM records), as an identity provider meets a scaled-out gateway: a SCIM
 * id kept by one (across a username change) is known to the other, and member PATCHes of one
 * group spread over both all land.
 */
describeWithService('SCIM on replicas sharing Redis', redisAvailable, () => {
  describeWithService('and PostgreSQL', postgresAvailable, () => {
    let h: SimHarness;
    let schema: Awaited<ReturnType<typeof isolatedSchema>>;
    let a: GatewayHarness;
    let b: GatewayHarness;

    beforeAll(async () => {
      h = await startSimHarness({ preset: 'empty' });
      schema = await isolatedSchema();
      const env = { API_KEYS, REDIS_URL, CACHE_NAMESPACE: `anypoint-graph-test-scim-${randomUUID()}`, DATABASE_URL: schema.url };
      a = await startGatewayFor(h, env);
      b = await startGatewayFor(h, env);
    });

    afterAll(async () => {
      await Promise.all([a?.close(), b?.close()]);
      await h?.close();
      await schema?.drop();
    });

    async function scim(gw: GatewayHarness, method: string, path: string, body?: unknown) {
      const res = await fetch(`${gw.gateway.url}/scim/v2${path}`, {
        method,
        headers: { authorization: `Bearer ${KEYS.provisioner}`, 'content-type': 'application/scim+json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    }

    it('a userName change on one replica keeps the SCIM id on the other', async () => {
      const created = (await scim(a, 'POST', '/Users', oktaUser('replica_old'))).body;
      const renamed = await scim(a, 'PATCH', `/Users/${created.id}`, patchOf({ op: 'replace', path: 'userName', value: 'replica_new' }));
      expect(renamed.body).toMatchObject({ id: created.id, userName: 'replica_new', externalId: '00ureplica_old' });
      const seen = await scim(b, 'GET', `/Users/${created.id}`);
      expect(seen.body).toMatchObject({ id: created.id, userName: 'replica_new' });
      const filtered = await scim(b, 'GET', `/Users?filter=${encodeURIComponent('externalId eq "00ureplica_old"')}`);
      expect(filtered.body.Resources.map((r: { id: string }) => r.id)).toEqual([created.id]);
    });

    it('member PATCHes of one group sent to both replicas all land', async () => {
      const people = [];
      for (let n = 0; n < 10; n++) people.push((await scim(a, 'POST', '/Users', oktaUser(`replica_m${n}`))).body);
      const group = (await scim(b, 'POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Replicated', members: [] })).body;
      const answers = await Promise.all(
        people.map((p, i) => scim(i % 2 ? a : b, 'PATCH', `/Groups/${group.id}`, patchOf({ op: 'replace', value: { id: group.id, displayName: 'Replicated' } }, { op: 'add', path: 'members', value: [{ value: p.id }] }))),
      );
      expect(answers.map((r) => r.status)).toEqual(people.map(() => 204));
      const read = await scim(a, 'GET', `/Groups/${group.id}`);
      expect(read.body.members.map((m: { value: string }) => m.value).sort()).toEqual(people.map((p) => p.id).sort());
    });
  });
});

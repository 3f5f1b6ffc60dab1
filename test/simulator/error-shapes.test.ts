import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';
import { apisPath, readJson, teamsPath, usersPath } from './support.js';

let h: SimHarness;
let token: string;
let rootOrgId: string;
let rootTeamId: string;

beforeAll(async () => {
  h = await startSimHarness();
  token = await h.token();
  rootOrgId = h.sim.store.rootOrgId;
  rootTeamId = h.sim.store.rootTeamOf(rootOrgId)!.team_id;
});

afterAll(async () => {
  await h?.close();
});

const VALIDATION_KEYS = ['data', 'dataPath', 'keyword', 'message', 'schema', 'type'];

/** Asserts the teams/members/team-roles/API Manager 400 body: exactly {errors:[{type,dataPath,keyword,schema,data,message}]}. */
async function expectValidationError(res: Response, dataPath?: string): Promise<void> {
  expect(res.status).toBe(400);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  const body = await readJson<Record<string, unknown>>(res);
  expect(Object.keys(body)).toEqual(['errors']);
  const errors = body.errors as Array<Record<string, unknown>>;
  expect(errors.length).toBeGreaterThan(0);
  for (const error of errors) {
    expect(Object.keys(error).sort()).toEqual(VALIDATION_KEYS);
    expect(typeof error.message).toBe('string');
    expect(typeof error.dataPath).toBe('string');
    expect(typeof error.keyword).toBe('string');
  }
  if (dataPath !== undefined) expect(errors[0]!.dataPath).toBe(dataPath);
}

/** Asserts exactly {status, message} with the response's own status. */
async function expectStatusError(res: Response, status: number): Promise<Record<string, unknown>> {
  expect(res.status).toBe(status);
  const body = await readJson<Record<string, unknown>>(res);
  expect(Object.keys(body).sort()).toEqual(['message', 'status']);
  expect(body.status).toBe(status);
  expect(typeof body.message).toBe('string');
  return body;
}

function rawSend(method: string, path: string, body: string, contentType = 'application/json'): Promise<Response> {
  return fetch(`${h.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, body });
}

describe('Access Management error shapes', () => {
  it('answers a bad user create with {status, message}', async () => {
    await expectStatusError(await h.send('POST', usersPath(rootOrgId), token, { username: 'no_names_given' }), 400);
  });

  it('answers a bad environment create with {status, message}', async () => {
    await expectStatusError(await h.send('POST', `/accounts/api/organizations/${rootOrgId}/environments`, token, { name: 'X', type: 'moon' }), 400);
  });

  it('answers a bad team create with the validation errors[] shape', async () => {
    await expectValidationError(await h.send('POST', teamsPath(rootOrgId), token, { parent_team_id: rootTeamId }), '.team_name');
    await expectValidationError(
      await h.send('POST', teamsPath(rootOrgId), token, { team_name: 'Typed', parent_team_id: rootTeamId, team_type: 'galactic' }),
      '.team_type',
    );
  });

  it('answers a bad member update with the validation errors[] shape', async () => {
    const userId = h.sim.store.usersOf(rootOrgId)[2]!.id;
    await expectValidationError(
      await h.send('PUT', `${teamsPath(rootOrgId)}/${rootTeamId}/members/${userId}`, token, { membership_type: 'owner' }),
      '.membership_type',
    );
  });

  it('answers a bad team role assignment with the validation errors[] shape', async () => {
    const path = `${teamsPath(rootOrgId)}/${rootTeamId}/roles`;
    await expectValidationError(await h.send('POST', path, token, { role_id: 'not-an-array' }), '');
    await expectValidationError(await h.send('POST', path, token, [{ role_id: 'no-such-role', context_params: { org: rootOrgId } }]), '[0].role_id');
  });

  it('answers 404 with {status, message} on accounts, teams included', async () => {
    await expectStatusError(await h.get('/accounts/api/organizations/00000000-0000-4000-8000-000000000000', token), 404);
    await expectStatusError(await h.get(`${usersPath(rootOrgId)}/00000000-0000-4000-8000-000000000000`, token), 404);
    await expectStatusError(await h.get(`${teamsPath(rootOrgId)}/00000000-0000-4000-8000-000000000000`, token), 404);
  });
});

describe('API Manager error shapes', () => {
  const env = () => [...h.sim.store.environments.values()].find((e) => e.organizationId === rootOrgId)!;

  it('answers an unknown API instance with exactly {name, message}', async () => {
    const res = await h.get(`${apisPath(rootOrgId, env().id)}/1`, token);
    expect(res.status).toBe(404);
    const body = await readJson<Record<string, unknown>>(res);
    expect(Object.keys(body).sort()).toEqual(['message', 'name']);
    expect(typeof body.name).toBe('string');
    expect(typeof body.message).toBe('string');
  });

  it('answers an unknown environment with {name, message} too', async () => {
    const res = await h.get(apisPath(rootOrgId, '00000000-0000-4000-8000-000000000000'), token);
    expect(res.status).toBe(404);
    expect(Object.keys(await readJson<object>(res)).sort()).toEqual(['message', 'name']);
  });

  it('answers a bad list parameter with the validation errors[] shape', async () => {
    await expectValidationError(await h.get(`${apisPath(rootOrgId, env().id)}?ascending=maybe`, token), '.ascending');
  });
});

describe('Exchange error shapes', () => {
  it('answers a bad parameter with {status, message} and an unknown asset with a 404 {status, message}', async () => {
    await expectStatusError(await h.get('/exchange/api/v2/assets?offset=-1', token), 400);
    await expectStatusError(await h.get(`/exchange/api/v2/assets/${rootOrgId}/no-such-asset/1.0.0`, token), 404);
  });
});

describe('authentication and routing errors', () => {
  it('answers a missing or unknown token with {status: 401, message}', async () => {
    const none = await fetch(`${h.url}${usersPath(rootOrgId)}`);
    expect(await expectStatusError(none, 401)).toEqual({ status: 401, message: 'Unauthorized' });
    await expectStatusError(await h.get(usersPath(rootOrgId), 'not-a-token'), 401);
    await expectStatusError(await h.get(`${apisPath(rootOrgId, 'x')}`, 'not-a-token'), 401);
  });

  it('answers a token without the needed scope with {status: 403, message}', async () => {
    const limited = await h.token(h.sim.limitedApp.clientId, h.sim.limitedApp.clientSecret);
    expect(await expectStatusError(await h.get(usersPath(rootOrgId), limited), 403)).toEqual({ status: 403, message: 'Forbidden' });
  });

  it('answers an unknown path with a 404 and a wrong method on a known path with a 405', async () => {
    await expectStatusError(await h.get('/accounts/api/nothing-here', token), 404);
    await expectStatusError(await h.send('DELETE', `/accounts/api/organizations/${rootOrgId}`, token), 405);
    await expectStatusError(await h.send('PATCH', usersPath(rootOrgId), token, {}), 405);
    await expectStatusError(await h.send('POST', '/exchange/api/v2/assets', token, {}), 405);
  });

  it('answers a malformed percent-encoding in a path id with a 404 and keeps serving', async () => {
    await expectStatusError(await h.get('/accounts/api/organizations/%E0%A4%A/users', token), 404);
    const apim = await h.get('/apimanager/api/v1/organizations/%ZZ/environments/x/apis', token);
    expect(apim.status).toBe(404);
    expect(Object.keys(await readJson<object>(apim)).sort()).toEqual(['message', 'name']);
    expect((await h.get(usersPath(rootOrgId), token)).status).toBe(200);
  });

  it('answers a request target that is not a valid URL with a 400 and keeps serving', async () => {
    // fetch cannot send such a target, so write the request by hand.
    const statusLine = await new Promise<string>((resolve, reject) => {
      const socket = connect(h.sim.port, h.sim.host, () => socket.write('GET //[ HTTP/1.1\r\nHost: sim\r\nConnection: close\r\n\r\n'));
      let data = '';
      socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
      socket.on('end', () => resolve(data.split('\r\n')[0] ?? ''));
      socket.on('error', reject);
    });
    expect(statusLine).toBe('HTTP/1.1 400 Bad Request');
    expect((await h.get(usersPath(rootOrgId), token)).status).toBe(200);
  });

  it('answers invalid JSON with a 400 in the route\'s own shape', async () => {
    const users = await rawSend('POST', usersPath(rootOrgId), '{"username": "broken",');
    expect(await expectStatusError(users, 400)).toMatchObject({ message: expect.stringContaining('JSON') });
    await expectValidationError(await rawSend('POST', teamsPath(rootOrgId), '{not json'));
    const token400 = await fetch(`${h.url}/accounts/api/v2/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"grant_type":',
    });
    await expectStatusError(token400, 400);
  });

  it('answers a JSON body that is not an object with a 400', async () => {
    await expectStatusError(await rawSend('POST', usersPath(rootOrgId), '[1, 2, 3]'), 400);
    await expectValidationError(await rawSend('POST', teamsPath(rootOrgId), '"just a string"'));
  });
});

import { generateApiKey } from '../src/server/api-keys.js';
import { canPin } from './children.js';
import { runScript, runsArg } from './script.js';
import { expectData, postGql } from './gql.js';
import { planScenarios } from './scenarios.js';
import { SimControl } from './sim-control.js';
import { PlatformView, type SimState } from './sim-state.js';
import { CLI, START_NODE_FLAGS, simulatorInfo, startGatewayProcess, startSimulator } from './stack.js';

/**
 * Why scenario 8 (entities-group) is further above its ideal than the others (bench/PROFILE.md):
 * its batch holds two independent chains, the 20 users (root listing, hierarchy, GETs) and the
 * API instance (its environment, then the instance). The ideal runs them side by side; the
 * gateway's DataLoader scheduler (src/loaders/idle-scheduler.ts) dispatches a batch only when
 * the request has no read in flight, so the instance's GET waits for the users' chain to end.
 * This times the cold batch whole and in parts, one request at a time, on the bench's own
 * processes (simulator on core 1 at 20 ms, gateway on core 0 with npm start's flags):
 *
 *   node --import tsx bench/chain-wait.ts --runs 20
 */

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(dataDir: string) {
  const runs = runsArg(20);
  const pinned = canPin(2);
  const simulator = await startSimulator('20', pinned ? 1 : null);
  const sim = new SimControl(simulator.url);
  const info = await simulatorInfo(sim.url);
  const scenario = planScenarios(new PlatformView(await sim.state<SimState>())).reads.find((s) => s.id === 'entities-group')!;
  const gateway = await startGatewayProcess({ cli: CLI, name: 'gateway', simUrl: sim.url, info, provisionerKey: generateApiKey(), dataDir, core: pinned ? 0 : null, nodeArgs: START_NODE_FLAGS });
  const reps = (scenario.variables as { r: Array<{ __typename: string }> }).r;
  const parts: Record<string, unknown[]> = {
    'whole batch': reps,
    '20 users only': reps.filter((r) => r.__typename === 'User'),
    'API instance only': reps.filter((r) => r.__typename === 'Api'),
    'all but the API instance': reps.filter((r) => r.__typename !== 'Api'),
  };
  const cold = (r: unknown[]) => postGql(gateway.url, { query: scenario.query, variables: { r } }, { 'cache-control': 'no-cache' });
  for (const r of Object.values(parts)) for (let i = 0; i < 3; i += 1) expectData('warm-up', await cold(r));
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(parts).map((k) => [k, []]));
  // Interleaved, so a slow spell of the shared machine lands on every part alike.
  for (let i = 0; i < runs; i += 1) {
    for (const [name, r] of Object.entries(parts)) {
      const from = performance.now();
      expectData(name, await cold(r));
      times[name]!.push(performance.now() - from);
    }
  }
  console.log(`| references | cold p50 (${runs} runs) |\n| --- | --- |`);
  for (const [name, xs] of Object.entries(times)) console.log(`| ${name} | ${median(xs).toFixed(0)} ms |`);
}

runScript('anypoint-graph-chain-', main);

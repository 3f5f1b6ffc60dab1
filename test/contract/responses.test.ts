import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';
import { checkResponse } from './check.js';
import { DEVIATIONS, type Deviation } from './deviations.js';
import { probeContext, type ProbeContext } from './fixtures.js';
import { successProbes } from './probes/index.js';

/** Every route the simulator serves, requested for real and checked against its spec operation. */

let h: SimHarness;
let ctx: ProbeContext;
const applied = new Set<Deviation>();

beforeAll(async () => {
  h = await startSimHarness({ preset: 'demo' });
  ctx = await probeContext(h);
});
afterAll(() => h.close());

describe('simulator responses conform to the vendored OpenAPI specs', () => {
  for (const probe of successProbes) {
    it(`${probe.route} ${probe.name} as its spec describes`, async () => {
      const res = await probe.run(ctx);
      expect(res.status, await res.clone().text()).toBe(probe.status);
      const result = await checkResponse(probe.route, res);
      result.applied.forEach((d) => applied.add(d));
      expect(result.problems).toEqual([]);
    });
  }

  it('every status and property deviation is still needed by some response', () => {
    const stale = DEVIATIONS.filter((d) => (d.kind === 'status' || d.kind === 'property') && !applied.has(d));
    expect(stale.map((d) => `${d.route}: ${d.differs}`)).toEqual([]);
  });
});

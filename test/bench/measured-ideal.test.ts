import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../bench/routes.js';
import { calls, idealMs, listing, measuredIdealMs, on, parallel, sequence, serviceTimes } from '../../bench/waves.js';

// bench/README.md, "Measured ideal": the waves' ideal with each call charged its route's measured mean.
const fixed = { minMs: 20, maxMs: 20 };
const jitter = { minMs: 20, maxMs: 150 };
const orgTree = sequence(
  on(ROUTES.hierarchy, calls('GET hierarchy', 1)),
  on(ROUTES.organization, calls('GET organization', 51)),
  on(ROUTES.apis, calls('GET API counts', 230)),
);

describe('measured ideal', () => {
  it('is the configured ideal when every route takes exactly the configured latency', () => {
    const service = serviceTimes({ [ROUTES.hierarchy]: 1, [ROUTES.organization]: 51, [ROUTES.apis]: 230 }, { [ROUTES.hierarchy]: 20, [ROUTES.organization]: 1_020, [ROUTES.apis]: 4_600 })!;
    expect(measuredIdealMs(orgTree, 16, fixed, service)).toBe(idealMs(orgTree, 16, fixed));
    const mean = serviceTimes({ x: 10 }, { x: 850 })!;
    expect(measuredIdealMs(orgTree, 16, jitter, mean)).toBeCloseTo(idealMs(orgTree, 16, jitter), 9);
  });

  it('charges each wave its routes\' means, queueing behind the cap', () => {
    const service = serviceTimes({ [ROUTES.hierarchy]: 1, [ROUTES.organization]: 51, [ROUTES.apis]: 230 }, { [ROUTES.hierarchy]: 30, [ROUTES.organization]: 51 * 22, [ROUTES.apis]: 230 * 21 })!;
    expect(measuredIdealMs(orgTree, 16, fixed, service)).toBeCloseTo(30 + 4 * 22 + 15 * 21, 9);
  });

  it('ends a wave with its slowest route, and charges a part without a measured route the overall mean', () => {
    const waves = sequence(parallel(on(ROUTES.teams, listing('GET teams', 100)), on(ROUTES.members, calls('GET members', 2))), calls('untagged', 1));
    const service = serviceTimes({ [ROUTES.teams]: 1, [ROUTES.members]: 2 }, { [ROUTES.teams]: 36, [ROUTES.members]: 42 })!;
    expect(service.overallMs).toBeCloseTo(26, 9);
    expect(measuredIdealMs(waves, 16, fixed, service)).toBeCloseTo(36 + 26, 9);
  });
});

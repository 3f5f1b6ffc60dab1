import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformRoutes } from '../../src/simulator/routes/index.js';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';
import { DEVIATIONS } from './deviations.js';
import { hasOperation } from './openapi.js';
import { errorProbes } from './probes/errors.js';
import { successProbes } from './probes/index.js';
import { SPEC_OPERATIONS, sameShape, servedPathOf, specOperation } from './spec-map.js';

/**
 * Keeps the contract suite honest as the simulator changes: every served route is requested and
 * either validated against a spec or listed in deviations.ts, and no table names a route that is
 * gone.
 */

let h: SimHarness;
let served: string[];

beforeAll(async () => {
  h = await startSimHarness({ preset: 'demo' });
  const routes = (await (await fetch(`${h.url}/__sim/routes`)).json()) as Array<{ method: string; template: string }>;
  served = routes.map((r) => `${r.method} ${r.template}`);
});
afterAll(() => h.close());

const hasDeviation = (route: string, kind: string) => DEVIATIONS.some((d) => d.route === route && d.kind === kind);

describe('contract coverage', () => {
  it('GET /__sim/routes lists exactly the platformRoutes table', () => {
    expect(served).toEqual(platformRoutes.map((r) => `${r.method} ${r.template}`));
  });

  it('every served route has a success probe that requests it', () => {
    const probed = new Set(successProbes.map((p) => p.route));
    expect(served.filter((route) => !probed.has(route))).toEqual([]);
  });

  it('every served route is validated against a spec operation or listed as a no-spec deviation, never both', () => {
    const unaccounted = served.filter((route) => !SPEC_OPERATIONS[route] && !hasDeviation(route, 'no-spec'));
    const both = served.filter((route) => SPEC_OPERATIONS[route] && hasDeviation(route, 'no-spec'));
    expect({ unaccounted, both }).toEqual({ unaccounted: [], both: [] });
  });

  it('every spec mapping points at an operation that exists in its spec file', async () => {
    const missing: string[] = [];
    for (const route of Object.keys(SPEC_OPERATIONS)) {
      const op = specOperation(route)!;
      if (!(await hasOperation(op))) missing.push(`${route} -> ${op.file} ${op.method} ${op.path}`);
    }
    expect(missing).toEqual([]);
  });

  it('every spec mapping is the spec base path plus the spec path, unless a spec-path deviation explains it', () => {
    const unexplained: string[] = [];
    const stale: string[] = [];
    for (const [route, op] of Object.entries(SPEC_OPERATIONS)) {
      const matches = sameShape(route.slice(route.indexOf(' ') + 1), servedPathOf(op));
      if (!matches && !hasDeviation(route, 'spec-path')) unexplained.push(`${route} -> ${servedPathOf(op)}`);
      if (matches && hasDeviation(route, 'spec-path')) stale.push(route);
    }
    expect({ unexplained, stale }).toEqual({ unexplained: [], stale: [] });
  });

  it('every deviation, spec mapping and probe names a route the simulator still serves', () => {
    const named = [...DEVIATIONS.map((d) => d.route), ...Object.keys(SPEC_OPERATIONS), ...successProbes.map((p) => p.route), ...errorProbes.map((p) => p.route)];
    expect([...new Set(named.filter((route) => !served.includes(route)))]).toEqual([]);
  });

  it('every deviation says what differs and cites the API.md section (or official spec) that records it', () => {
    const vague = DEVIATIONS.filter((d) => d.differs.trim().length < 10 || !/^(API\.md §\d|anypoint\/specs\/official\/[\w-]+\.yaml)/.test(d.source));
    expect(vague).toEqual([]);
  });
});

import { accessProbes, auditProbes } from './access.js';
import { accountProbes } from './accounts.js';
import { apimExchangeProbes } from './apim-exchange.js';
import type { Probe } from './probe.js';
import { teamProbes } from './teams.js';

export type { Probe } from './probe.js';

/** Every success probe: at least one per route the simulator serves (coverage.test.ts checks). */
export const successProbes: readonly Probe[] = [...accountProbes, ...teamProbes, ...accessProbes, ...auditProbes, ...apimExchangeProbes];

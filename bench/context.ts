import type { LoadGenerator } from './load.js';
import type { SimControl } from './sim-control.js';

/** What the measurements of one pass share. */
export interface PassContext {
  sim: SimControl;
  /** The gateway's /graphql URL. */
  gatewayUrl: string;
  gatewayPid: number;
  /** The same gateway with its response cache off, for EXECUTED_SCENARIOS (warm passes only). */
  executing: { url: string; pid: number } | null;
  /** The simulator's CPU time tells whether a slow cold request waited on it rather than on latency. */
  simulatorPid: number;
  /** A key with the provisioner role, for pushGroup. */
  provisionerKey: string;
  /** Null in passes that measure cold behaviour only. */
  load: LoadGenerator | null;
  connections: number[];
  warmSeconds: number;
  coldSamples: number;
  /** Fewest requests per connection in a load run (a slow scenario at 50 connections needs a floor). */
  minRequestsPerConnection: number;
  /** Requests/s last seen per target (and per "target@connections"), to size load runs. */
  expectedRps: Map<string, number>;
  log(line: string): void;
}

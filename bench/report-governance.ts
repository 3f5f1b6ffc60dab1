import type { GovernanceResult } from './governance.js';

/** GOVERNANCE.md: the exports' and the incremental import's figures against their targets. */

/** The configured latency the ideals charge per call (bench/governance.ts runs at a fixed 20 ms). */
const LATENCY_MS = 20;

export const GOVERNANCE_TARGETS = { wallRatio: 1.3, rssGrowthMb: 50, incrementalShare: 0.1 } as const;

export interface GovernanceCheck {
  target: string;
  result: string;
  met: boolean;
}

export function governanceChecks(result: GovernanceResult): GovernanceCheck[] {
  const checks: GovernanceCheck[] = [];
  for (const run of result.exports) {
    const ratio = run.wallMs / run.plan.idealMs;
    // The ideal at the simulator's measured time per call (bench/README.md, "Measured ideal").
    const measuredIdeal = run.calls && run.serviceMs ? run.plan.idealMs * (run.serviceMs / run.calls / LATENCY_MS) : run.plan.idealMs;
    const measuredRatio = run.wallMs / measuredIdeal;
    const growth = run.rssBeforeMb !== null && run.rssPeakMb !== null ? run.rssPeakMb - run.rssBeforeMb : null;
    checks.push({ target: `${run.id}: upstream calls = the minimum`, result: `${run.calls} (minimum ${run.plan.minimum}, ${run.failed} not 2xx)`, met: run.calls === run.plan.minimum && run.failed === 0 });
    checks.push({
      target: `${run.id}: wall time <= ${GOVERNANCE_TARGETS.wallRatio} x ideal at the simulator's measured time per call`,
      result: `${measuredRatio.toFixed(2)}x measured (${Math.round(run.wallMs)} ms vs ${Math.round(measuredIdeal)} ms, ${(run.serviceMs / run.calls).toFixed(1)} ms per call); ${ratio.toFixed(2)}x of the 20 ms ideal (${Math.round(run.plan.idealMs)} ms); first byte after ${Math.round(run.firstByteMs)} ms`,
      met: measuredRatio <= GOVERNANCE_TARGETS.wallRatio,
    });
    checks.push({ target: `${run.id}: RSS growth <= ${GOVERNANCE_TARGETS.rssGrowthMb} MB`, result: growth === null ? 'n/a' : `${growth.toFixed(1)} MB (${run.rssBeforeMb!.toFixed(0)} -> ${run.rssPeakMb!.toFixed(0)} MB), ${run.lines} lines, ${(run.bytes / 1_048_576).toFixed(1)} MB`, met: growth !== null && growth <= GOVERNANCE_TARGETS.rssGrowthMb });
  }
  const inc = result.incremental;
  checks.push({
    target: `incremental import (${inc.changed} users changed): calls <= ${GOVERNANCE_TARGETS.incrementalShare} x a full listing`,
    result: `${inc.calls} calls (minimum ${inc.plan.minimum}) vs ${inc.fullListingCalls} for the full listing (minimum ${inc.fullListingMinimum}): ${(inc.calls / inc.fullListingCalls).toFixed(3)}x`,
    met: inc.calls <= GOVERNANCE_TARGETS.incrementalShare * inc.fullListingCalls,
  });
  checks.push({ target: 'incremental import answers exactly the changed users', result: `${inc.answered} answered of ${inc.changed} changed`, met: inc.exact });
  return checks;
}

export function renderGovernance(result: GovernanceResult, meta: { command: string; startedAt: string; durationSeconds: number }): string {
  const checks = governanceChecks(result);
  const lines = [
    '# Governance: exports and the incremental import',
    '',
    `Command: \`${meta.command}\`, started ${meta.startedAt}, ${Math.round(meta.durationSeconds)} s. Large preset, fixed 20 ms per call, cold cache, one run each (bench/governance.ts; minimums and ideals: bench/governance-plans.ts and bench/README.md, "Governance").`,
    '',
    '| Target | Result | Status |',
    '| --- | --- | --- |',
    ...checks.map((c) => `| ${c.target} | ${c.result} | ${c.met ? 'met' : '**MISSED**'} |`),
    '',
    '## How the minimums were worked out',
    '',
    ...result.exports.map((r) => `- ${r.id} (\`GET ${r.path}\`): ${r.plan.derivation}.`),
    `- incremental import: ${result.incremental.plan.derivation}; the full listing is the tree and every business group's user pages.`,
    '',
  ];
  return lines.join('\n');
}

import type { AnypointTeam } from '../anypoint/types.js';
import type { Plan } from './runner.js';
import type { UserError } from './user-errors.js';

/** Small pieces every operation's plan uses. */

/** A plan that writes nothing: refused, or already as asked. */
export function settled<R>(userErrors: UserError[], result: R | null, summary: (r: R | null) => unknown): Plan<R> {
  return { userErrors, steps: [], preview: () => result, finish: async () => result as R, summary };
}

/** The runner options every mutation input carries. */
export const runOptions = (input: { dryRun?: boolean | null; idempotencyKey?: string | null }) => ({
  dryRun: input.dryRun ?? false,
  idempotencyKey: input.idempotencyKey ?? null,
});

/** A team's parent: the last of its ancestors (API.md §5: there is no parent field). */
export const parentOf = (team: AnypointTeam): string | null => team.ancestor_team_ids[team.ancestor_team_ids.length - 1] ?? null;

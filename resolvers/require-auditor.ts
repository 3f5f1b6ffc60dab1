import { GatewayError } from '../src/errors.js';
import type { GatewayContext } from '../src/server/context.js';

/**
 * The audit trail, access reviews, connected apps and the change feed are for the auditor role.
 * Without credentials (anonymous reads on) the answer is UNAUTHENTICATED, which tells the caller
 * what to send; with credentials that lack the role, FORBIDDEN.
 */
export function requireAuditor(ctx: GatewayContext, what: string): void {
  if (!ctx.caller || ctx.caller.kind === 'anonymous') {
    throw new GatewayError('UNAUTHENTICATED', `${what} needs credentials with the auditor role: send an API key (x-api-key header) or a bearer token`);
  }
  if (!ctx.caller.roles.has('auditor')) throw new GatewayError('FORBIDDEN', `${what} needs the auditor role`);
}

import { randomUUID } from 'node:crypto';
import { redactInput } from '../audit/redact.js';
import type { AuditLog, AuditRecord, AuditStatus } from '../audit/types.js';
import { AnypointError } from '../anypoint/errors.js';
import { GatewayError } from '../errors.js';
import type { CacheKind } from '../loaders/read-through.js';
import type { Caller } from '../server/roles.js';
import { fingerprintOf, type IdempotencyStore } from './idempotency.js';
import type { LockManager } from './locks.js';
import { applySteps, type PlannedWrite, type Step } from './steps.js';
import { RejectedWrite, userError, type UserError } from './user-errors.js';
import { checkIdempotencyKey } from './validate.js';

/**
 * Every mutation goes through here: idempotency replay, locking, validate -> plan, audit intent,
 * apply, audit outcome, cache eviction. Operations only say what to read and what to write.
 */
export interface Plan<R> {
  userErrors: UserError[];
  steps: Step[];
  /**
   * What a dry run returns, by the one rule every mutation keeps (schema/provisioning.graphql):
   * each entity that exists as it will be after the run, with its real id; an entity the run
   * would create is null (it has no id yet), and the plan's create write describes it.
   */
  preview(): R | null;
  /** The result once the steps ran. */
  finish(): Promise<R>;
  /** What the audit outcome keeps of the result (ids and counts, not whole objects). */
  summary(result: R | null): unknown;
}

export interface Operation<R> {
  action: string;
  /** The mutation's input as the caller sent it (redacted before it is audited). */
  input: Record<string, unknown>;
  target: string;
  dryRun: boolean;
  idempotencyKey: string | null;
  /** Serializes operations on the same thing (a group), across replicas when Redis is shared. */
  lockKey?: string;
  plan(): Promise<Plan<R>>;
}

export interface Outcome<R> {
  userErrors: UserError[];
  plan: PlannedWrite[];
  result: R | null;
  dryRun: boolean;
  replayed: boolean;
  auditId: string | null;
}

export interface RunnerDeps {
  audit: AuditLog;
  locks: LockManager;
  idempotency: IdempotencyStore;
  /** Forgets cache entries in the shared cache (every replica sees it). */
  evict(entries: Array<[CacheKind, string]>): Promise<void>;
  instanceId: string;
  concurrency: number;
  onAuditError?: (error: unknown) => void;
}

export interface CallInfo {
  caller: Caller;
  requestId: string;
  /**
   * The request the operation runs for when it is not a mutation's input (a SCIM method, path
   * and body): audited beside the input, redacted like it, so the trail shows what was asked.
   */
  request?: Record<string, unknown>;
}

export function createRunner(deps: RunnerDeps) {
  async function run<R>(op: Operation<R>, call: CallInfo): Promise<Outcome<R>> {
    const keyErrors = checkIdempotencyKey(op.idempotencyKey);
    if (keyErrors.length) return refuse(keyErrors, op, call);
    if (op.idempotencyKey === null || op.dryRun) return withGroupLock(op, call);

    // One key, one outcome: a second call with the key waits for the first, then replays it.
    const scope = `${call.caller.id}:${op.action}`;
    const key = op.idempotencyKey;
    return deps.locks.withLock(`idempotency:${fingerprintOf(scope)}:${fingerprintOf(key)}`, async () => {
      const { idempotencyKey: _key, ...material } = op.input;
      const fingerprint = fingerprintOf(material);
      const stored = await deps.idempotency.lookup(scope, key);
      if (stored) {
        if (stored.fingerprint !== fingerprint) return refuse([userError('IDEMPOTENCY_KEY_REUSED', 'idempotencyKey')], op, call);
        return { ...(stored.outcome as Outcome<R>), replayed: true };
      }
      const outcome = await withGroupLock(op, call);
      // Failures of the platform are not stored: a retry with the key may still succeed.
      await deps.idempotency.save(scope, key, fingerprint, outcome);
      return outcome;
    });
  }

  const withGroupLock = <R>(op: Operation<R>, call: CallInfo) => (op.lockKey ? deps.locks.withLock(op.lockKey, () => execute(op, call)) : execute(op, call));

  /** The records of one attempt: the same attemptId, actor, action, target and redacted input on each. */
  function attempt<R>(op: Operation<R>, call: CallInfo) {
    const started = performance.now();
    const attemptId = randomUUID();
    const record = (kind: AuditRecord['kind'], extra: Partial<AuditRecord>): AuditRecord => ({
      id: randomUUID(),
      attemptId,
      kind,
      at: new Date().toISOString(),
      actor: call.caller.id,
      action: op.action,
      target: op.target,
      instanceId: deps.instanceId,
      input: redactInput(call.request ? { ...op.input, request: call.request } : op.input),
      ...extra,
    });
    const finish = async (status: AuditStatus, extra: Partial<AuditRecord>) => {
      try {
        await deps.audit.append(record('outcome', { status, durationMs: Math.round(performance.now() - started), ...extra }));
      } catch (error) {
        // The writes are done (or there are none); the intent, if any, already accounts for them.
        deps.onAuditError?.(error);
      }
    };
    return { attemptId, record, finish };
  }

  /** Refused before any read: audited as REJECTED like every other refusal, nothing else happens. */
  async function refuse<R>(errors: UserError[], op: Operation<R>, call: CallInfo): Promise<Outcome<R>> {
    const { attemptId, finish } = attempt(op, call);
    await finish('REJECTED', { error: { code: errors[0]!.code, message: errors[0]!.message }, result: { userErrors: errors } });
    return outcome<R>(errors, [], null, op.dryRun, attemptId);
  }

  async function execute<R>(op: Operation<R>, call: CallInfo): Promise<Outcome<R>> {
    const { attemptId, record, finish } = attempt(op, call);

    const plan = await op.plan();
    const writes = plan.steps.map((s) => s.write);
    if (plan.userErrors.length) {
      await finish('REJECTED', { error: { code: plan.userErrors[0]!.code, message: plan.userErrors[0]!.message }, result: { userErrors: plan.userErrors } });
      return outcome<R>(plan.userErrors, writes, null, op.dryRun, attemptId);
    }
    if (op.dryRun || plan.steps.length === 0) {
      const result = op.dryRun ? plan.preview() : await plan.finish();
      await finish(op.dryRun ? 'DRY_RUN' : 'SUCCEEDED', { plan: writes, result: plan.summary(result) });
      return outcome([], writes, result, op.dryRun, attemptId);
    }

    try {
      await deps.audit.append(record('intent', { plan: writes }));
    } catch (error) {
      deps.onAuditError?.(error);
      throw new GatewayError('AUDIT_UNAVAILABLE', 'The audit trail could not be written, so nothing was changed');
    }
    let sequence = 0;
    const requestIds = () => writes.flatMap((w) => w.requestIds);
    try {
      await applySteps(plan.steps, deps.concurrency, () => `${call.requestId}.w${++sequence}`);
      const result = await plan.finish();
      await finish('SUCCEEDED', { plan: writes, upstreamRequestIds: requestIds(), result: plan.summary(result) });
      return outcome([], writes, result, false, attemptId);
    } catch (error) {
      const failure = error instanceof RejectedWrite ? error.userError : null;
      const error_ = failure ? { code: failure.code, message: failure.message } : describe(error);
      await finish(failure ? 'REJECTED' : 'FAILED', { plan: writes, upstreamRequestIds: requestIds(), error: error_ });
      if (failure) return outcome<R>([failure], writes, null, false, attemptId);
      throw error;
    } finally {
      await deps.evict(distinct(plan.steps.filter((s) => s.write.status !== 'NOT_REACHED').flatMap((s) => s.evicts)));
    }
  }

  return { run };
}

export type Runner = ReturnType<typeof createRunner>;

const outcome = <R>(userErrors: UserError[], plan: PlannedWrite[], result: R | null, dryRun: boolean, auditId: string | null): Outcome<R> => ({
  userErrors,
  plan,
  result,
  dryRun,
  replayed: false,
  auditId,
});

/**
 * Each cache entry once. The thousand member writes of a group push all make the same two
 * entries stale; evicting each of them a thousand times would cost a thousand fence tokens and
 * cache round trips (Redis, with replicas) for nothing.
 */
function distinct(entries: Array<[CacheKind, string]>): Array<[CacheKind, string]> {
  const byKey = new Map<string, [CacheKind, string]>();
  for (const entry of entries) byKey.set(`${entry[0]}:${entry[1]}`, entry);
  return [...byKey.values()];
}

function describe(error: unknown): { code: string; message: string } {
  if (error instanceof AnypointError || error instanceof GatewayError) return { code: error.code, message: error.message };
  return { code: 'INTERNAL_SERVER_ERROR', message: error instanceof Error ? error.message : String(error) };
}

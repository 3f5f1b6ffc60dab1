import { AnypointError } from '../anypoint/errors.js';
import type { CacheKind } from '../loaders/read-through.js';
import { RejectedWrite, userError } from './user-errors.js';

/**
 * A planned upstream write and how it is applied. Writes are never retried blindly: when a
 * response is lost (or the platform answers as if the change was already made), the step reads
 * back first, and only a write that did not take effect is sent again.
 */
export type WriteAction =
  | 'CREATE_USER'
  | 'UPDATE_USER'
  | 'DISABLE_USER'
  | 'ENABLE_USER'
  | 'DELETE_USER'
  | 'CREATE_TEAM'
  | 'RENAME_TEAM'
  | 'DELETE_TEAM'
  | 'ADD_MEMBER'
  | 'REMOVE_MEMBER'
  | 'LINK_GROUP'
  | 'UNLINK_GROUP';

export type WriteStatus = 'PLANNED' | 'APPLIED' | 'RECONCILED' | 'FAILED' | 'NOT_REACHED';

/** What callers and the audit trail see of a step. */
export interface PlannedWrite {
  action: WriteAction;
  target: string;
  description: string;
  status: WriteStatus;
  /** X-Request-Id of each attempt sent upstream. */
  requestIds: string[];
}

export type Verified<T> = { done: true; value: T } | { done: false };

export interface Step<T = unknown> {
  readonly write: PlannedWrite;
  /** Steps of a phase run concurrently; phases run in order. */
  readonly phase: number;
  /** Sends the write once; false for steps that change only the gateway's own state. */
  readonly upstream: boolean;
  run(requestId: string): Promise<T>;
  /** Reads back whether the write has taken effect, and its value when it has. */
  verify(): Promise<Verified<T>>;
  /** Cache entries the write makes stale. */
  readonly evicts: Array<[CacheKind, string]>;
  /** What the write (or its read-back) returned, once applied. */
  result?: T;
}

/**
 * A planned write: what callers and the audit trail see of it, and, in a subclass, how it is
 * sent and read back. One-off writes are made with step() from their functions. Writes planned
 * once per member of a group have a class of their own (AddMemberStep, RemoveMemberStep): a
 * push plans a thousand of them, and methods on a prototype cost nothing per step, where
 * step()'s closures cost three functions each, plus the defineProperty with which tsx keeps
 * each one's name: most of a 1,000-member plan's CPU.
 */
export abstract class PlannedStep<T> implements Step<T> {
  readonly write: PlannedWrite;
  result?: T;

  constructor(
    action: WriteAction,
    target: string,
    description: string,
    readonly phase: number,
    readonly upstream = true,
  ) {
    this.write = { action, target, description, status: 'PLANNED', requestIds: [] };
  }

  abstract run(requestId: string): Promise<T>;
  abstract verify(): Promise<Verified<T>>;
  abstract get evicts(): Array<[CacheKind, string]>;
}

export interface StepSpec<T> {
  action: WriteAction;
  target: string;
  description: string;
  phase: number;
  upstream?: boolean;
  run: (requestId: string) => Promise<T>;
  verify: () => Promise<Verified<T>>;
  /** A function when the entries are known only once an earlier phase ran (a new team's id). */
  evicts?: Array<[CacheKind, string]> | (() => Array<[CacheKind, string]>);
}

export function step<T>(spec: StepSpec<T>): Step<T> {
  return new SpecStep(spec);
}

class SpecStep<T> extends PlannedStep<T> {
  constructor(private readonly spec: StepSpec<T>) {
    super(spec.action, spec.target, spec.description, spec.phase, spec.upstream ?? true);
  }

  override run(requestId: string): Promise<T> {
    return this.spec.run(requestId);
  }

  override verify(): Promise<Verified<T>> {
    return this.spec.verify();
  }

  override get evicts(): Array<[CacheKind, string]> {
    const evicts = this.spec.evicts ?? [];
    return typeof evicts === 'function' ? evicts() : evicts;
  }
}

/** Rounds of read-back-then-resend before a write whose response keeps getting lost fails. */
const MAX_ROUNDS = 3;

/** A lost response, or an answer saying the change is already there (made by a lost earlier attempt). */
function mayHaveTakenEffect(error: unknown): error is AnypointError {
  return error instanceof AnypointError && (error.outcomeUnknown || error.code === 'CONFLICT' || error.code === 'NOT_FOUND');
}

export async function applyStep<T>(s: Step<T>, nextRequestId: () => string): Promise<T> {
  for (let round = 1; ; round++) {
    const requestId = s.upstream ? nextRequestId() : '';
    if (s.upstream) s.write.requestIds.push(requestId);
    try {
      s.result = await s.run(requestId);
      s.write.status = 'APPLIED';
      return s.result;
    } catch (error) {
      if (mayHaveTakenEffect(error)) {
        // A read-back that fails leaves the outcome unknown: sending the write again could duplicate it.
        const check = await s.verify().catch(() => null);
        if (check === null) {
          s.write.status = 'FAILED';
          throw error;
        }
        if (check.done) {
          s.write.status = 'RECONCILED';
          s.result = check.value;
          return check.value;
        }
        if (error.outcomeUnknown && round < MAX_ROUNDS) continue; // it did not take effect: safe to send again
      }
      s.write.status = 'FAILED';
      if (error instanceof AnypointError && error.code === 'BAD_REQUEST') {
        throw new RejectedWrite(userError('UPSTREAM_REJECTED', null, `Anypoint refused ${s.write.description}: ${error.upstreamMessage ?? 'bad request'}`));
      }
      throw error;
    }
  }
}

/** Runs the steps phase by phase, at most `concurrency` at a time; the first failure stops new ones. */
export async function applySteps(steps: Step[], concurrency: number, nextRequestId: () => string): Promise<void> {
  const phases = [...new Set(steps.map((s) => s.phase))].sort((a, b) => a - b);
  let failure: unknown = null;
  for (const phase of phases) {
    const queue = steps.filter((s) => s.phase === phase);
    const worker = async () => {
      for (let s = queue.shift(); s && failure === null; s = queue.shift()) {
        try {
          await applyStep(s, nextRequestId);
        } catch (error) {
          failure ??= error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
    if (failure !== null) break;
  }
  for (const s of steps) if (s.write.status === 'PLANNED') s.write.status = 'NOT_REACHED';
  if (failure !== null) throw failure;
}

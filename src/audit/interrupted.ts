import { randomUUID } from 'node:crypto';
import type { AuditRecord } from './types.js';

export const INTERRUPTED_MESSAGE = 'The gateway stopped between the intent and the outcome; the writes may be partly applied. Re-run the mutation to converge.';

/** The record that closes an intent whose process went away, written by `instanceId`. */
export function interruptedRecord(intent: AuditRecord, instanceId: string): AuditRecord {
  const record: AuditRecord = {
    id: randomUUID(),
    attemptId: intent.attemptId,
    kind: 'interrupted',
    at: new Date().toISOString(),
    actor: intent.actor,
    action: intent.action,
    target: intent.target,
    instanceId,
    status: 'INTERRUPTED',
    error: { code: 'INTERRUPTED', message: INTERRUPTED_MESSAGE },
  };
  if (intent.input !== undefined) record.input = intent.input;
  if (intent.plan !== undefined) record.plan = intent.plan;
  return record;
}

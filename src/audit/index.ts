import { openFileAuditLog } from './file-log.js';
import { openPostgresAuditLog } from './postgres-log.js';
import type { AuditLog } from './types.js';

export * from './types.js';
export { redactInput } from './redact.js';

export interface AuditLogOptions {
  /** The JSON Lines file, used when databaseUrl is not set. */
  path: string;
  fsync: boolean;
  /** PostgreSQL, shared by replicas; null or absent: the file. */
  databaseUrl?: string | null;
  /** This process; must differ between replicas (interrupted detection relies on it). */
  instanceId: string;
  /** PostgreSQL connection failures outside a call; the file log reports through its calls. */
  onError?: (error: unknown) => void;
}

export function openAuditLog(options: AuditLogOptions): Promise<AuditLog> {
  if (options.databaseUrl) return openPostgresAuditLog({ databaseUrl: options.databaseUrl, instanceId: options.instanceId, onError: options.onError });
  return openFileAuditLog({ path: options.path, fsync: options.fsync, instanceId: options.instanceId });
}

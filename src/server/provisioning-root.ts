import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { openAuditLog } from '../audit/index.js';
import type { AuditLog, AuditRecord } from '../audit/types.js';
import type { AnypointClient } from '../anypoint/client.js';
import type { SharedCache } from '../cache/shared-cache.js';
import type { GatewayConfig } from '../config/config.js';
import type { Loaders } from '../loaders/index.js';
import type { CacheKind } from '../loaders/read-through.js';
import { openGroupLinkStore, type GroupLinkStore } from '../provisioning/group-links.js';
import { openScimRecordStore, type ScimRecordStore } from '../scim/records.js';
import { createIdempotencyStore } from '../provisioning/idempotency.js';
import { createProvisioning, type Provisioning } from '../provisioning/index.js';
import { createLockManager, type LockManager } from '../provisioning/locks.js';
import { createRunner } from '../provisioning/runner.js';
import { openRunDirectory, type RunDirectory } from '../storage/run-directory.js';
import type { GatewayLogger } from './gateway.js';

/**
 * Opens what provisioning writes through: the audit trail, the group links, the locks and the
 * idempotency store. Reports intents a killed process left behind before serving anything.
 */
export interface ProvisioningRoot {
  provisioning: Provisioning;
  audit: AuditLog;
  /** Which team each group was pushed as (SCIM lists them as /Groups). */
  links: GroupLinkStore;
  /** SCIM ids and externalIds that Anypoint does not keep. */
  scimRecords: ScimRecordStore;
  /** The provisioning locks (across replicas with Redis), which SCIM takes per user too. */
  locks: LockManager;
  /** The audit trail's file (a per-run one in demo mode); null with PostgreSQL. */
  auditPath: string | null;
  /** Interrupted attempts found at start. */
  interrupted: AuditRecord[];
  /** This process, as its audit records name it. */
  instanceId: string;
  close(): Promise<void>;
}

export interface ProvisioningRootOptions {
  client: AnypointClient;
  /** Partitioned by upstream identity, like the read cache. */
  cache: SharedCache;
  rootOrgId: string;
  /** Loaders that read past the shared cache. */
  freshLoaders(requestId?: string): Loaders;
  evict(entries: Array<[CacheKind, string]>): Promise<void>;
  logger: GatewayLogger;
  /** Told of every failed audit write (metrics, log); logged as an error when not given. */
  onAuditError?: (error: unknown) => void;
}

/** Where the audit trail and the group links are kept. */
interface StorePaths {
  audit: string;
  groupLinks: string;
  scimRecords: string;
  /** Removed at close: the per-run directory of demo mode. */
  runDirectory: RunDirectory | null;
}

/**
 * In demo mode (no Anypoint credentials) the embedded simulator starts afresh on every run and
 * hands out the same ids again, so an audit trail or group links kept across runs would name
 * users and teams of an earlier simulator under ids that now mean other ones. Unless their
 * paths were set explicitly, both then live in a directory of this run, removed at stop.
 */
async function storePaths(config: Readonly<GatewayConfig>, logger: GatewayLogger): Promise<StorePaths> {
  const configured: StorePaths = { audit: config.audit.path, groupLinks: config.provisioning.groupLinksPath, scimRecords: config.scim.recordsPath, runDirectory: null };
  if (config.anypoint !== null) return configured;
  if (config.databaseUrl) {
    logger.warn('demo mode with DATABASE_URL: the audit trail and group links outlive this run, but the embedded simulator starts afresh, so records of earlier runs name its entities of then');
    return configured;
  }
  if (config.audit.pathSet && config.provisioning.groupLinksPathSet && config.scim.recordsPathSet) return configured;
  const runDirectory = await openRunDirectory('anypoint-graph-demo-');
  const paths: StorePaths = {
    audit: config.audit.pathSet ? config.audit.path : join(runDirectory.path, 'audit.jsonl'),
    groupLinks: config.provisioning.groupLinksPathSet ? config.provisioning.groupLinksPath : join(runDirectory.path, 'group-links.json'),
    scimRecords: config.scim.recordsPathSet ? config.scim.recordsPath : join(runDirectory.path, 'scim-records.jsonl'),
    runDirectory,
  };
  logger.info('demo mode: the audit trail, group links and SCIM records last for this run of the embedded simulator (set AUDIT_LOG_PATH, GROUP_LINKS_PATH and SCIM_RECORDS_PATH to keep them)', {
    auditPath: paths.audit,
    groupLinksPath: paths.groupLinks,
    scimRecordsPath: paths.scimRecords,
  });
  return paths;
}

export async function openProvisioningRoot(config: Readonly<GatewayConfig>, options: ProvisioningRootOptions): Promise<ProvisioningRoot> {
  const instanceId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const { logger } = options;
  const paths = await storePaths(config, logger);
  const closers: Array<() => Promise<void>> = [];
  // Registered first, so it runs last: after the stores in it are closed.
  if (paths.runDirectory) closers.push(paths.runDirectory.remove);
  try {
    const audit = await openAuditLog({ path: paths.audit, fsync: config.audit.fsync, databaseUrl: config.databaseUrl, instanceId });
    closers.push(() => audit.close());
    const links = await openGroupLinkStore({ path: paths.groupLinks, databaseUrl: config.databaseUrl });
    closers.push(() => links.close());
    const scimRecords = await openScimRecordStore({ path: paths.scimRecords, databaseUrl: config.databaseUrl });
    closers.push(() => scimRecords.close());
    const locks = createLockManager({
      redisUrl: config.cache.redisUrl,
      namespace: config.cache.namespace,
      timeoutMs: config.provisioning.lockTimeoutMs,
      onError: (operation, error) => logger.error('provisioning lock failed', { operation, error: String(error) }),
    });
    closers.push(() => locks.close());
    const interrupted = await audit.recoverInterrupted();
    for (const record of interrupted) {
      logger.warn('interrupted provisioning attempt: its writes may be partly applied; re-run the mutation to converge', {
        attemptId: record.attemptId,
        action: record.action,
        target: record.target,
        actor: record.actor,
      });
    }
    const runner = createRunner({
      audit,
      locks,
      idempotency: createIdempotencyStore(options.cache, config.provisioning.idempotencyTtlMs),
      evict: options.evict,
      instanceId,
      concurrency: config.upstream.maxConnections,
      onAuditError: options.onAuditError ?? ((error) => logger.error('audit trail write failed', { error: String(error) })),
    });
    const provisioning = createProvisioning(
      { client: options.client, rootOrgId: options.rootOrgId, fresh: options.freshLoaders, links, removalGuard: config.provisioning.removalGuard },
      runner,
    );
    return {
      provisioning,
      audit,
      links,
      scimRecords,
      locks,
      auditPath: config.databaseUrl ? null : paths.audit,
      interrupted,
      instanceId,
      close: async () => {
        for (const close of closers.reverse()) await close().catch((error: unknown) => logger.warn('provisioning store close failed', { error: String(error) }));
      },
    };
  } catch (error) {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    throw error;
  }
}

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { openAuditLog } from '../audit/index.js';
import type { AuditLog, AuditRecord } from '../audit/types.js';
import type { AnypointClient } from '../anypoint/client.js';
import type { SharedCache } from '../cache/shared-cache.js';
import type { GatewayConfig } from '../config/config.js';
import type { Loaders } from '../loaders/index.js';
import type { CacheKind } from '../loaders/read-through.js';
import { openGroupLinkStore } from '../provisioning/group-links.js';
import { createIdempotencyStore } from '../provisioning/idempotency.js';
import { createProvisioning, type Provisioning } from '../provisioning/index.js';
import { createLockManager } from '../provisioning/locks.js';
import { createRunner } from '../provisioning/runner.js';
import type { GatewayLogger } from './gateway.js';

/**
 * Opens what provisioning writes through: the audit trail, the group links, the locks and the
 * idempotency store. Reports intents a killed process left behind before serving anything.
 */
export interface ProvisioningRoot {
  provisioning: Provisioning;
  audit: AuditLog;
  /** Interrupted attempts found at start. */
  interrupted: AuditRecord[];
  close(): Promise<void>;
}

export interface ProvisioningRootOptions {
  client: AnypointClient;
  /** Partitioned by upstream identity, like the read cache. */
  cache: SharedCache;
  rootOrgId: string;
  /** Loaders that read past the shared cache. */
  freshLoaders(): Loaders;
  evict(entries: Array<[CacheKind, string]>): Promise<void>;
  logger: GatewayLogger;
  /** Told of every failed audit write (metrics, log); logged as an error when not given. */
  onAuditError?: (error: unknown) => void;
}

export async function openProvisioningRoot(config: Readonly<GatewayConfig>, options: ProvisioningRootOptions): Promise<ProvisioningRoot> {
  const instanceId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const { logger } = options;
  const audit = await openAuditLog({ path: config.audit.path, fsync: config.audit.fsync, databaseUrl: config.databaseUrl, instanceId });
  const closers: Array<() => Promise<void>> = [() => audit.close()];
  try {
    const links = await openGroupLinkStore({ path: config.provisioning.groupLinksPath, databaseUrl: config.databaseUrl });
    closers.push(() => links.close());
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
      { client: options.client, rootOrgId: options.rootOrgId, fresh: options.freshLoaders, links },
      runner,
    );
    return {
      provisioning,
      audit,
      interrupted,
      close: async () => {
        for (const close of closers.reverse()) await close().catch((error: unknown) => logger.warn('provisioning store close failed', { error: String(error) }));
      },
    };
  } catch (error) {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    throw error;
  }
}

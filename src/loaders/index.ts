import type { AnypointClient } from '../anypoint/client.js';
import type { SharedCache } from '../cache/shared-cache.js';
import { createAccessLoaders, type AccessLoaders } from './access.js';
import { createApiLoaders } from './apis.js';
import type { LoaderDeps } from './deps.js';
import { createOrganizationLoaders, type OrganizationLoaders } from './organizations.js';
import { IdleScheduler } from './idle-scheduler.js';
import { ReadThrough, type CacheKind, type CacheTtls } from './read-through.js';
import { createTeamLoaders } from './teams.js';
import { createUserLoaders } from './users.js';
import { DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits } from './zip-entry.js';

export interface LoaderOptions {
  client: AnypointClient;
  /** Already partitioned by upstream identity. */
  cache: SharedCache;
  ttls: CacheTtls;
  rootOrgId: string;
  singleGetLimit: number;
  /** Spec archive limits (DOWNLOAD_MAX_INFLATED_MB, DOWNLOAD_MAX_ZIP_ENTRIES); 20 MB and 2000 entries by default. */
  downloads?: ArchiveLimits;
  bypassCache?: boolean;
  signal?: AbortSignal;
  requestId?: string;
  /** Told the size of every DataLoader batch (metrics), by loader, e.g. "users.userById". */
  onBatch?: (loader: string, size: number) => void;
  /** Told every value read through the cache (demand control's PlatformSizes). */
  onRead?: (kind: CacheKind, key: string, value: unknown, entry?: object) => void;
  /** Loaders whose platform-wide reads (the role names) these reuse instead of making their own (an export's per-group loaders). */
  parent?: Loaders;
}

/** Every loader of one GraphQL request. Created per request: nothing here outlives it. */
export function createLoaders(options: LoaderOptions): Loaders {
  const scheduler = new IdleScheduler();
  const cache = new ReadThrough(options.cache, options.ttls, options.bypassCache ?? false, scheduler, options.onRead);
  const onBatch = options.onBatch;
  const deps: LoaderDeps = {
    client: options.client,
    cache,
    call: { signal: options.signal, requestId: options.requestId },
    rootOrgId: options.rootOrgId,
    archiveLimits: options.downloads ?? DEFAULT_ARCHIVE_LIMITS,
    singleGetLimit: options.singleGetLimit,
    batchScheduleFn: scheduler.schedule,
    measured: (name, batch) => (onBatch ? (keys) => (onBatch(name, keys.length), batch(keys)) : batch),
  };
  return new RequestLoaders(cache, options.rootOrgId, deps, options.parent);
}

/**
 * The loader families, each made on first use. A request answered from the response cache
 * resolves no field and so uses none of them: making the four families (dozens of closures and
 * DataLoaders) for every request cost about a tenth of such a request's CPU.
 */
class RequestLoaders {
  private orgLoaders?: OrganizationLoaders;
  private userLoaders?: UserLoaders;
  private teamLoaders?: TeamLoaders;
  private apiLoaders?: ApiLoaders;
  private accessLoaders?: AccessLoaders;

  constructor(
    readonly cache: ReadThrough,
    readonly rootOrgId: string,
    private readonly deps: LoaderDeps,
    private readonly parent?: Loaders,
  ) {}

  get orgs(): OrganizationLoaders {
    return (this.orgLoaders ??= createOrganizationLoaders(this.deps));
  }

  get users(): UserLoaders {
    return (this.userLoaders ??= createUserLoaders(this.deps, this.orgs));
  }

  get teams(): TeamLoaders {
    return (this.teamLoaders ??= createTeamLoaders(this.deps, this.orgs));
  }

  get apis(): ApiLoaders {
    return (this.apiLoaders ??= createApiLoaders(this.deps, this.orgs));
  }

  get access(): AccessLoaders {
    return (this.accessLoaders ??= createAccessLoaders(this.deps, this.teams, this.users, this.parent?.access.roleNames));
  }
}

/** What resolvers and provisioning see of a request's loaders. */
export interface Loaders {
  readonly cache: ReadThrough;
  readonly rootOrgId: string;
  readonly orgs: OrganizationLoaders;
  readonly users: UserLoaders;
  readonly teams: TeamLoaders;
  readonly apis: ApiLoaders;
  readonly access: AccessLoaders;
}

export type UserLoaders = ReturnType<typeof createUserLoaders>;
type TeamLoaders = ReturnType<typeof createTeamLoaders>;
type ApiLoaders = ReturnType<typeof createApiLoaders>;

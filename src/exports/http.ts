import { randomUUID } from 'node:crypto';
import { once, setMaxListeners } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuditLog, AuditRecord } from '../audit/types.js';
import { GatewayError, type ErrorCode } from '../errors.js';
import type { Loaders } from '../loaders/index.js';
import type { OrgNode } from '../loaders/organizations.js';
import type { CallMeters } from '../observability/call-meters.js';
import { CallerAuthError, type RequestHeaders } from '../server/auth.js';
import type { CallerBudget } from '../server/cost/caller-budget.js';
import { createFormatError } from '../server/error-boundary.js';
import type { GatewayLogger } from '../server/gateway.js';
import type { Caller, Role } from '../server/roles.js';
import { accessReviewCsv, accessReviewRows, accessReviewScope, describeRequest, readAccessReviewRequest } from './access-review.js';
import { apiInventoryCsv, assetOf, inventoryRows, orgApis, specEntryName, specFileOf } from './api-inventory.js';
import { batonHeader, createBatonWriter } from './baton.js';
import { BadRequest, readQuery } from './query.js';
import { ZipWriter } from './zip-writer.js';
import { memoryBound } from './memory-bound.js';

/**
 * /exports on the gateway's own listener: the access review and the API inventory as files,
 * streamed as they are read, one business group at a time. The caller is authenticated from
 * its headers and its query parameters are checked before any upstream call; every refusal is
 * a JSON body `{ error: { code, message } }`. The caller hanging up aborts the export's
 * upstream calls. Each export is charged to the caller's minute budget as it goes and recorded
 * in the audit trail (who, what, which filters, how many rows).
 */
export const EXPORTS_PREFIX = '/exports';

export interface ExportHandlerOptions {
  authenticate(headers: RequestHeaders): Promise<Caller | null>;
  /**
   * A request's loaders. With `parent` (the export's own loaders), those of one business group:
   * kept apart from the shared cache, so a whole-platform export does not fill the gateway's
   * memory with the platform, and dropped with the group; what every group shares (the tree,
   * the role names) comes from `parent`.
   */
  loaders(requestId: string, signal: AbortSignal, parent?: Loaders): Loaders;
  rootOrgId: string;
  budget: CallerBudget | null;
  meters: CallMeters;
  audit: AuditLog;
  instanceId: string;
  logger: GatewayLogger;
  onAuditError(error: unknown): void;
}

type Format = 'csv' | 'baton' | 'jsonl' | 'zip';

interface ExportRoute {
  /** The audit trail's action. */
  action: string;
  role: Role;
  extension: 'csv' | 'jsonl' | 'zip';
  run(job: Job): Promise<void>;
}

interface Job {
  url: URL;
  requestId: string;
  signal: AbortSignal;
  tree: Loaders;
  perOrg(): Loaders;
  /** Set once the parameters are read: what the audit trail keeps of the request. */
  described: Record<string, unknown>;
  /** Headers and the first bytes; after this a failure can only cut the stream. */
  start(contentType: string, filename: string): void;
  write(chunk: string | Buffer): Promise<void>;
  /** Called after each business group: progress log and budget. */
  orgDone(orgId: string, rows: number): Promise<void>;
  rows: number;
  format: Format;
}

const CONTENT_TYPES = { csv: 'text/csv; charset=utf-8', jsonl: 'application/jsonl; charset=utf-8', zip: 'application/zip' } as const;
/** Rows are written in chunks of about this many characters. */
const CHUNK = 64 * 1024;

const STATUS: Partial<Record<ErrorCode, number>> = {
  BAD_REQUEST: 400,
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CALLER_BUDGET_EXCEEDED: 429,
  RATE_LIMITED: 503,
  UPSTREAM_UNAVAILABLE: 502,
  UPSTREAM_TIMEOUT: 504,
  UPSTREAM_VALUE_INVALID: 502,
  REQUEST_CANCELLED: 499,
  INTERNAL_SERVER_ERROR: 500,
};

class ExportRefusal extends GatewayError {
  constructor(
    readonly status: number,
    code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(code, message);
  }
}

function sendError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) {
  const text = JSON.stringify({ error: { code, message } });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), 'cache-control': 'no-store', ...headers });
  res.end(text);
}

/** Collects rows into chunks of about CHUNK characters. */
function chunker(write: (chunk: string) => Promise<void>) {
  let pending = '';
  return {
    async push(text: string) {
      pending += text;
      if (pending.length >= CHUNK) {
        const out = pending;
        pending = '';
        await write(out);
      }
    },
    async flush() {
      if (pending) {
        const out = pending;
        pending = '';
        await write(out);
      }
    },
  };
}

const stamp = () => new Date().toISOString().slice(0, 10);

async function accessReview(job: Job, rootOrgId: string) {
  const request = readAccessReviewRequest(job.url.searchParams, rootOrgId, job.format === 'jsonl' ? [] : ['format']);
  job.described = describeRequest(request);
  const { orgIds, nodes } = await accessReviewScope(job.tree, request);
  const baton = job.format === 'baton' ? createBatonWriter(nodes) : null;
  job.start(CONTENT_TYPES[job.format === 'jsonl' ? 'jsonl' : 'csv'], `access-review-${stamp()}${baton ? '-baton' : ''}.${job.format === 'jsonl' ? 'jsonl' : 'csv'}`);
  const out = chunker((chunk) => job.write(chunk));
  if (job.format !== 'jsonl') await job.write(baton ? batonHeader() : accessReviewCsv.header());
  for await (const { orgId, rows } of accessReviewRows(job.tree, job.perOrg, request, orgIds)) {
    if (baton) await out.push(baton(rows));
    else for (const row of rows) await out.push(job.format === 'jsonl' ? `${JSON.stringify(row)}\n` : accessReviewCsv.row(row));
    job.rows += rows.length;
    await out.flush();
    await job.orgDone(orgId, rows.length);
  }
}

/** Every business group in tree order (the root first), one at a time, the next read while this one is written. */
async function* eachOrg<T>(nodes: OrgNode[], read: (org: OrgNode) => Promise<T>): AsyncGenerator<[OrgNode, T]> {
  let next = nodes[0] ? read(nodes[0]) : null;
  for (let i = 0; next; i += 1) {
    const current = await next;
    next = nodes[i + 1] ? read(nodes[i + 1]!) : null;
    next?.catch(() => undefined);
    yield [nodes[i]!, current];
  }
}

async function apiInventory(job: Job) {
  readQuery(job.url.searchParams, job.format === 'jsonl' ? [] : ['format']);
  job.described = {};
  const nodes = await job.tree.orgs.orgNodes();
  job.start(CONTENT_TYPES[job.format === 'jsonl' ? 'jsonl' : 'csv'], `api-inventory-${stamp()}.${job.format}`);
  const out = chunker((chunk) => job.write(chunk));
  if (job.format === 'csv') await job.write(apiInventoryCsv.header());
  const read = async (org: OrgNode) => {
    const loaders = job.perOrg();
    return inventoryRows(loaders, await orgApis(loaders, org));
  };
  for await (const [org, rows] of eachOrg(nodes, read)) {
    for (const row of rows) await out.push(job.format === 'jsonl' ? `${JSON.stringify(row)}\n` : apiInventoryCsv.row(row));
    job.rows += rows.length;
    await out.flush();
    await job.orgDone(org.id, rows.length);
  }
}

/** Specs downloaded at once within a business group. */
const SPEC_CONCURRENCY = 4;

async function apiSpecs(job: Job, logger: GatewayLogger) {
  readQuery(job.url.searchParams, []);
  job.described = {};
  const nodes = await job.tree.orgs.orgNodes();
  job.start(CONTENT_TYPES.zip, `api-specs-${stamp()}.zip`);
  const zip = new ZipWriter((chunk) => job.write(chunk));
  const skipped: Array<Record<string, string>> = [];
  for (const org of nodes) {
    const loaders = job.perOrg();
    const { environments, apis } = await orgApis(loaders, org);
    const envNames = new Map(environments.map((e) => [e.id, e.name]));
    let files = 0;
    for (let i = 0; i < apis.length; i += SPEC_CONCURRENCY) {
      const batch = apis.slice(i, i + SPEC_CONCURRENCY);
      // Each spec through the bounded download path (DOWNLOAD_* limits), a refusal skips that file alone.
      const loaded = await Promise.all(
        batch.map(async (api) => {
          const asset = await assetOf(loaders, api);
          const file = specFileOf(asset);
          if (!asset || !file) return null;
          const name = specEntryName(org.name, envNames.get(api.environmentId) ?? api.environmentId, api, file);
          if (zip.has(name)) return null;
          try {
            return { name, content: await loaders.apis.specContent(asset, file) };
          } catch (error) {
            if (job.signal.aborted) throw error;
            const code = error instanceof GatewayError ? error.code : ((error as { code?: string }).code ?? 'INTERNAL_SERVER_ERROR');
            skipped.push({ file: name, code, message: error instanceof Error ? error.message : String(error) });
            logger.warn('export: a specification could not be downloaded; skipped', { requestId: job.requestId, file: name, code });
            return null;
          }
        }),
      );
      for (const entry of loaded) {
        if (!entry || zip.has(entry.name)) continue;
        await zip.add(entry.name, entry.content);
        files += 1;
      }
    }
    job.rows += files;
    await job.orgDone(org.id, files);
  }
  await zip.add('_export-report.json', `${JSON.stringify({ exportedAt: new Date().toISOString(), files: job.rows, skipped }, null, 2)}\n`);
  await zip.finish();
}

export function createExportHandler(options: ExportHandlerOptions) {
  const { logger } = options;
  const formatError = createFormatError((error) => logger.error('export failed unexpectedly', { error: error instanceof Error ? error.stack : String(error) }));

  const routes: Record<string, ExportRoute> = {
    'access-review.csv': { action: 'exportAccessReview', role: 'auditor', extension: 'csv', run: (job) => accessReview(job, options.rootOrgId) },
    'access-review.jsonl': { action: 'exportAccessReview', role: 'auditor', extension: 'jsonl', run: (job) => accessReview(job, options.rootOrgId) },
    'api-inventory.csv': { action: 'exportApiInventory', role: 'reader', extension: 'csv', run: apiInventory },
    'api-inventory.jsonl': { action: 'exportApiInventory', role: 'reader', extension: 'jsonl', run: apiInventory },
    'api-specs.zip': { action: 'exportApiSpecs', role: 'reader', extension: 'zip', run: (job) => apiSpecs(job, logger) },
  };

  async function authorize(req: IncomingMessage, route: ExportRoute): Promise<Caller> {
    let caller: Caller | null;
    try {
      caller = await options.authenticate(req.headers);
    } catch (error) {
      if (error instanceof CallerAuthError) throw new ExportRefusal(401, 'UNAUTHENTICATED', error.message, { 'www-authenticate': 'Bearer, ApiKey' });
      if (error instanceof GatewayError) throw new ExportRefusal(503, error.code, error.message);
      throw error;
    }
    // Exports are bulk reads and audited by who made them: never anonymous, whatever ANONYMOUS_READS says.
    if (!caller || caller.kind === 'anonymous') throw new ExportRefusal(401, 'UNAUTHENTICATED', 'Send an API key (x-api-key header) or a bearer token', { 'www-authenticate': 'Bearer, ApiKey' });
    // Every caller reads the graph (reader); the access review names everyone's access (auditor).
    if (route.role === 'auditor' && !caller.roles.has('auditor')) throw new ExportRefusal(403, 'FORBIDDEN', 'This export needs the auditor role');
    return caller;
  }

  return async (req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<void> => {
    const name = url.pathname.slice(EXPORTS_PREFIX.length + 1);
    const route = Object.hasOwn(routes, name) ? routes[name]! : null;
    if (!route) return sendError(res, 404, 'NOT_FOUND', `No export ${JSON.stringify(name.slice(0, 64))}; the exports are ${Object.keys(routes).map((r) => `${EXPORTS_PREFIX}/${r}`).join(', ')}`);
    if (req.method !== 'GET') return sendError(res, 405, 'BAD_REQUEST', 'Use GET', { allow: 'GET' });

    let caller: Caller;
    let format: Format;
    try {
      caller = await authorize(req, route);
      const asked = url.searchParams.get('format');
      if (route.extension === 'csv' && asked !== null && asked !== 'baton' && asked !== 'csv') throw new BadRequest(`Query parameter format must be csv or baton, not ${JSON.stringify(asked.slice(0, 64))}`);
      if (route.extension === 'csv' && asked === 'baton' && route.action !== 'exportAccessReview') throw new BadRequest('format=baton is for the access review only');
      format = route.extension === 'csv' ? (asked === 'baton' ? 'baton' : 'csv') : route.extension;
    } catch (error) {
      if (error instanceof ExportRefusal) return sendError(res, error.status, error.code, error.message, error.headers);
      if (error instanceof BadRequest) return sendError(res, 400, error.code, error.message);
      throw error;
    }

    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    res.on('close', () => {
      if (!res.writableFinished) controller.abort(new GatewayError('REQUEST_CANCELLED', 'The caller went away'));
    });

    const started = performance.now();
    const meter = options.meters.start(requestId);
    let reservation: { window: number; calls: number } | null = null;
    let charged = 0;
    let bytes = 0;
    const tree = options.loaders(requestId, controller.signal);
    const memory = memoryBound();
    const job: Job = {
      url,
      requestId,
      signal: controller.signal,
      format,
      tree,
      perOrg: () => options.loaders(requestId, controller.signal, tree),
      described: {},
      rows: 0,
      start(contentType, filename) {
        res.writeHead(200, {
          'content-type': contentType,
          'content-disposition': `attachment; filename="${filename}"`,
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
        });
        // The headers go out now, before the first business group is read.
        res.flushHeaders();
      },
      async write(chunk) {
        if (controller.signal.aborted) throw controller.signal.reason;
        bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
        if (!res.write(chunk)) await once(res, 'drain', { signal: controller.signal }).catch(() => {
          throw controller.signal.reason ?? new GatewayError('REQUEST_CANCELLED', 'The caller went away');
        });
      },
      async orgDone(orgId, rows) {
        memory.afterGroup();
        logger.info('export progress', { requestId, export: name, organizationId: orgId, rows, rowsSoFar: job.rows, upstreamCalls: meter.calls });
        // The calls this business group cost, charged to the caller's minute; over it, the export stops.
        const spent = meter.calls - charged;
        if (options.budget && reservation && spent > 0) {
          const answer = await options.budget.reserve(caller.id, spent).catch(() => null);
          if (answer && !answer.granted) throw new ExportRefusal(429, 'CALLER_BUDGET_EXCEEDED', `This caller has spent its ${options.budget.perMinute} upstream calls for this minute`, { 'retry-after': String(answer.retryAfterSeconds) });
          charged += spent;
        }
      },
    };

    let status: AuditRecord['status'] = 'SUCCEEDED';
    let failure: { code: string; message: string } | undefined;
    try {
      if (options.budget) {
        const answer = await options.budget.reserve(caller.id, 1).catch(() => null);
        if (answer && !answer.granted) throw new ExportRefusal(429, 'CALLER_BUDGET_EXCEEDED', `This caller has spent its ${options.budget.perMinute} upstream calls for this minute; retry in ${answer.retryAfterSeconds} s`, { 'retry-after': String(answer.retryAfterSeconds) });
        if (answer?.granted) {
          reservation = answer;
          charged = answer.calls;
        }
      }
      await route.run(job);
      res.end();
    } catch (caught) {
      const error = controller.signal.aborted ? controller.signal.reason : caught;
      status = 'FAILED';
      if (error instanceof ExportRefusal || error instanceof BadRequest) {
        failure = { code: error.code, message: error.message };
      } else {
        const formatted = formatError({ message: error instanceof Error ? error.message : String(error) }, error);
        failure = { code: String(formatted.extensions?.code ?? 'INTERNAL_SERVER_ERROR'), message: formatted.message };
      }
      if (failure.code === 'BAD_REQUEST') status = 'REJECTED';
      if (!res.headersSent && !res.destroyed) {
        const status = error instanceof ExportRefusal ? error.status : (STATUS[failure.code as ErrorCode] ?? 502);
        sendError(res, status, failure.code, failure.message, error instanceof ExportRefusal ? error.headers : {});
      } else if (!res.destroyed) {
        // Part of the file went out: cut the connection, so the caller cannot take it for the whole file.
        logger.warn('export failed part way; the response was cut', { requestId, export: name, code: failure.code, rowsSoFar: job.rows });
        res.destroy();
      }
    } finally {
      options.meters.finish(requestId, meter);
      if (options.budget && reservation) await options.budget.settle(caller.id, reservation.window, meter.calls - charged).catch(() => undefined);
      const durationMs = Math.round(performance.now() - started);
      logger.info('export finished', { requestId, export: name, status, rows: job.rows, bytes, upstreamCalls: meter.calls, durationMs });
      const record: AuditRecord = {
        id: randomUUID(),
        attemptId: randomUUID(),
        kind: 'export',
        at: new Date().toISOString(),
        actor: caller.id,
        action: route.action,
        target: `export:${name}`,
        instanceId: options.instanceId,
        input: { path: url.pathname, format, filters: job.described },
        status,
        result: { rows: job.rows, bytes, upstreamCalls: meter.calls },
        ...(failure ? { error: failure } : {}),
        durationMs,
      };
      await options.audit.append(record).catch((error: unknown) => options.onAuditError(error));
    }
  };
}

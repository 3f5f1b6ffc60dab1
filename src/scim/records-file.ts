import { mkdir, open, readdir, readFile, stat, truncate, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { syncDirectory, writeAll } from '../storage/durable-fs.js';
import { acquireLockFile, type LockFile } from '../storage/lock-file.js';
import { replaceFile, tempFileOf } from '../storage/replace-file.js';
import { byId, checkedRecord, copyRecord, type ScimRecord, type ScimRecordStore, type ScimResourceType } from './records.js';

/**
 * SCIM records in an append-only JSON Lines log, for a single gateway process (a lock file keeps
 * a second one off; set DATABASE_URL to share records between replicas). An identity provider's
 * first sync POSTs every user at once, so a put must not rewrite the whole file: it appends one
 * line, and puts that arrive while a flush is in progress go out together, in one write and one
 * fdatasync, in the next (group commit). Each put resolves once its own line is durable. The log
 * is replayed on open, the last line of a key winning, and rewritten with only the live records
 * once it holds many more lines than that.
 */
export interface FileScimRecordStoreOptions {
  /** Called after each fdatasync of appended lines, with how many: lets tests count flushes. */
  onFlush?: (lines: number) => void;
  /** The log is compacted once it holds more than this many lines and twice the live records. */
  compactAfterLines?: number;
}

const COMPACT_AFTER_LINES = 1000;

export async function openFileScimRecordStore(file: string, options: FileScimRecordStoreOptions = {}): Promise<ScimRecordStore> {
  const path = resolve(file);
  await mkdir(dirname(path), { recursive: true });
  const lock = await acquireLockFile(`${path}.lock`, `The SCIM records log ${path}`);
  try {
    // The lock is ours, so every temporary file of a compaction was left by a process that died.
    await removeTemps(path);
    const { records, lines } = await replay(path);
    const store = new FileScimRecordStore(path, lock, options, await openLog(path), records.values(), lines);
    await store.compactIfDue().catch(async (error) => {
      await store.close();
      throw error;
    });
    return store;
  } catch (error) {
    await lock.release();
    throw error;
  }
}

/** One line of the log. */
type Entry = { put: ScimRecord } | { delete: [ScimResourceType, string, string] };

const keyOf = (type: ScimResourceType, orgId: string, id: string) => JSON.stringify([type, orgId, id]);

interface Pending {
  line: string;
  apply: () => void;
  resolve: () => void;
  reject: (error: unknown) => void;
}

class FileScimRecordStore implements ScimRecordStore {
  readonly backend = 'file' as const;
  private readonly index = new RecordIndex();
  /** Lines waiting for the next flush. */
  private pending: Pending[] = [];
  /** The flush loop, while one runs. */
  private flushing: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  /** Set when the log could not be brought back to its last durable state: nothing more is written. */
  private broken: unknown;

  constructor(
    private readonly path: string,
    private readonly lock: LockFile,
    private readonly options: FileScimRecordStoreOptions,
    private handle: FileHandle,
    records: Iterable<ScimRecord>,
    /** Lines in the log, to know when compaction is due. */
    private lines: number,
  ) {
    for (const record of records) this.index.set(record);
  }

  async get(type: ScimResourceType, orgId: string, id: string): Promise<ScimRecord | undefined> {
    const record = this.index.get(keyOf(type, orgId, id));
    return record && copyRecord(record);
  }

  async findByAnypointId(orgId: string, anypointId: string): Promise<ScimRecord | undefined> {
    const found = this.index.byAnypointId(orgId, anypointId);
    const rank = (record: ScimRecord) => [record.anypointId === anypointId ? 1 : 0, record.lastModified] as const;
    // Its current id first, then the newest: ISO times of one format compare as strings.
    found.sort((a, b) => {
      const [x, y] = [rank(a), rank(b)];
      return y[0] - x[0] || (y[1] > x[1] ? 1 : y[1] < x[1] ? -1 : 0);
    });
    return found[0] && copyRecord(found[0]);
  }

  async findByExternalId(type: ScimResourceType, orgId: string, externalId: string): Promise<ScimRecord[]> {
    return this.index.byExternalId(type, orgId, externalId).sort(byId).map(copyRecord);
  }

  async list(type: ScimResourceType, orgId: string): Promise<ScimRecord[]> {
    return this.index.ofOrg(type, orgId).sort(byId).map(copyRecord);
  }

  put(record: ScimRecord): Promise<void> {
    let checked: ScimRecord;
    try {
      checked = checkedRecord(record);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.append({ put: checked }, () => this.index.set(checked));
  }

  delete(type: ScimResourceType, orgId: string, id: string): Promise<void> {
    // Written even when the key is absent now: a put of it may be waiting for the same flush.
    return this.append({ delete: [type, orgId, id] }, () => this.index.delete(keyOf(type, orgId, id)));
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await this.flushing;
        await this.handle.close();
      } finally {
        await this.lock.release();
      }
    })();
    return this.closing;
  }

  /** Queues the line; the index changes only once the line is durable, so reads never run ahead of the log. */
  private append(entry: Entry, apply: () => void): Promise<void> {
    if (this.closing) return Promise.reject(new Error('The SCIM record store is closed'));
    if (this.broken) return Promise.reject(brokenError(this.path, this.broken));
    return new Promise((resolve, reject) => {
      this.pending.push({ line: `${JSON.stringify(entry)}\n`, apply, resolve, reject });
      // Started a microtask later, so puts made in the same turn share even the first flush.
      this.flushing ??= Promise.resolve().then(() => this.flushLoop());
    });
  }

  private async flushLoop(): Promise<void> {
    while (this.pending.length) {
      const batch = this.pending;
      this.pending = [];
      try {
        if (this.broken) throw brokenError(this.path, this.broken);
        await this.write(batch.map((p) => p.line).join(''));
        this.lines += batch.length;
        this.options.onFlush?.(batch.length);
      } catch (error) {
        for (const p of batch) p.reject(error);
        continue;
      }
      for (const p of batch) p.apply();
      for (const p of batch) p.resolve();
      // The batch is durable whatever compaction does; a failed one leaves the log as it was.
      await this.compactIfDue().catch(() => undefined);
    }
    this.flushing = undefined;
  }

  /** Appends and syncs `text`; on failure cuts the log back to what it held, so no torn line stays mid-file. */
  private async write(text: string): Promise<void> {
    const { size } = await this.handle.stat();
    try {
      await writeAll(this.handle, Buffer.from(text, 'utf8'));
      await this.handle.datasync();
    } catch (error) {
      try {
        await this.handle.truncate(size);
        await this.handle.datasync();
      } catch (cause) {
        this.broken = cause;
      }
      throw error;
    }
  }

  /** Rewrites the log with the live records only, once it is mostly overwritten or deleted lines. */
  async compactIfDue(): Promise<void> {
    const live = this.index.size;
    if (this.lines <= (this.options.compactAfterLines ?? COMPACT_AFTER_LINES) || this.lines <= 2 * live) return;
    const text = this.index.all().map((record) => `${JSON.stringify({ put: record } satisfies Entry)}\n`).join('');
    await replaceFile(this.path, text);
    // The old handle still points at the log renamed over: appends must go to the new one, and
    // with none to go to, nothing more may be written.
    const previous = this.handle;
    try {
      this.handle = await openLog(this.path);
    } catch (error) {
      this.broken = error;
      throw error;
    }
    this.lines = live;
    await previous.close();
  }
}

const brokenError = (path: string, cause: unknown) =>
  new Error(`The SCIM records log ${path} could not be restored after a failed write; restart the gateway to replay it`, { cause });

/**
 * The records the log holds. Only the text after the last newline may be torn (a crash cut the
 * last write short): it is dropped, and cut off the file so the next line starts clean. Any other
 * line that does not read is damage no crash makes, and refused.
 */
async function replay(path: string): Promise<{ records: Map<string, ScimRecord>; lines: number }> {
  const records = new Map<string, ScimRecord>();
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records, lines: 0 };
    throw error;
  }
  // Bytes, not decoded text: a torn tail may end inside a UTF-8 sequence.
  const end = bytes.lastIndexOf(0x0a) + 1;
  if (end < bytes.length) await truncate(path, end);
  const lines = end ? bytes.toString('utf8', 0, end - 1).split('\n') : [];
  lines.forEach((line, i) => {
    try {
      const entry = JSON.parse(line) as Entry;
      if ('put' in entry) {
        const record = checkedRecord(entry.put);
        records.set(keyOf(record.type, record.orgId, record.id), record);
      } else if (Array.isArray(entry.delete) && entry.delete.length === 3 && entry.delete.every((part) => typeof part === 'string')) {
        records.delete(keyOf(...entry.delete));
      } else {
        throw new Error('neither a put nor a delete');
      }
    } catch (error) {
      throw new Error(
        `The SCIM records log ${path} is unreadable at line ${i + 1} (${error instanceof Error ? error.message : String(error)}); restore it from a backup or remove it to start empty`,
      );
    }
  });
  return { records, lines: lines.length };
}

/** The log opened for appending, its directory entry durable if the open created it. */
async function openLog(path: string): Promise<FileHandle> {
  const existed = await stat(path).then(
    () => true,
    () => false,
  );
  const handle = await open(path, 'a');
  if (!existed) await syncDirectory(dirname(path)).catch(async (error) => {
    await handle.close();
    throw error;
  });
  return handle;
}

async function removeTemps(path: string): Promise<void> {
  for (const name of await readdir(dirname(path))) {
    if (tempFileOf(path, name)) await unlink(join(dirname(path), name)).catch(() => undefined);
  }
}

/** The live records by key, with the lookups the store answers kept as indexes beside them. */
class RecordIndex {
  private readonly records = new Map<string, ScimRecord>();
  /** [orgId, Anypoint id] -> keys of the User records that are or were that user. */
  private readonly anypoint = new Map<string, Set<string>>();
  /** [type, orgId, externalId] -> keys. */
  private readonly external = new Map<string, Set<string>>();
  /** [type, orgId] -> keys. */
  private readonly orgs = new Map<string, Set<string>>();

  get size(): number {
    return this.records.size;
  }

  get(key: string): ScimRecord | undefined {
    return this.records.get(key);
  }

  all(): ScimRecord[] {
    return [...this.records.values()];
  }

  set(record: ScimRecord): void {
    const key = keyOf(record.type, record.orgId, record.id);
    this.delete(key);
    this.records.set(key, record);
    for (const [map, term] of this.terms(record)) add(map, term, key);
  }

  delete(key: string): void {
    const record = this.records.get(key);
    if (!record) return;
    this.records.delete(key);
    for (const [map, term] of this.terms(record)) remove(map, term, key);
  }

  byAnypointId(orgId: string, anypointId: string): ScimRecord[] {
    return this.lookup(this.anypoint, JSON.stringify([orgId, anypointId]));
  }

  byExternalId(type: ScimResourceType, orgId: string, externalId: string): ScimRecord[] {
    return this.lookup(this.external, JSON.stringify([type, orgId, externalId]));
  }

  ofOrg(type: ScimResourceType, orgId: string): ScimRecord[] {
    return this.lookup(this.orgs, JSON.stringify([type, orgId]));
  }

  private lookup(map: Map<string, Set<string>>, term: string): ScimRecord[] {
    return [...(map.get(term) ?? [])].map((key) => this.records.get(key)!);
  }

  private terms(record: ScimRecord): Array<[Map<string, Set<string>>, string]> {
    const terms: Array<[Map<string, Set<string>>, string]> = [[this.orgs, JSON.stringify([record.type, record.orgId])]];
    if (record.externalId !== null) terms.push([this.external, JSON.stringify([record.type, record.orgId, record.externalId])]);
    if (record.type === 'User') {
      for (const id of new Set([...(record.anypointId === null ? [] : [record.anypointId]), ...record.retired])) {
        terms.push([this.anypoint, JSON.stringify([record.orgId, id])]);
      }
    }
    return terms;
  }
}

function add(map: Map<string, Set<string>>, term: string, key: string): void {
  let keys = map.get(term);
  if (!keys) map.set(term, (keys = new Set()));
  keys.add(key);
}

function remove(map: Map<string, Set<string>>, term: string, key: string): void {
  const keys = map.get(term);
  if (!keys) return;
  keys.delete(key);
  if (!keys.size) map.delete(term);
}

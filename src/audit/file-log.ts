import { createReadStream } from 'node:fs';
import { mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { checkPageSize, decodeCursor, encodeCursor } from './cursor.js';
import { syncDirectory, writeAll } from '../storage/durable-fs.js';
import { matchesFilter } from './filter.js';
import { interruptedRecord } from './interrupted.js';
import { acquireLockFile, type LockFile } from '../storage/lock-file.js';
import { serialQueue } from '../storage/serial-queue.js';
import { AuditCursorError, type AuditFilter, type AuditLog, type AuditOrder, type AuditPage, type AuditRecord } from './types.js';

/**
 * The audit trail as a JSON Lines file, for a single gateway process. One record a line, only
 * ever appended, so a line's number never changes and serves as the cursor. Queries stream the
 * file rather than hold it in memory: the trail grows without bound.
 */
export interface FileAuditLogOptions {
  path: string;
  /** fdatasync after every append, so a record survives a power loss once append resolved. */
  fsync: boolean;
  instanceId: string;
}

export async function openFileAuditLog(options: FileAuditLogOptions): Promise<AuditLog> {
  const path = resolve(options.path);
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const lock = await acquireLockFile(`${path}.lock`, `The audit log ${path}`);
  let handle: FileHandle | undefined;
  let tornTail: boolean;
  try {
    const existed = await stat(path).then(
      () => true,
      () => false,
    );
    // a+: appends always land at the end, and the last byte can still be read back.
    handle = await open(path, 'a+');
    if (!existed && options.fsync) await syncDirectory(dir);
    tornTail = await endsMidLine(handle);
  } catch (error) {
    await handle?.close();
    await lock.release();
    throw error;
  }
  return new FileAuditLog(path, options, handle, lock, tornTail);
}

class FileAuditLog implements AuditLog {
  readonly backend = 'file' as const;
  private readonly queue = serialQueue();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly path: string,
    private readonly options: FileAuditLogOptions,
    private readonly handle: FileHandle,
    private readonly lock: LockFile,
    /** The file ends inside a line (a write cut short by a crash): the next record must start a new one. */
    private tornTail: boolean,
  ) {}

  append(record: AuditRecord): Promise<void> {
    if (this.closing) return Promise.reject(new Error('The audit log is closed'));
    return this.queue.run(() => this.write(record));
  }

  async query(filter: AuditFilter, first: number, after?: string | null, order: AuditOrder = 'OLDEST_FIRST'): Promise<AuditPage> {
    checkPageSize(first);
    const afterLine = after === undefined || after === null ? -1 : Number(decodeCursor('f', after));
    return order === 'NEWEST_FIRST' ? this.newestFirst(filter, first, afterLine) : this.oldestFirst(filter, first, afterLine);
  }

  async count(filter: AuditFilter): Promise<number> {
    let count = 0;
    for await (const { record } of readRecords(this.path)) if (record && matchesFilter(record, filter)) count++;
    return count;
  }

  private async oldestFirst(filter: AuditFilter, first: number, afterLine: number): Promise<AuditPage> {
    // A cursor must name a line holding a record; anything else was not handed out by this log.
    let cursorFound = afterLine === -1;
    const records: AuditRecord[] = [];
    const cursors: string[] = [];
    let hasNextPage = false;
    for await (const { line, record } of readRecords(this.path)) {
      if (line <= afterLine) {
        if (line === afterLine && record) cursorFound = true;
        continue;
      }
      if (!cursorFound) break;
      if (!record || !matchesFilter(record, filter)) continue;
      if (records.length === first) {
        hasNextPage = true;
        break;
      }
      records.push(record);
      cursors.push(encodeCursor('f', line));
    }
    if (!cursorFound) throw new AuditCursorError();
    return { records, cursors, hasNextPage, endCursor: cursors.at(-1) ?? null };
  }

  /**
   * The file is read forward up to the cursor's line (or its end) keeping only the last first + 1
   * matches in a ring, so memory stays at one page however long the trail is.
   */
  private async newestFirst(filter: AuditFilter, first: number, afterLine: number): Promise<AuditPage> {
    let cursorFound = afterLine === -1;
    const ring = new Ring<{ line: number; record: AuditRecord }>(first + 1);
    for await (const { line, record } of readRecords(this.path)) {
      if (afterLine !== -1 && line >= afterLine) {
        cursorFound = line === afterLine && record !== null;
        break;
      }
      if (record && matchesFilter(record, filter)) ring.push({ line, record });
    }
    if (!cursorFound) throw new AuditCursorError();
    const newest = ring.newestFirst();
    const page = newest.slice(0, first);
    const cursors = page.map((e) => encodeCursor('f', e.line));
    return { records: page.map((e) => e.record), cursors, hasNextPage: newest.length > first, endCursor: cursors.at(-1) ?? null };
  }

  recoverInterrupted(): Promise<AuditRecord[]> {
    if (this.closing) return Promise.reject(new Error('The audit log is closed'));
    // Queued like an append, so two calls cannot both see (and close) the same intent.
    return this.queue.run(async () => {
      const pending = new Map<string, AuditRecord>();
      for await (const { record } of readRecords(this.path)) {
        if (!record) continue;
        // Only this process writes the file, so an intent always comes before what closes it.
        if (record.kind === 'intent') {
          if (record.instanceId !== this.options.instanceId) pending.set(record.attemptId, record);
        } else {
          pending.delete(record.attemptId);
        }
      }
      const interrupted: AuditRecord[] = [];
      for (const intent of pending.values()) {
        const record = interruptedRecord(intent, this.options.instanceId);
        await this.write(record);
        interrupted.push(record);
      }
      return interrupted;
    });
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.queue.idle();
      try {
        await this.handle.close();
      } finally {
        await this.lock.release();
      }
    })();
    return this.closing;
  }

  private async write(record: AuditRecord): Promise<void> {
    const line = `${this.tornTail ? '\n' : ''}${JSON.stringify(record)}\n`;
    // Until the write completes the file may end mid-line; assume it does if the write fails.
    this.tornTail = true;
    await writeAll(this.handle, Buffer.from(line, 'utf8'));
    this.tornTail = false;
    if (this.options.fsync) await this.handle.datasync();
  }
}

/** The last `capacity` items pushed, oldest overwritten first. */
class Ring<T> {
  private readonly items: T[] = [];
  private next = 0;

  constructor(private readonly capacity: number) {}

  push(item: T): void {
    if (this.items.length < this.capacity) this.items.push(item);
    else this.items[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
  }

  newestFirst(): T[] {
    const out: T[] = [];
    for (let i = 1; i <= this.items.length; i++) out.push(this.items[(this.next - i + this.capacity) % this.capacity]!);
    return out;
  }
}

async function endsMidLine(handle: FileHandle): Promise<boolean> {
  const { size } = await handle.stat();
  if (size === 0) return false;
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  return last[0] !== 0x0a;
}

/** Every line of the file with its number, and its record (null for a torn or garbled line). */
async function* readRecords(path: string): AsyncGenerator<{ line: number; record: AuditRecord | null }> {
  const stream = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) yield { line: line++, record: parseRecord(text) };
  } finally {
    lines.close();
    stream.destroy();
  }
}

function parseRecord(text: string): AuditRecord | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const r = value as Partial<AuditRecord>;
  const ok = typeof r.id === 'string' && typeof r.attemptId === 'string' && typeof r.kind === 'string' && typeof r.at === 'string' && typeof r.instanceId === 'string';
  return ok ? (value as AuditRecord) : null;
}

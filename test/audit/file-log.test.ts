import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { appendFile, mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openFileAuditLog } from '../../src/audit/file-log.js';
import { openAuditLog } from '../../src/audit/index.js';
import { AuditCursorError, type AuditLog } from '../../src/audit/types.js';
import { auditLogBehaviour, auditRecord } from './behaviour.js';

const dirs: string[] = [];
async function freshPath(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'audit-file-'));
  dirs.push(dir);
  return join(dir, 'nested', 'audit.jsonl');
}
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('file audit log: shared behaviour', () => {
  auditLogBehaviour(async (instanceId) => openFileAuditLog({ path: await freshPath(), fsync: true, instanceId }));
});

describe('file audit log', () => {
  let path: string;
  const opened: AuditLog[] = [];
  const openLog = async (instanceId = `test-${randomUUID()}`, fsync = true) => {
    const log = await openFileAuditLog({ path, fsync, instanceId });
    opened.push(log);
    return log;
  };
  beforeEach(async () => {
    path = await freshPath();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((log) => log.close()));
  });

  it('keeps a record when the process is SIGKILLed right after append resolved, and the next open reports its intent interrupted', async () => {
    const intent = auditRecord({ kind: 'intent', instanceId: `child-${randomUUID()}`, input: { userName: 'jdoe' } });
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./fixtures/append-then-hang.ts', import.meta.url)), path, JSON.stringify(intent)], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = once(child, 'exit');
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('appended') && resolve());
        child.once('exit', (code) => reject(new Error(`child exited (${code}) before appending: ${stderr}`)));
      });
      // While the child lives, the path is its alone.
      await expect(openLog()).rejects.toThrow(new RegExp(`in use by process ${child.pid}`));
    } finally {
      child.kill('SIGKILL');
    }
    const [, signal] = await exited;
    expect(signal).toBe('SIGKILL');
    // The dead child's lock is still there: reopening must take it over.
    expect((await readFile(`${path}.lock`, 'utf8')).trim()).toBe(String(child.pid));

    const log = await openLog();
    expect((await log.query({ actor: intent.actor }, 10)).records).toEqual([intent]);
    const recovered = await log.recoverInterrupted();
    expect(recovered.map((r) => [r.kind, r.attemptId])).toEqual([['interrupted', intent.attemptId]]);
  });

  it('skips a torn last line and starts the next record on a fresh line', async () => {
    const first = auditRecord();
    let log = await openLog();
    await log.append(first);
    await log.close();
    // What a kill in the middle of a write leaves: half a line, no newline.
    await appendFile(path, '{"id":"torn","attemptId":"a","ki');

    log = await openLog();
    expect((await log.query({}, 10)).records).toEqual([first]);
    const second = auditRecord();
    await log.append(second);
    expect((await log.query({}, 10)).records).toEqual([first, second]);
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines).toEqual([JSON.stringify(first), '{"id":"torn","attemptId":"a","ki', JSON.stringify(second), '']);
  });

  it('skips torn and garbled lines newest first and in counts, and refuses a cursor naming one', async () => {
    const [a, b] = [auditRecord(), auditRecord()];
    let log = await openLog();
    await log.append(a);
    await log.close();
    await appendFile(path, 'not json\n{"id":"torn","attemptId":"a","ki');
    log = await openLog();
    await log.append(b);
    const newest = await log.query({}, 10, null, 'NEWEST_FIRST');
    expect(newest.records).toEqual([b, a]);
    expect(await log.count({})).toBe(2);
    // Line 1 is the garbled one: not a cursor this log handed out.
    await expect(log.query({}, 10, Buffer.from('f:1').toString('base64url'), 'NEWEST_FIRST')).rejects.toBeInstanceOf(AuditCursorError);
    expect((await log.query({}, 10, newest.cursors[0], 'NEWEST_FIRST')).records).toEqual([a]);
  });

  it('answers newest first and counts over a long trail, a page at a time', async () => {
    const log = await openLog(undefined, false);
    const written = Array.from({ length: 3000 }, (_, i) => auditRecord({ action: i % 3 ? 'createUser' : 'pushGroup' }));
    for (const r of written) await log.append(r);
    expect(await log.count({})).toBe(3000);
    expect(await log.count({ action: 'pushGroup' })).toBe(1000);
    const page = await log.query({ action: 'pushGroup' }, 2, null, 'NEWEST_FIRST');
    expect(page.records).toEqual([written[2997], written[2994]]);
    const next = await log.query({ action: 'pushGroup' }, 2, page.endCursor, 'NEWEST_FIRST');
    expect(next.records).toEqual([written[2991], written[2988]]);
    expect(next.hasNextPage).toBe(true);
  });

  it('hands out cursors that stay valid across a reopen', async () => {
    const written = [auditRecord(), auditRecord(), auditRecord()];
    let log = await openLog();
    for (const r of written) await log.append(r);
    const page = await log.query({}, 1);
    await log.close();
    log = await openLog();
    expect((await log.query({}, 10, page.endCursor)).records).toEqual(written.slice(1));
  });

  it('refuses a second open of the same path while the first is open, saying why', async () => {
    await openLog();
    await expect(openLog()).rejects.toThrow(/audit log .*audit\.jsonl is already open in this process \(lock file .*audit\.jsonl\.lock\)/);
  });

  it('removes its lock file on close, so the path can be opened again', async () => {
    const log = await openLog();
    expect((await readFile(`${path}.lock`, 'utf8')).trim()).toBe(String(process.pid));
    await log.close();
    await expect(stat(`${path}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
    await openLog();
  });

  it("takes over a lock holding this process's pid that this process does not hold (a previous run with the same pid)", async () => {
    let log = await openLog();
    await log.close();
    await writeFile(`${path}.lock`, `${process.pid}\n`);
    log = await openLog();
    await log.append(auditRecord());
  });

  it('writes appends made at the same time one whole line each, in call order', async () => {
    const log = await openLog();
    const written = Array.from({ length: 50 }, (_, i) => auditRecord({ action: `a${i}`, input: { pad: 'x'.repeat(i * 100) } }));
    await Promise.all(written.map((r) => log.append(r)));
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line))).toEqual(written);
  });

  it('has the record in the file, read by someone else, as soon as append resolves', async () => {
    const log = await openLog();
    const record = auditRecord();
    await log.append(record);
    expect(await readFile(path, 'utf8')).toBe(`${JSON.stringify(record)}\n`);
  });

  it('syncs the file to disk once per append when fsync is on, and never when it is off', async () => {
    // A spy that calls through: the real fdatasync still runs, we only count it.
    const probePath = join(tmpdir(), `probe-${randomUUID()}`);
    const probe = await open(probePath, 'w');
    const fileHandle = Object.getPrototypeOf(probe) as { datasync(): Promise<void> };
    await probe.close();
    await rm(probePath, { force: true });
    const datasync = vi.spyOn(fileHandle, 'datasync');
    try {
      const synced = await openLog(`test-${randomUUID()}`, true);
      for (let i = 0; i < 3; i++) await synced.append(auditRecord());
      expect(datasync).toHaveBeenCalledTimes(3);
      await synced.close();

      datasync.mockClear();
      path = await freshPath();
      const unsynced = await openLog(`test-${randomUUID()}`, false);
      await unsynced.append(auditRecord());
      expect(datasync).not.toHaveBeenCalled();
    } finally {
      datasync.mockRestore();
    }
  });

  it('waits for pending appends on close, then refuses new ones', async () => {
    const log = await openLog();
    const record = auditRecord();
    const pending = log.append(record);
    await log.close();
    await pending;
    expect(await readFile(path, 'utf8')).toBe(`${JSON.stringify(record)}\n`);
    await expect(log.append(auditRecord())).rejects.toThrow(/closed/);
  });

  it('is what openAuditLog opens when no databaseUrl is set', async () => {
    const log = await openAuditLog({ path, fsync: true, databaseUrl: null, instanceId: 'x' });
    opened.push(log);
    expect(log.backend).toBe('file');
    await log.append(auditRecord());
    expect((await stat(path)).size).toBeGreaterThan(0);
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config/config.js';
import { startGateway } from '../../src/server/gateway.js';
import { createLifecycle } from '../../src/server/lifecycle.js';
import { refused } from '../helpers/ports.js';
import { recordingLogger, type LogLine } from './logged-gateway.js';

/**
 * Start and stop are one lifecycle: a start that fails part way closes what it had opened, in
 * reverse, and `serve` then exits non-zero within seconds instead of idling forever with its
 * embedded simulator still listening.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/anypoint-graph.js', import.meta.url));

/** Settings of the test process that must not leak into a gateway under test. */
const INHERITED = ['ANYPOINT_BASE_URL', 'ANYPOINT_CLIENT_ID', 'ANYPOINT_CLIENT_SECRET', 'ANYPOINT_ORG_ID', 'REDIS_URL', 'DATABASE_URL', 'API_KEYS', 'PORT'];

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** A live process other than this one, whose pid in a lock file means "in use". */
async function otherProcess(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
  children.push(child);
  await once(child, 'spawn');
  return child.pid!;
}

/** An audit file whose lock is held by another live process. */
async function lockedAuditDir(): Promise<{ dir: string; auditPath: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'anypoint-graph-lifecycle-'));
  const auditPath = join(dir, 'audit.jsonl');
  writeFileSync(`${auditPath}.lock`, `${await otherProcess()}\n`);
  return { dir, auditPath };
}


describe('a lifecycle', () => {
  it('closes in reverse order, logs each step, goes on past a failing one, and closes once', async () => {
    const lines: LogLine[] = [];
    const lifecycle = createLifecycle(recordingLogger(lines));
    const closed: string[] = [];
    lifecycle.onClose('closed a', async () => void closed.push('a'));
    lifecycle.onClose('closed b', async () => {
      throw new Error('b would not close');
    });
    lifecycle.onClose('closed c', async () => void closed.push('c'), { backend: 'memory' });
    await Promise.all([lifecycle.closeAll(), lifecycle.closeAll()]);
    await lifecycle.closeAll();
    expect(closed).toEqual(['c', 'a']);
    expect(lines).toEqual([
      { level: 'info', message: 'closed c', fields: { backend: 'memory' } },
      { level: 'error', message: 'shutdown step failed: closed b', fields: { error: 'b would not close' } },
      { level: 'info', message: 'closed a', fields: undefined },
    ]);
    expect(() => lifecycle.onClose('late', async () => undefined)).toThrow(/after the lifecycle started closing/);
  });
});

describe('a start that fails', () => {
  it('closes the embedded simulator it had started, then throws', async () => {
    const { dir, auditPath } = await lockedAuditDir();
    const env: Record<string, string> = { PORT: '0', AUDIT_LOG_PATH: auditPath, GROUP_LINKS_PATH: join(dir, 'group-links.json') };
    const lines: LogLine[] = [];
    await expect(startGateway(readConfig(env), { logger: recordingLogger(lines) })).rejects.toThrow(/is in use by process/);
    const simulatorUrl = lines.find((l) => l.fields?.simulatorUrl)?.fields?.simulatorUrl as string;
    expect(simulatorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // This process is still running: the port is closed because the gateway closed it.
    expect(await refused(simulatorUrl)).toBe(true);
    const messages = lines.map((l) => l.message);
    expect(messages).toEqual(expect.arrayContaining(['start failed; closing what it opened', 'closed the upstream connection pool', 'closed the cache', 'closed the embedded simulator']));
    // Reverse order of opening: the simulator, opened first, closes last.
    expect(messages.at(-1)).toBe('closed the embedded simulator');
  });

  it('makes `serve` exit 1 within seconds when its audit file is locked by another process', async () => {
    const { dir, auditPath } = await lockedAuditDir();
    const env: Record<string, string | undefined> = { ...process.env };
    for (const name of INHERITED) delete env[name];
    Object.assign(env, { AUDIT_LOG_PATH: auditPath, GROUP_LINKS_PATH: join(dir, 'group-links.json') });
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stdout = '';
    let stderr = '';
    let failedAt = 0;
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!failedAt && stderr.includes('start failed')) failedAt = performance.now();
    });
    // Today's failure mode is never exiting: give up (and fail) after 20 s.
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const [code] = await once(child, 'exit');
    const exitedAt = performance.now();
    clearTimeout(timer);

    expect(code).toBe(1);
    expect(stderr).toContain('anypoint-graph serve failed: The audit log');
    expect(stderr).toContain('is in use by process');
    // From the failure to the exit: the closes, nothing more.
    expect(failedAt).toBeGreaterThan(0);
    expect(exitedAt - failedAt).toBeLessThan(3_000);
    const simulatorUrl = /embedded simulator \(demo preset\) at (http:\/\/\S+?)"/.exec(stdout)?.[1];
    expect(simulatorUrl, stdout).toBeDefined();
    expect(stdout).toContain('closed the embedded simulator');
    expect(await refused(simulatorUrl!)).toBe(true);
  });
});

import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Child processes of the benchmark (simulator, gateway, baseline, load generator): started
 * pinned to a core, ready when a line of their output matches, and always stopped, whether the
 * run ends normally, fails, or is interrupted. A leaked gateway would skew the next run.
 *
 * Their stdout goes to a file, not a pipe: the gateway logs a line per upstream call, Node writes
 * to a pipe synchronously, and a pipe drained by this process (on the other core, next to the
 * simulator) would make the gateway wait in write() whenever it fell behind: time that is not
 * the gateway's and would show in cold latencies. A file is what a log shipper tails anyway.
 */

const TASKSET = '/usr/bin/taskset';

export interface ChildSpec {
  name: string;
  /** Arguments to node (script first). */
  args: string[];
  /** The whole environment (default: this process's). */
  env?: Record<string, string>;
  /** CPU core to pin to, when taskset is available. */
  core: number | null;
  /** The first stdout line matching this makes the child ready; group 1 is its URL. */
  ready: RegExp;
  timeoutMs?: number;
  /** An IPC channel to the child (the load generator takes its jobs this way). */
  ipc?: boolean;
}

export interface Child {
  name: string;
  pid: number;
  /** Group 1 of the ready line. */
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

/** Whether processes can be pinned: taskset present and at least two cores. */
export function canPin(cores: number): boolean {
  return cores >= 2 && existsSync(TASKSET);
}

export function startChild(spec: ChildSpec): Promise<Child> {
  const nodeArgs = [process.execPath, ...spec.args];
  // taskset execs node, so the pid we get is node's own and every thread it starts inherits the mask.
  const [command, ...args] = spec.core === null ? nodeArgs : [TASKSET, '-c', String(spec.core), ...nodeArgs];
  const logDir = mkdtempSync(join(tmpdir(), 'anypoint-graph-bench-out-'));
  const logPath = join(logDir, 'stdout.log');
  const out = openSync(logPath, 'w');
  const stdio: StdioOptions = spec.ipc ? ['ignore', out, 'pipe', 'ipc'] : ['ignore', out, 'pipe'];
  const child = spawn(command!, args, { env: spec.env ?? process.env, stdio });
  closeSync(out); // the child has its own copy
  running.add(child);
  const output = () => {
    try {
      return readFileSync(logPath, 'utf8');
    } catch {
      return '';
    }
  };
  const tail: string[] = [];
  const remember = (chunk: Buffer) => {
    tail.push(chunk.toString('utf8'));
    if (tail.length > 40) tail.shift();
  };
  child.stderr!.on('data', remember);
  // After the other exit listeners: one reports the output of a child that died starting up.
  const removeLog = () => setImmediate(() => rmSync(logDir, { recursive: true, force: true }));
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      running.delete(child);
      removeLog();
      resolve();
    });
    // A process that could not be spawned never exits: nothing to wait for.
    child.once('error', () => {
      running.delete(child);
      removeLog();
      resolve();
    });
  });

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null || !running.has(child)) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  return new Promise<Child>((resolve, reject) => {
    const finish = () => {
      clearTimeout(timer);
      clearInterval(poll);
      child.off('exit', onEarlyExit);
    };
    const fail = (reason: string) => {
      const last = `${output()}${tail.join('')}`.slice(-4_000);
      finish();
      void stop();
      reject(new Error(`${spec.name} ${reason}\n--- last output ---\n${last}`));
    };
    const timer = setTimeout(() => fail(`was not ready within ${(spec.timeoutMs ?? 60_000) / 1000} s`), spec.timeoutMs ?? 60_000);
    // Complete lines only: a URL cut in two by a write boundary must not match half of it.
    const poll = setInterval(() => {
      for (const line of output().split('\n').slice(0, -1)) {
        const match = spec.ready.exec(line);
        if (match) {
          finish();
          resolve({ name: spec.name, pid: child.pid!, url: match[1] ?? '', process: child, stop });
          return;
        }
      }
    }, 25);
    const onEarlyExit = (code: number | null, signal: string | null) => fail(`exited before it was ready (code ${code}, signal ${signal})`);
    child.once('exit', onEarlyExit);
    child.once('error', (error) => fail(`could not start: ${error.message}`));
  });
}

/** Stops every child still running. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }));
}

/**
 * Last resort on process exit (also after an uncaught error): SIGKILL whatever is left, since
 * nothing asynchronous can run any more.
 */
export function killAllNow(): void {
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

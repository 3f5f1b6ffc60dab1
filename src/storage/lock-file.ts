import { open, readFile, unlink } from 'node:fs/promises';

/**
 * A pid file that keeps a second process (or a second open in this one) off a file only one
 * writer may own. A lock left by a process that died is taken over.
 */
export interface LockFile {
  release(): Promise<void>;
}

/** Lock paths held by this process: its own pid in a lock file is then not a leftover. */
const heldHere = new Set<string>();

/**
 * Takes `lockPath` (an absolute path) for this process. `what` names the guarded thing in the
 * error, e.g. "The audit log /data/audit.jsonl".
 */
export async function acquireLockFile(lockPath: string, what: string): Promise<LockFile> {
  if (heldHere.has(lockPath)) throw new Error(`${what} is already open in this process (lock file ${lockPath}); close it before opening it again`);
  // Two attempts: the second follows the removal of a dead owner's lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockPath, 'wx');
      try {
        await handle.writeFile(`${process.pid}\n`);
      } finally {
        await handle.close();
      }
      heldHere.add(lockPath);
      return { release: () => release(lockPath) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = await readOwner(lockPath);
    // Our own pid here is a previous run that had the same pid (pid 1 in a container, say):
    // opens by this process are caught by heldHere above.
    if (owner !== null && owner !== process.pid && isProcessAlive(owner)) {
      throw new Error(
        `${what} is in use by process ${owner} (lock file ${lockPath}). A file audit trail serves one process; stop the other one, or set DATABASE_URL to share the trail between replicas.`,
      );
    }
    await unlink(lockPath).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
  throw new Error(`${what} could not be locked: another process keeps taking ${lockPath}`);
}

async function release(lockPath: string): Promise<void> {
  if (!heldHere.delete(lockPath)) return;
  await unlink(lockPath).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

/** The pid in the lock file; null when it is empty or garbled (its writer died before finishing it). */
async function readOwner(lockPath: string): Promise<number | null> {
  const text = await readFile(lockPath, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** Whether a process with this pid exists (signal 0 only checks). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

import { randomUUID } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { syncDirectory, writeAll } from './durable-fs.js';

/**
 * Replacing a whole file so that a crash leaves either the old or the new content, never a mix:
 * write a synced temporary file beside it, rename it over, sync the directory. The stores that
 * rewrite their file (group links, the SCIM records' compaction) share it, and its temp naming.
 */
const TEMP_SUFFIX = '.tmp';
const tempPrefix = (path: string) => `${basename(path)}.`;

/** A temporary file of `path` named `name`, with the pid that wrote it (NaN when unreadable); null when it is none. */
export function tempFileOf(path: string, name: string): { pid: number } | null {
  const prefix = tempPrefix(path);
  if (!name.startsWith(prefix) || !name.endsWith(TEMP_SUFFIX)) return null;
  return { pid: Number(name.slice(prefix.length).split('.')[0]) };
}

export async function replaceFile(path: string, content: string): Promise<void> {
  const temp = join(dirname(path), `${tempPrefix(path)}${process.pid}.${randomUUID()}${TEMP_SUFFIX}`);
  try {
    const handle = await open(temp, 'wx');
    try {
      await writeAll(handle, Buffer.from(content, 'utf8'));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dirname(path));
}

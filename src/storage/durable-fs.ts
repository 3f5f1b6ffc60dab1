import { open, type FileHandle } from 'node:fs/promises';

/** Writes all of `data` at the handle's position (end of file for an append handle); a write may be short. */
export async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    offset += bytesWritten;
  }
}

/**
 * A created or renamed file is only durable once its directory entry is: fsync the directory
 * too, or a power loss can leave the file (or the rename) missing although its data was synced.
 */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

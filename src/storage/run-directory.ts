import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A directory that lives as long as one run of the process: made under the system's temporary
 * directory at start, removed at close. For state that must not outlive what it describes.
 */
export interface RunDirectory {
  readonly path: string;
  remove(): Promise<void>;
}

export async function openRunDirectory(prefix: string): Promise<RunDirectory> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

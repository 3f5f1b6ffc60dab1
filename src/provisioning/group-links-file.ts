import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { syncDirectory, writeAll } from '../storage/durable-fs.js';
import { isProcessAlive } from '../storage/lock-file.js';
import { serialQueue } from '../storage/serial-queue.js';
import type { GroupLink, GroupLinkStore } from './group-links.js';

/**
 * Group links in one JSON file, for a single gateway process. Every change rewrites the whole
 * file through a synced temporary file renamed over it, so a crash leaves either the old or the
 * new content, never a mix. The map is small (one entry per pushed group), so it lives in memory.
 */
export async function openFileGroupLinkStore(file: string): Promise<GroupLinkStore> {
  const path = resolve(file);
  await mkdir(dirname(path), { recursive: true });
  await removeDeadTemps(path);
  return new FileGroupLinkStore(path, await load(path));
}

type Links = Map<string, GroupLink>;

const keyOf = (orgId: string, groupId: string) => JSON.stringify([orgId, groupId]);

class FileGroupLinkStore implements GroupLinkStore {
  readonly backend = 'file' as const;
  private readonly queue = serialQueue();
  private closed = false;

  constructor(
    private readonly path: string,
    /** What the file holds: replaced only once a write is durable. */
    private links: Links,
  ) {}

  async get(orgId: string, groupId: string): Promise<GroupLink | undefined> {
    const link = this.links.get(keyOf(orgId, groupId));
    return link && { ...link };
  }

  async findByTeam(orgId: string, teamId: string): Promise<GroupLink | undefined> {
    let found: GroupLink | undefined;
    // Map order is the order links were set (set re-inserts), so the last match is the newest.
    for (const link of this.links.values()) if (link.orgId === orgId && link.teamId === teamId) found = link;
    return found && { ...found };
  }

  set(link: { orgId: string; groupId: string; teamId: string }): Promise<void> {
    const { orgId, groupId, teamId } = link;
    return this.change((next) => {
      const key = keyOf(orgId, groupId);
      next.delete(key);
      next.set(key, { orgId, groupId, teamId, updatedAt: new Date().toISOString() });
      return true;
    });
  }

  delete(orgId: string, groupId: string): Promise<void> {
    return this.change((next) => next.delete(keyOf(orgId, groupId)));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.queue.idle();
  }

  /** Applies `edit` to a copy and, when it changed something, makes the copy durable. */
  private change(edit: (next: Links) => boolean): Promise<void> {
    if (this.closed) return Promise.reject(new Error('The group link store is closed'));
    return this.queue.run(async () => {
      const next = new Map(this.links);
      if (!edit(next)) return;
      await replaceFile(this.path, `${JSON.stringify({ links: [...next.values()] }, null, 2)}\n`);
      this.links = next;
    });
  }
}

async function load(path: string): Promise<Links> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw error;
  }
  let links: GroupLink[];
  try {
    links = (JSON.parse(text) as { links: GroupLink[] }).links;
    if (!Array.isArray(links)) throw new Error('no "links" array');
  } catch (error) {
    throw new Error(`The group links file ${path} is unreadable (${error instanceof Error ? error.message : String(error)}); restore it from a backup or remove it to start empty`);
  }
  return new Map(links.map((link) => [keyOf(link.orgId, link.groupId), link]));
}

const tempPrefix = (path: string) => `${basename(path)}.`;
const TEMP_SUFFIX = '.tmp';

/** Writes `content` next to `path`, syncs it, and renames it over `path`. */
async function replaceFile(path: string, content: string): Promise<void> {
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

/** Temporary files left by a process killed mid-write; a live process's are still in use. */
async function removeDeadTemps(path: string): Promise<void> {
  const prefix = tempPrefix(path);
  for (const name of await readdir(dirname(path))) {
    if (!name.startsWith(prefix) || !name.endsWith(TEMP_SUFFIX)) continue;
    const pid = Number(name.slice(prefix.length).split('.')[0]);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isProcessAlive(pid)) continue;
    await unlink(join(dirname(path), name)).catch(() => undefined);
  }
}

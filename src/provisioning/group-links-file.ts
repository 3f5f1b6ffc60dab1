import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { isProcessAlive } from '../storage/lock-file.js';
import { serialQueue } from '../storage/serial-queue.js';
import { replaceFile, tempFileOf } from '../storage/replace-file.js';
import { byGroupId, type GroupLink, type GroupLinkStore, type PushedState, type TeamClaim } from './group-links.js';

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

/** What the file holds: the links, and the teams being created that no link names yet. */
interface State {
  links: Map<string, GroupLink>;
  claims: Map<string, TeamClaim>;
}

const keyOf = (orgId: string, groupId: string) => JSON.stringify([orgId, groupId]);

class FileGroupLinkStore implements GroupLinkStore {
  readonly backend = 'file' as const;
  private readonly queue = serialQueue();
  private closed = false;

  constructor(
    private readonly path: string,
    /** What the file holds: replaced only once a write is durable. */
    private state: State,
  ) {}

  async get(orgId: string, groupId: string): Promise<GroupLink | undefined> {
    const link = this.state.links.get(keyOf(orgId, groupId));
    return link && copy(link);
  }

  async findByTeam(orgId: string, teamId: string): Promise<GroupLink | undefined> {
    let found: GroupLink | undefined;
    // Map order is the order links were set (set re-inserts), so the last match is the newest.
    for (const link of this.state.links.values()) if (link.orgId === orgId && link.teamId === teamId) found = link;
    return found && copy(found);
  }

  async list(orgId: string): Promise<GroupLink[]> {
    // A scan: the map holds one entry per pushed group, and listing is rare next to get.
    return [...this.state.links.values()].filter((link) => link.orgId === orgId).sort(byGroupId).map(copy);
  }

  set(link: { orgId: string; groupId: string; teamId: string }): Promise<void> {
    const { orgId, groupId, teamId } = link;
    return this.change((next) => {
      const key = keyOf(orgId, groupId);
      // A link to the same team keeps what was last pushed to it; another team starts afresh.
      const before = next.links.get(key);
      next.links.delete(key);
      const pushed = before?.teamId === teamId ? before.pushed : undefined;
      next.links.set(key, { orgId, groupId, teamId, updatedAt: new Date().toISOString(), ...(pushed ? { pushed } : {}) });
      next.claims.delete(key);
      return true;
    });
  }

  recordPush(orgId: string, groupId: string, pushed: Omit<PushedState, 'at'>): Promise<void> {
    return this.change((next) => {
      const key = keyOf(orgId, groupId);
      const link = next.links.get(key);
      if (!link) return false;
      // Replaced in place: the map's order (findByTeam's "most recently set") is the links' own.
      next.links.set(key, { ...link, pushed: { ...pushed, members: pushed.members.map((m) => ({ ...m })), at: new Date().toISOString() } });
      return true;
    });
  }

  delete(orgId: string, groupId: string): Promise<void> {
    const key = keyOf(orgId, groupId);
    // Both run: `||` would skip the claim whenever a link was there.
    return this.change((next) => [next.links.delete(key), next.claims.delete(key)].includes(true));
  }

  claimTeam(claim: TeamClaim): Promise<void> {
    const { orgId, groupId, teamName } = claim;
    return this.change((next) => {
      const key = keyOf(orgId, groupId);
      if (next.claims.get(key)?.teamName === teamName) return false;
      next.claims.set(key, { orgId, groupId, teamName });
      return true;
    });
  }

  async claimedTeamName(orgId: string, groupId: string): Promise<string | undefined> {
    return this.state.claims.get(keyOf(orgId, groupId))?.teamName;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.queue.idle();
  }

  /** Applies `edit` to a copy and, when it changed something, makes the copy durable. */
  private change(edit: (next: State) => boolean): Promise<void> {
    if (this.closed) return Promise.reject(new Error('The group link store is closed'));
    return this.queue.run(async () => {
      const next: State = { links: new Map(this.state.links), claims: new Map(this.state.claims) };
      if (!edit(next)) return;
      // Claims are short-lived (a create and its link apart), so the file mostly has none to list.
      const content = next.claims.size ? { links: [...next.links.values()], claims: [...next.claims.values()] } : { links: [...next.links.values()] };
      await replaceFile(this.path, `${JSON.stringify(content, null, 2)}\n`);
      this.state = next;
    });
  }
}

/** A copy the caller may change without touching the store's state. */
const copy = (link: GroupLink): GroupLink => ({ ...link, ...(link.pushed ? { pushed: { ...link.pushed, members: link.pushed.members.map((m) => ({ ...m })) } } : {}) });

async function load(path: string): Promise<State> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { links: new Map(), claims: new Map() };
    throw error;
  }
  let links: GroupLink[];
  let claims: TeamClaim[];
  try {
    const content = JSON.parse(text) as { links: GroupLink[]; claims?: TeamClaim[] };
    links = content.links;
    // Files written before claims existed have none; links written before pushes were recorded have no `pushed`.
    claims = content.claims ?? [];
    if (!Array.isArray(links)) throw new Error('no "links" array');
    if (!Array.isArray(claims)) throw new Error('"claims" is not an array');
  } catch (error) {
    throw new Error(`The group links file ${path} is unreadable (${error instanceof Error ? error.message : String(error)}); restore it from a backup or remove it to start empty`);
  }
  return {
    links: new Map(links.map((link) => [keyOf(link.orgId, link.groupId), link])),
    claims: new Map(claims.map((claim) => [keyOf(claim.orgId, claim.groupId), claim])),
  };
}

/** Temporary files left by a process killed mid-write; a live process's are still in use. */
async function removeDeadTemps(path: string): Promise<void> {
  for (const name of await readdir(dirname(path))) {
    const pid = tempFileOf(path, name)?.pid;
    if (pid === undefined) continue;
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isProcessAlive(pid)) continue;
    await unlink(join(dirname(path), name)).catch(() => undefined);
  }
}

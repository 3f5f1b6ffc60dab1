import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * An older commit's files, unpacked beside this checkout for an A/B run (bench/compare.ts). It is
 * `git archive` into a temporary directory rather than a `git worktree`, so a run that dies leaves
 * no entry in the repository's worktree list behind.
 */

const ROOT = new URL('..', import.meta.url).pathname;

export interface CommitTree {
  /** The full commit id the ref resolved to. */
  commit: string;
  /** One line: the commit's short id, date and subject. */
  describe: string;
  dir: string;
  /** How its dependencies were provided. */
  dependencies: 'shared with this checkout' | 'installed with npm ci';
  remove(): void;
}

type Manifest = { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };

const git = (args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();

/**
 * Packages the older commit declares at a version this checkout does not install. None: its code
 * can run on this checkout's node_modules (a package added since is one it never imports).
 */
function differingDependencies(older: Manifest, current: Manifest): string[] {
  const installed = { ...current.dependencies, ...current.devDependencies };
  return Object.entries({ ...older.dependencies, ...older.devDependencies })
    .filter(([name, version]) => installed[name] !== version)
    .map(([name, version]) => `${name}@${version}`);
}

export function unpackCommit(ref: string, log: (line: string) => void): CommitTree {
  const commit = git(['rev-parse', '--verify', `${ref}^{commit}`]);
  const describe = git(['show', '-s', '--format=%h %cs %s', commit]);
  const dir = mkdtempSync(join(tmpdir(), 'anypoint-graph-compare-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    execFileSync('/bin/sh', ['-c', `git archive --format=tar ${commit} | tar -x -C "${dir}"`], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    const older = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
    const current = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;
    const differing = differingDependencies(older, current);
    if (differing.length === 0) {
      symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
      // A commit with the compiled build runs dist/, which npm ci's prepare would have built.
      if (existsSync(join(dir, 'tsconfig.build.json'))) {
        execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
      }
      return { commit, describe, dir, dependencies: 'shared with this checkout', remove };
    }
    log(`compare: ${describe.split(' ')[0]} pins other versions (${differing.slice(0, 3).join(', ')}${differing.length > 3 ? ', ...' : ''}); running npm ci there`);
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    return { commit, describe, dir, dependencies: 'installed with npm ci', remove };
  } catch (error) {
    remove();
    throw error;
  }
}

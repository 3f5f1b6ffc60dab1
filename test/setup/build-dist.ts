import { execFileSync } from 'node:child_process';
import { readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Vitest's global setup: the tests that spawn bin/anypoint-graph.js run dist/, so dist/ is brought
 * up to date with src/ and resolvers/ first (`npm run build`, incremental), or an edit would be
 * tested only through the in-process tests while the spawned ones ran the last build. Skipped
 * when no source file is newer than the last build, so a single `npx vitest run <file>` pays
 * nothing when dist/ is current.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUILD_INFO = join(ROOT, 'dist', '.tsbuildinfo');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function lastBuild(): number {
  try {
    return statSync(BUILD_INFO).mtimeMs;
  } catch {
    return 0;
  }
}

export default function setup(): void {
  const sources = Math.max(newestSource(join(ROOT, 'src')), newestSource(join(ROOT, 'resolvers')), statSync(join(ROOT, 'tsconfig.build.json')).mtimeMs);
  if (sources <= lastBuild()) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  // tsc leaves its build info alone when nothing changed (a touched file, a checkout): mark the
  // check as done so the next run skips it.
  const now = new Date();
  utimesSync(BUILD_INFO, now, now);
}

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package's own directory (the nearest one above this module holding package.json), whether
 * this runs as src/package-root.ts through tsx (tests, the benchmark) or compiled as
 * dist/src/package-root.js (`npm start`, the bin). Files that are read at run time rather than
 * compiled — schema/*.graphql, the simulator's data/, the reports page's assets — are read from
 * here, from the source tree, so both ways read the same files and the build copies none.
 * dist/ has no package.json of its own, so the walk never stops inside it.
 */
function findPackageRoot(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}

export const PACKAGE_ROOT = findPackageRoot();

/** A path inside the package: `fromPackageRoot('schema')`, `fromPackageRoot('src', 'reports', file)`. */
export const fromPackageRoot = (...segments: string[]): string => join(PACKAGE_ROOT, ...segments);

// `npm ci`'s prepare step: builds dist/ (`npm run build`). An install without devDependencies
// (`npm ci --omit=dev`) has no TypeScript to build with; npm still runs prepare, so this says
// so in one line and leaves whatever dist/ is there (one built before, e.g. by a full install
// followed by `npm prune --omit=dev`, or copied in) instead of failing the install with
// "tsc: not found".
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc');
} catch {
  console.log('anypoint-graph: TypeScript is not installed (devDependencies omitted), so dist/ is not rebuilt; `npm run build` needs a full `npm ci`.');
  process.exit(0);
}
const { status, signal } = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit', cwd: new URL('..', import.meta.url) });
process.exit(status ?? (signal ? 1 : 0));

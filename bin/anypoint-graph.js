#!/usr/bin/env node
// Launcher: runs the compiled JavaScript in dist/, which `npm ci` builds (the `prepare` script,
// `npm run build` by hand). tsx is only for the tests and the benchmark; nothing here loads it.
import { existsSync } from 'node:fs';

// graphql-js runs extra development-only checks on every resolved value unless NODE_ENV is
// production; a deployment can still set NODE_ENV itself.
process.env.NODE_ENV ??= 'production';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
// Without dist/ (deleted, or an install that skipped scripts) say what to do in one line rather
// than a stack trace. No fallback to running the sources through tsx: that would be silently
// slower to start and heavier (the figures are in bench/RESULTS.md), tsx is a devDependency that
// a production install does not have, and a server that behaves differently depending on what
// happens to be installed is harder to reason about than one that asks for its build.
if (!existsSync(entry)) {
  console.error('anypoint-graph: dist/ is missing; run `npm run build` (npm ci does it) first.');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));

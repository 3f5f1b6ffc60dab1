#!/usr/bin/env node
// Launcher: registers tsx so the TypeScript sources run as they are, with no build step
// between `npm ci` and `npx anypoint-graph ...`.
import { register } from 'tsx/esm/api';

// graphql-js runs extra development-only checks on every resolved value unless NODE_ENV is
// production; a deployment can still set NODE_ENV itself.
process.env.NODE_ENV ??= 'production';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));

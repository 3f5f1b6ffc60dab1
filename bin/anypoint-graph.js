#!/usr/bin/env node
// Launcher: registers tsx so the TypeScript sources run as they are, with no build step
// between `npm ci` and `npx anypoint-graph ...`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));

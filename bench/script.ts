import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killAllNow, stopAll } from './children.js';

/**
 * Runs a stand-alone bench script (profile-cold.ts, chain-wait.ts) with a scratch data
 * directory, and always stops its children and removes the directory; on failure the error is
 * printed, any child still alive is killed and the exit code is 1.
 */
export function runScript(prefix: string, body: (dataDir: string) => Promise<void>): void {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  body(dataDir)
    .finally(async () => {
      await stopAll();
      rmSync(dataDir, { recursive: true, force: true });
    })
    .catch((error) => {
      console.error(error);
      killAllNow();
      process.exitCode = 1;
    });
}

/** `--runs N` from the command line, else `fallback`. */
export function runsArg(fallback: number): number {
  const at = process.argv.indexOf('--runs');
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

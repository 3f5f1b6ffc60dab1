import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';

export interface Serving {
  /** The GraphQL URL of the "is serving" log line. */
  url: string;
  /** Everything the child printed so far (it keeps collecting). */
  stdout(): string;
  stderr(): string;
}

/**
 * Waits for a spawned `anypoint-graph serve` to log its "serving <url>/graphql" line, collecting
 * its output for the test's later checks; rejects (with its stderr) if it exits first.
 */
export function waitForServing(child: ChildProcessByStdio<null, Readable, Readable>): Promise<Serving> {
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<Serving>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const m = /serving (http:\/\/\S+\/graphql)/.exec(stdout);
      if (m) resolve({ url: m[1]!, stdout: () => stdout, stderr: () => stderr });
    });
    child.once('exit', () => reject(new Error(`serve exited early: ${stderr}`)));
  });
}

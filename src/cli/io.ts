/** How commands talk to the terminal; injected so tests can capture output. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /**
   * Called once a command has failed and closed what it opened. The terminal's io makes sure
   * the process then ends, even if a close could not release something (a socket still open
   * would keep Node running forever); tests' io leave it out, so their process stays up.
   */
  exitAfterFailure?(code: number): void;
}

/** How long a failed command's process may take to end by itself before it is ended. */
export const FAILED_EXIT_GRACE_MS = 3_000;

export const consoleIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  exitAfterFailure(code) {
    process.exitCode = code;
    // unref: a process whose event loop empties exits at once, without waiting for this.
    setTimeout(() => process.exit(code), FAILED_EXIT_GRACE_MS).unref();
  },
};

/** Bad flags or arguments: printed with the command's help hint, exit code 2. */
export class UsageError extends Error {}

/** Resolves with the first SIGINT or SIGTERM, so a command can close what it opened. */
export function waitForShutdown(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

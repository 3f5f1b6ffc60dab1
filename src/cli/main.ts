import { HASH_KEY_HELP, hashKeyCommand } from './hash-key.js';
import { consoleIo, UsageError, type CliIo } from './io.js';
import { SERVE_HELP, serveCommand } from './serve.js';
import { SIMULATE_HELP, simulateCommand } from './simulate.js';

const HELP = `Usage: anypoint-graph <command> [options]
       anypoint-graph help [command]

Commands:
  serve      serve the GraphQL gateway (the embedded simulator when no credentials are set)
  simulate   serve a local, seeded Anypoint Platform simulator
  hash-key   make an API key for a gateway caller and its API_KEYS entry
  help       show this help, or a command's help: anypoint-graph help simulate

Run "anypoint-graph <command> --help" for a command's options.`;

const COMMANDS: Record<string, { run: (args: string[], io: CliIo) => Promise<number>; help: string }> = {
  serve: { run: serveCommand, help: SERVE_HELP },
  simulate: { run: simulateCommand, help: SIMULATE_HELP },
  'hash-key': { run: hashKeyCommand, help: HASH_KEY_HELP },
};

/** Own entries only: `constructor` or `toString` is no command. */
const commandNamed = (name: string) => (Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined);

export async function main(argv: string[], io: CliIo = consoleIo): Promise<number> {
  const [command, ...rest] = argv;
  if (!command) {
    // No command is a usage error: the help goes to stderr, like any other.
    io.err(HELP);
    return 2;
  }
  if (command === '--help' || command === '-h') {
    io.out(HELP);
    return 0;
  }
  if (command === 'help') {
    if (rest[0] === undefined) {
      io.out(HELP);
      return 0;
    }
    const topic = commandNamed(rest[0]);
    if (!topic) {
      io.err(`Unknown command "${rest[0]}".\n\n${HELP}`);
      return 2;
    }
    io.out(topic.help);
    return 0;
  }
  const entry = commandNamed(command);
  if (!entry) {
    io.err(`Unknown command "${command}".\n\n${HELP}`);
    return 2;
  }
  try {
    return await entry.run(rest, io);
  } catch (error) {
    // parseArgs raises TypeErrors with codes like ERR_PARSE_ARGS_UNKNOWN_OPTION for bad flags.
    const code = (error as { code?: string }).code ?? '';
    if (error instanceof UsageError || code.startsWith('ERR_PARSE_ARGS')) {
      io.err(`anypoint-graph ${command}: ${(error as Error).message}\nRun "anypoint-graph ${command} --help" for usage.`);
      return 2;
    }
    io.err(`anypoint-graph ${command} failed: ${error instanceof Error ? error.message : String(error)}`);
    io.exitAfterFailure?.(1);
    return 1;
  }
}

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { allDocs } from '../helpers/docs.js';

/**
 * The docs' CLI usage lines against the real bin's `--help`: every usage line in docs/cli.md
 * (a command with [options]) is the command's own usage line, and every flag any command in
 * README.md or docs/ passes is one the command takes.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/anypoint-graph.js', import.meta.url));
const COMMANDS = ['serve', 'simulate', 'hash-key'] as const;
/** README.md and every docs/ page, as one text: a command may be shown on any of them. */
const DOCS = allDocs().map((d) => d.text).join('\n');

const run = promisify(execFile);
async function bin(...args: string[]): Promise<{ stdout: string; code: number }> {
  try {
    const { stdout } = await run(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 20_000 });
    return { stdout, code: 0 };
  } catch (error) {
    const e = error as { stdout?: string; code?: number };
    return { stdout: e.stdout ?? '', code: e.code ?? -1 };
  }
}

/** The `Usage:` lines at the top of a help text, without the "Usage:" label. */
function usageLines(help: string): string[] {
  const lines: string[] = [];
  for (const line of help.split('\n')) {
    if (line.startsWith('Usage: ')) lines.push(line.slice('Usage: '.length).trim());
    else if (lines.length && /^ {7}\S/.test(line)) lines.push(line.trim());
    else break;
  }
  return lines;
}

/** Every mention of an anypoint-graph command in the docs with what follows it, table escapes undone. */
function readmeCommands(): string[] {
  const found: string[] = [];
  for (const raw of DOCS.split('\n')) {
    const line = raw.replace(/\\\|/g, '|');
    // A code span ends at its backtick, a shell line at its comment.
    for (const m of line.matchAll(/(?:npx )?anypoint-graph (?:serve|simulate|hash-key|help)\b[^`\n#]*/g)) found.push(m[0].trim());
  }
  return found;
}

describe('CLI usage lines', () => {
  const helps: Record<string, string> = {};
  let mainHelp = '';

  beforeAll(async () => {
    const results = await Promise.all(COMMANDS.map((command) => bin(command, '--help')));
    COMMANDS.forEach((command, i) => {
      expect(results[i]!.code, `${command} --help`).toBe(0);
      helps[command] = results[i]!.stdout;
    });
    const main = await bin('--help');
    expect(main.code).toBe(0);
    mainHelp = main.stdout;
  }, 60_000);

  it('has each command start its --help with its usage line, and `help COMMAND` print the same', async () => {
    const viaHelp = await Promise.all(COMMANDS.map((command) => bin('help', command)));
    COMMANDS.forEach((command, i) => {
      expect(usageLines(helps[command]!), command).toEqual([expect.stringMatching(new RegExp(`^anypoint-graph ${command}( |$)`))]);
      expect(viaHelp[i]!.stdout).toBe(helps[command]);
    });
    expect(usageLines(mainHelp)).toEqual(['anypoint-graph <command> [options]', 'anypoint-graph help [command]']);
  });

  it("has the docs' usage line of every command be that command's --help usage line", () => {
    const documented = new Map<string, string>();
    for (const row of DOCS.split('\n').filter((l) => l.startsWith('| `npx anypoint-graph '))) {
      const usage = /^\| `npx (anypoint-graph [^`]*)`/.exec(row)![1]!.replace(/\\\|/g, '|');
      documented.set(usage.split(' ')[1]!, usage);
    }
    expect([...documented.keys()].sort()).toEqual([...COMMANDS, 'help'].sort());
    for (const command of COMMANDS) expect(documented.get(command), command).toBe(usageLines(helps[command]!)[0]);
    expect(usageLines(mainHelp)).toContain(documented.get('help'));
  });

  it('has every flag a documented command passes be one its command takes', () => {
    const commands = readmeCommands();
    expect(commands.length).toBeGreaterThan(5);
    for (const text of commands) {
      const command = /anypoint-graph (\S+)/.exec(text)![1]!;
      if (command === 'help') continue;
      const usage = usageLines(helps[command]!)[0]!;
      const taken = new Set([...usage.matchAll(/--[\w-]+/g)].map((m) => m[0]));
      for (const flag of text.match(/--[\w-]+/g) ?? []) expect(taken.has(flag) || flag === '--help', `${flag} in the docs: "${text}"`).toBe(true);
    }
  });

  it('exits 2 with no command or help for an unknown one, printing nothing on stdout', async () => {
    const [none, unknown, inherited] = await Promise.all([bin(), bin('help', 'nope'), bin('help', 'constructor')]);
    expect(none).toEqual({ stdout: '', code: 2 });
    expect(unknown).toEqual({ stdout: '', code: 2 });
    expect(inherited).toEqual({ stdout: '', code: 2 });
  });

  it('documents simulate --port as optional, defaulting to 8081, as the code does', () => {
    expect(helps.simulate).toMatch(/--port N +port to listen on, 0 picks a free port \(default 8081\)/);
    expect(usageLines(helps.simulate!)[0]).toContain('[--port N]');
    expect(DOCS).not.toMatch(/anypoint-graph simulate --port/);
  });
});

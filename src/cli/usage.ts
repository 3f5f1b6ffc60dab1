import type { ParseArgsConfig } from 'node:util';

/** parseArgs' options: the flags a command parses. */
export type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

/**
 * One source for a command's flags: the parseArgs options it parses and, keyed the same way, how
 * `--help` describes them. The usage line (`anypoint-graph simulate [--port N] ...`) and the
 * options list are both made from these, so neither can name a flag the parser does not take,
 * miss one it does, or show a default other than the one it applies. docs/cli.md's usage lines are
 * checked against the `--help` output (test/cli/usage.test.ts).
 */
export interface OptionDoc {
  /** The value's placeholder, e.g. N or demo|large|empty; string options only. */
  value?: string;
  /** What the flag does; the parser's default, if any, is appended as "(default X)". */
  text: string;
}

export type OptionDocs<O extends ParseArgsOptionsConfig> = { [K in keyof O]: OptionDoc };

const WIDTH = 100;

/** `anypoint-graph COMMAND [--flag VALUE] ...`; --help is left out (every command takes it). */
export function usageLine<O extends ParseArgsOptionsConfig>(command: string, options: O, docs: OptionDocs<O>): string {
  const flags = Object.keys(options)
    .filter((name) => name !== 'help')
    .map((name) => `[--${name}${options[name]!.type === 'string' ? ` ${docs[name]!.value ?? 'VALUE'}` : ''}]`);
  return ['anypoint-graph', command, ...flags].join(' ');
}

export interface HelpText<O extends ParseArgsOptionsConfig> {
  command: string;
  /** Paragraphs between the usage line and the options, already wrapped. */
  about: string;
  options: O;
  docs: OptionDocs<O>;
  /** After the options, already wrapped. */
  footer?: string;
}

export function helpText<O extends ParseArgsOptionsConfig>({ command, about, options, docs, footer }: HelpText<O>): string {
  const rows = Object.keys(options).map((name) => {
    const option = options[name]!;
    const doc = docs[name]!;
    const flag = `${option.short ? `-${option.short}, ` : ''}--${name}${option.type === 'string' ? ` ${doc.value ?? 'VALUE'}` : ''}`;
    const fallback = option.type === 'string' && typeof option.default === 'string' && option.default !== '' ? ` (default ${option.default})` : '';
    return { flag, text: `${doc.text}${fallback}` };
  });
  const column = Math.min(Math.max(...rows.map((r) => r.flag.length)) + 4, 26);
  const lines = rows.flatMap(({ flag, text }) => {
    const wrapped = wrap(text, WIDTH - column);
    const indent = ' '.repeat(column);
    // A flag too long for its column gets the text on the lines below it.
    if (flag.length + 2 + 2 > column) return [`  ${flag}`, ...wrapped.map((l) => `${indent}${l}`)];
    return wrapped.map((l, i) => (i === 0 ? `  ${flag.padEnd(column - 2)}${l}` : `${indent}${l}`));
  });
  return [`Usage: ${usageLine(command, options, docs)}`, '', about, '', 'Options:', ...lines, ...(footer ? ['', footer] : [])].join('\n');
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

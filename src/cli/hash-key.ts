import { parseArgs } from 'node:util';
import { generateApiKey, hashApiKey } from '../server/api-keys.js';
import { ROLES, type Role } from '../server/roles.js';
import { UsageError, type CliIo } from './io.js';
import { helpText, type OptionDocs, type ParseArgsOptionsConfig } from './usage.js';

const OPTIONS = {
  name: { type: 'string', default: 'client' },
  roles: { type: 'string', default: 'reader' },
  key: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsOptionsConfig;

const DOCS: OptionDocs<typeof OPTIONS> = {
  name: { value: 'NAME', text: "the caller's name, shown in the audit trail as key:NAME" },
  roles: { value: 'ROLES', text: `some of ${ROLES.join(', ')}, joined by , or +` },
  key: { value: 'KEY', text: 'hash this existing key instead of generating one (it stays in your shell history; prefer generating)' },
  help: { text: 'show this help' },
};

export const HASH_KEY_HELP = helpText({
  command: 'hash-key',
  about: `Makes an API key for a gateway caller and the API_KEYS entry that admits it. The gateway keeps
only the key's SHA-256; give the key itself to the caller over a safe channel.`,
  options: OPTIONS,
  docs: DOCS,
});

/** The same rules readConfig applies to API_KEYS, so a printed entry is always accepted. */
const NAME_PATTERN = /^[\w.@-]{1,64}$/;
/** Shorter given keys are guessable; generated ones are 47 characters. */
const MIN_KEY_LENGTH = 16;

export async function hashKeyCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: OPTIONS });
  if (values.help) {
    io.out(HASH_KEY_HELP);
    return 0;
  }
  if (!NAME_PATTERN.test(values.name)) throw new UsageError('--name may use 1 to 64 letters, digits and . _ @ - only');
  const roles = parseRoles(values.roles);
  const key = values.key ?? generateApiKey();
  // Never echo a rejected key: it may be a real secret typed into the wrong place.
  if (/\s/.test(key)) throw new UsageError('--key must not contain whitespace (it could not be sent in a header)');
  if (key.length < MIN_KEY_LENGTH) throw new UsageError(`--key must be at least ${MIN_KEY_LENGTH} characters; omit --key to generate one`);

  const sha256 = hashApiKey(key);
  io.out(`Key:            ${key}`);
  io.out(`SHA-256:        ${sha256}`);
  io.out(`API_KEYS entry: ${values.name}:${roles.join(',')}:${sha256}`);
  io.out('');
  io.out('Give the key to the caller (header x-api-key); the gateway keeps only the SHA-256.');
  io.out('Add the entry to API_KEYS, separating entries with ";".');
  return 0;
}

function parseRoles(raw: string): Role[] {
  const names = [...new Set(raw.split(/[,+]/).map((r) => r.trim()).filter(Boolean))];
  const unknown = names.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length) throw new UsageError(`unknown role${unknown.length > 1 ? 's' : ''} ${unknown.map((r) => `"${r}"`).join(', ')}: --roles takes some of ${ROLES.join(', ')}`);
  if (!names.length) throw new UsageError(`--roles needs at least one of ${ROLES.join(', ')}`);
  return names as Role[];
}

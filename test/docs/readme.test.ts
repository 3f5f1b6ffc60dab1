import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors.js';
import { USER_ERROR_CODES } from '../../src/provisioning/user-errors.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

function section(title: string): string {
  const start = readme.indexOf(`## ${title}`);
  expect(start, `README has a "${title}" section`).toBeGreaterThanOrEqual(0);
  const end = readme.indexOf('\n## ', start + 3);
  return readme.slice(start, end < 0 ? undefined : end);
}

describe('README stays true', () => {
  it('documents exactly the error codes of the registry, with the same meanings', () => {
    const rows = [...section('Error codes').matchAll(/^\| `([A-Z_]+)` \| (.+) \|$/gm)].map((m) => [m[1], m[2]]);
    expect(Object.fromEntries(rows)).toEqual(ERROR_CODES);
  });

  it('documents exactly the user error codes of the provisioning registry, with the same meanings', () => {
    const rows = [...section('Provisioning').matchAll(/^\| `([A-Z_]+)` \| (.+) \|$/gm)].map((m) => [m[1], m[2]]);
    expect(Object.fromEntries(rows)).toEqual(USER_ERROR_CODES);
  });

  it('shows an example of every mutation', () => {
    const schema = readFileSync(new URL('../../schema/provisioning.graphql', import.meta.url), 'utf8');
    const mutations = [...schema.slice(schema.indexOf('type Mutation')).split('\n}')[0]!.matchAll(/^  (\w+)\(input/gm)].map((m) => m[1]!);
    expect(mutations.length).toBe(8);
    const documented = section('Provisioning');
    for (const name of mutations) expect(documented, `README shows ${name}`).toMatch(new RegExp(`mutation[^{]*\\{\\s*${name}\\(`));
  });

  it('documents every environment variable the config reader reads', () => {
    const source = readFileSync(new URL('../../src/config/config.ts', import.meta.url), 'utf8');
    const read = new Set([...source.matchAll(/r\.(?:string|optional|int|share|bool|oneOf)\('([A-Z_]+)'/g)].map((m) => m[1]!));
    expect(read.size).toBeGreaterThan(15);
    const documented = section('Settings');
    for (const name of read) expect(documented, `README documents ${name}`).toContain(`\`${name}\``);
    // Per-kind TTLs are read through a template; the README names the pattern and each kind.
    expect(documented).toContain('CACHE_TTL_<KIND>_SECONDS');
  });

  it('shows the quick start commands', () => {
    const quick = section('Quick start');
    for (const command of ['npm ci', 'npm start', 'npm test']) expect(quick).toContain(command);
  });
});

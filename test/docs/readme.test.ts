import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors.js';
import { USER_ERROR_CODES } from '../../src/provisioning/user-errors.js';
import { allDocs, readDoc, section as sectionOf } from '../helpers/docs.js';
import { EXPECTED_ENTITIES } from '../federation/expected-entities.js';

/** A reference page's `## title` section; the test fails when the page lacks it. */
function section(title: string, page: `${string}.md`): string {
  const found = sectionOf(readDoc(page), title);
  expect(found, `${page} has a "${title}" section`).toBeDefined();
  return found!;
}

describe('the docs stay true', () => {
  it('documents exactly the error codes of the registry, with the same meanings', () => {
    const rows = [...section('Error codes', 'errors.md').matchAll(/^\| `([A-Z_]+)` \| (.+) \|$/gm)].map((m) => [m[1], m[2]]);
    expect(Object.fromEntries(rows)).toEqual(ERROR_CODES);
  });

  it('documents exactly the user error codes of the provisioning registry, with the same meanings', () => {
    const rows = [...section('Provisioning', 'provisioning.md').matchAll(/^\| `([A-Z_]+)` \| (.+) \|$/gm)].map((m) => [m[1], m[2]]);
    expect(Object.fromEntries(rows)).toEqual(USER_ERROR_CODES);
  });

  it('shows an example of every mutation', () => {
    const schema = readFileSync(new URL('../../schema/provisioning.graphql', import.meta.url), 'utf8');
    const mutations = [...schema.slice(schema.indexOf('type Mutation')).split('\n}')[0]!.matchAll(/^  (\w+)\(input/gm)].map((m) => m[1]!);
    expect(mutations.length).toBe(8);
    const documented = section('Provisioning', 'provisioning.md');
    for (const name of mutations) expect(documented, `docs/provisioning.md shows ${name}`).toMatch(new RegExp(`mutation[^{]*\\{\\s*${name}\\(`));
  });

  it('documents every environment variable the config reader reads', () => {
    const source = readFileSync(new URL('../../src/config/config.ts', import.meta.url), 'utf8');
    const read = new Set([...source.matchAll(/r\.(?:string|optional|int|share|bool|oneOf)\('([A-Z_]+)'/g)].map((m) => m[1]!));
    expect(read.size).toBeGreaterThan(15);
    const documented = section('Settings', 'settings.md');
    for (const name of read) expect(documented, `docs/settings.md documents ${name}`).toContain(`\`${name}\``);
    // Per-kind TTLs are read through a template; the page names the pattern and each kind.
    expect(documented).toContain('CACHE_TTL_<KIND>_SECONDS');
  });

  it('shows the quick start commands', () => {
    const quick = section('Quick start', 'README.md');
    for (const command of ['npm ci', 'npm start', 'npm test']) expect(quick).toContain(command);
  });

  it("shows the supergraph's entity keys as test/federation/supergraph.test.ts composes them", () => {
    const page = readDoc('federation.md');
    const table = page.slice(page.indexOf('| entity | `@join__type` keys |'));
    const rows = [...table.slice(0, table.indexOf('\n\n')).matchAll(/^\| `(\w+)` \| (.+) \|$/gm)].map((m) => [m[1], [...m[2]!.matchAll(/`([^`]+)`/g)].map((k) => k[1])]);
    expect(Object.fromEntries(rows)).toEqual(EXPECTED_ENTITIES);
  });

  it('links only to pages and anchors that exist', () => {
    const docs = allDocs();
    const anchors = new Map(docs.map((d) => [d.path, new Set([...d.text.matchAll(/^#+ (.+)$/gm)].map((m) => slug(m[1]!)))]));
    const broken: string[] = [];
    for (const doc of docs) {
      for (const m of doc.text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!;
        if (/^(https?:|mailto:)/.test(target)) continue;
        const [file, anchor] = target.split('#');
        const dir = doc.path.includes('/') ? 'docs/' : '';
        const path = file ? normalize(dir + file) : doc.path;
        if (!anchors.has(path)) {
          if (!existsSync(new URL(`../../${path}`, import.meta.url))) broken.push(`${doc.path} -> ${target}`);
          continue;
        }
        if (anchor && !anchors.get(path)?.has(anchor)) broken.push(`${doc.path} -> ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
});

/** GitHub's heading anchor: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading.toLowerCase().replace(/[^a-z0-9 _-]/g, '').replace(/ /g, '-');
}

/** `docs/../README.md` -> `README.md`. */
function normalize(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) part === '..' ? out.pop() : out.push(part);
  return out.join('/');
}

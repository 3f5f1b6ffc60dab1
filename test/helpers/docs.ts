import { readFileSync, readdirSync } from 'node:fs';

/**
 * The documentation the tests hold to the code: README.md (the front page, by task) and the
 * reference pages under docs/.
 */
const ROOT = new URL('../../', import.meta.url);

/** README.md (the front page), or a page of docs/ by file name ('settings.md'). */
export function readDoc(name: 'README.md' | `${string}.md`): string {
  return readFileSync(new URL(name === 'README.md' ? name : `docs/${name}`, ROOT), 'utf8');
}

/** README.md and every page of docs/, each with its path. */
export function allDocs(): Array<{ path: string; text: string }> {
  const pages = readdirSync(new URL('docs/', ROOT)).filter((f) => f.endsWith('.md')).sort();
  return ['README.md', ...pages.map((f) => `docs/${f}`)].map((path) => ({ path, text: readFileSync(new URL(path, ROOT), 'utf8') }));
}

/** The `## title` section of a page, up to the next `## ` heading; undefined when absent. */
export function section(text: string, title: string): string | undefined {
  const start = text.indexOf(`\n## ${title}`);
  if (start < 0) return undefined;
  const end = text.indexOf('\n## ', start + 4);
  return text.slice(start + 1, end < 0 ? undefined : end);
}

/** The fenced code blocks of one language in a page, in order. */
export function codeBlocks(text: string, lang: string): string[] {
  return [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
}

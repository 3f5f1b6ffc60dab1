import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { waitForServing } from '../helpers/serve-process.js';

/**
 * The bin runs the compiled build (dist/, kept current by test/setup/build-dist.ts), not the
 * TypeScript sources through tsx. A module-resolution hook in the child records every module it
 * loads, so the test sees where the running code comes from.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'anypoint-graph.js');
const scratch = mkdtempSync(join(tmpdir(), 'anypoint-graph-dist-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** `--import` this and every module the process resolves is appended to LOAD_LOG, one URL a line. */
function loadRecorder(): string {
  const hooks = join(scratch, 'hooks.mjs');
  writeFileSync(
    hooks,
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.LOAD_LOG, result.url + '\\n');
  return result;
}
`,
  );
  const register = join(scratch, 'register.mjs');
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  return register;
}

const demoEnv = () => {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of ['ANYPOINT_BASE_URL', 'ANYPOINT_CLIENT_ID', 'ANYPOINT_CLIENT_SECRET', 'ANYPOINT_ORG_ID', 'REDIS_URL', 'DATABASE_URL', 'API_KEYS', 'PORT', 'NODE_OPTIONS', 'NODE_ENV']) delete env[name];
  return env;
};

describe('the compiled build', () => {
  it('serves the demo graph from dist/ without loading tsx or any .ts file', async () => {
    expect(existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))).toBe(true);
    const log = join(scratch, 'loaded.txt');
    writeFileSync(log, '');
    const child = spawn(process.execPath, ['--import', loadRecorder(), BIN, 'serve', '--port', '0', '--host', '127.0.0.1'], {
      cwd: ROOT,
      env: { ...demoEnv(), LOAD_LOG: log },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const serving = waitForServing(child);
    try {
      const served = await serving;
      const url = served.url;
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ viewer { organization { name } } }' }) });
      expect(await res.json()).toEqual({ data: { viewer: { organization: { name: 'Acme' } } } });
      // Files read at run time, not compiled: GraphiQL's from node_modules, the reports page's from src/reports.
      const origin = new URL(url).origin;
      expect((await fetch(`${origin}/graphiql/graphiql.css`)).status).toBe(200);
      const page = await fetch(`${origin}/reports/access-review`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<html');

      const loaded = readFileSync(log, 'utf8').split('\n').filter(Boolean);
      const own = loaded.filter((u) => u.startsWith(pathToFileURL(ROOT).href) && !u.includes('/node_modules/'));
      expect(own).toContain(pathToFileURL(join(ROOT, 'dist', 'src', 'cli', 'main.js')).href);
      expect(own).toContain(pathToFileURL(join(ROOT, 'dist', 'resolvers', 'index.js')).href);
      // Nothing of the project outside dist/ but the bin itself, no TypeScript, no tsx.
      expect(own.filter((u) => !u.includes('/dist/') && !u.endsWith('/bin/anypoint-graph.js'))).toEqual([]);
      expect(loaded.filter((u) => u.endsWith('.ts') || u.endsWith('.mts') || u.endsWith('.cts'))).toEqual([]);
      expect(loaded.filter((u) => u.includes('/node_modules/tsx/'))).toEqual([]);

      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
      expect(served.stderr()).toBe('');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('without dist/, says in one line to run npm run build, with no stack trace', async () => {
    // The bin alone in a package directory that has no dist/.
    const pkg = join(scratch, 'unbuilt');
    mkdirSync(join(pkg, 'bin'), { recursive: true });
    copyFileSync(BIN, join(pkg, 'bin', 'anypoint-graph.js'));
    writeFileSync(join(pkg, 'package.json'), '{ "type": "module" }\n');
    const child = spawn(process.execPath, [join(pkg, 'bin', 'anypoint-graph.js'), 'serve'], { cwd: pkg, env: demoEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toContain('npm run build');
  });
});

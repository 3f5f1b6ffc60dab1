import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { waitForServing } from '../helpers/serve-process.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/anypoint-graph.js', import.meta.url));

/** `npm start` is `anypoint-graph serve`: on a machine with no credentials it must serve the demo graph. */
describe('anypoint-graph serve', () => {
  it('starts with the embedded simulator, serves GraphiQL and data, and stops cleanly on SIGTERM', async () => {
    const env = { ...process.env };
    for (const name of ['ANYPOINT_BASE_URL', 'ANYPOINT_CLIENT_ID', 'ANYPOINT_CLIENT_SECRET', 'ANYPOINT_ORG_ID', 'REDIS_URL']) delete env[name];
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const serving = waitForServing(child);
    try {
      const served = await serving;
      const url = served.url;
      expect(served.stdout()).toContain('embedded simulator');
      const page = await fetch(url, { headers: { accept: 'text/html' } });
      expect(await page.text()).toContain('GraphiQL');
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ viewer { organization { name } } }' }) });
      expect(await res.json()).toEqual({ data: { viewer: { organization: { name: 'Acme' } } } });
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
      expect(served.stderr()).toBe('');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('refuses contradictory settings with every problem listed and exit code 2', async () => {
    const env = { ...process.env, ANYPOINT_CLIENT_ID: 'only-the-id', PORT: 'eighty' };
    const child = spawn(process.execPath, [BIN, 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr).toContain('ANYPOINT_BASE_URL, ANYPOINT_CLIENT_ID and ANYPOINT_CLIENT_SECRET must be set together');
    expect(stderr).toContain('PORT must be an integer');
    expect(stderr).not.toContain('only-the-id');
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { readJson, usersPath, type Page } from './support.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/anypoint-graph.js', import.meta.url));

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function launch(args: string[]): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

async function run(args: string[]): Promise<RunResult> {
  const child = launch(args);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('anypoint-graph CLI', () => {
  it('prints the usage for --help and exits 0', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: anypoint-graph <command>');
    expect(stdout).toContain('simulate');
  });

  it('prints the simulate options for simulate --help and exits 0', async () => {
    const { code, stdout } = await run(['simulate', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: anypoint-graph simulate');
    for (const flag of ['--port', '--preset', '--seed', '--faults', '--latency-ms', '--token-lifetime', '--rate-limit']) expect(stdout).toContain(flag);
  });

  it('exits 2 for an unknown command', async () => {
    const { code, stderr } = await run(['frobnicate']);
    expect(code).toBe(2);
    expect(stderr).toContain('Unknown command "frobnicate"');
  });

  it('exits 2 for an unknown flag or a bad flag value', async () => {
    const unknown = await run(['simulate', '--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--help');
    const badPort = await run(['simulate', '--port', 'eighty']);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain('--port');
    const badFaults = await run(['simulate', '--port', '0', '--faults', '404:1']);
    expect(badFaults.code).toBe(2);
    const badPreset = await run(['simulate', '--port', '0', '--preset', 'huge']);
    expect(badPreset.code).toBe(2);
  });

  it('serves the simulator on the given port and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const child = launch(['simulate', '--port', String(port), '--seed', 'cli-test']);
    let stdout = '';
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const m = /listening on (http:\/\/\S+)/.exec(stdout);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`CLI exited early with ${code}: ${stderr}`)));
    });
    expect(url).toBe(`http://127.0.0.1:${port}`);

    // Let the banner finish so the credentials can be read from it.
    while (!/client_secret=\w+/.test(stdout)) await once(child.stdout!, 'data');
    const clientId = /client_id=(\w+)/.exec(stdout)![1]!;
    const clientSecret = /client_secret=(\w+)/.exec(stdout)![1]!;
    const orgId = /root organization: (\S+)/.exec(stdout)![1]!;

    const tokenRes = await fetch(`${url}/accounts/api/v2/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
    });
    expect(tokenRes.status).toBe(200);
    const { access_token } = await readJson<{ access_token: string }>(tokenRes);
    const usersRes = await fetch(`${url}${usersPath(orgId)}`, { headers: { authorization: `Bearer ${access_token}` } });
    expect(usersRes.status).toBe(200);
    const users = await readJson<Page<{ organizationId: string }>>(usersRes);
    expect(users.total).toBeGreaterThan(0);
    expect(users.data.every((u) => u.organizationId === orgId)).toBe(true);

    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    child.kill('SIGTERM');
    const [code, signal] = await exited;
    expect(signal).toBeNull();
    expect(code).toBe(0);
    expect(stdout).toContain('Received SIGTERM');
    expect(stderr).not.toContain('unexpected error');
  });
});

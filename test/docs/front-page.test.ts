import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDoc } from '../helpers/docs.js';
import { describeWithService, postgresAvailable, redisAvailable, REDIS_URL } from '../helpers/services.js';
import { startSimHarness, type SimHarness } from '../helpers/simulator.js';
import { isolatedSchema } from '../audit/pg-schema.js';

/**
 * README.md is the front page: each task section's queries and shell commands, run in order as a
 * new user would (in GraphiQL or a terminal) against a fresh `npm start`, must answer without an
 * error. What a user fills in, the test fills in the same way: the demo keys from the start log,
 * `USER-ID` from the createUser answer, the `<angle bracket>` placeholders of the production
 * section with a local control plane (the simulator) and the local Redis and PostgreSQL.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin/anypoint-graph.js');
const README = readDoc('README.md');
const DOCUMENTED_ORIGIN = 'http://127.0.0.1:4000';
/** Sections that are not a task to replay: the install itself, and the index of reference pages. */
const NOT_TASKS = new Set(['Quick start', 'Reference']);
const PRODUCTION = 'Run it in production';

interface Block { lang: 'sh' | 'graphql'; text: string }
interface Section { title: string; blocks: Block[] }

/** The README's `## ` sections with their sh and graphql blocks, in page order. */
function frontPage(): Section[] {
  return README.split(/\n(?=## )/).slice(1).map((chunk) => ({
    title: chunk.slice(3, chunk.indexOf('\n')).trim(),
    blocks: [...chunk.matchAll(/```(sh|graphql)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1] as Block['lang'], text: m[2]! })),
  }));
}

/** Env for a child process: the caller's, without any setting that would leave demo mode. */
function demoEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const name of Object.keys(env)) {
    if (/^(ANYPOINT_|API_KEYS$|JWT_|REDIS_URL$|DATABASE_URL$|AUDIT_LOG_PATH$|GROUP_LINKS_PATH$|SCIM_RECORDS_PATH$|HOST$|PORT$)/.test(name) && !(name in extra)) delete env[name];
  }
  return env;
}

interface Started { child: ChildProcess; origin: string; log: () => string; stop(): Promise<void> }

/** Runs `command` through bash in its own process group and waits for the gateway's "is serving" line. */
async function startGateway(command: string, env: NodeJS.ProcessEnv): Promise<Started> {
  const child = spawn('bash', ['-c', command], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (c: Buffer) => (log += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.kill(-child.pid!, 'SIGTERM');
    const timer = setTimeout(() => child.exitCode === null && process.kill(-child.pid!, 'SIGKILL'), 10_000);
    await once(child, 'exit');
    clearTimeout(timer);
  };
  const origin = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "is serving" line within 60 s:\n${log}`)), 60_000);
    child.stdout!.on('data', () => {
      const m = /is serving (http:\/\/[^/\s]+)\/graphql/.exec(log);
      if (m) { clearTimeout(timer); resolve(m[1]!); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`exited ${code} before serving:\n${log}`)); });
  });
  return { child, origin, log: () => log, stop };
}

interface ShellResult { code: number | null; stdout: string; stderr: string }

/** A README shell block as a user runs it: bash, stopping at the first failing command. */
async function shell(text: string, cwd: string, env: NodeJS.ProcessEnv): Promise<ShellResult> {
  const child = spawn('bash', ['-euo', 'pipefail', '-c', text], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

/** Every non-empty `userErrors` list anywhere in an answer. */
function userErrorsIn(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.flatMap(userErrorsIn);
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) => (key === 'userErrors' && Array.isArray(v) && v.length ? [v] : userErrorsIn(v)));
}

/** What a shell command's output must not hold: a GraphQL, export or SCIM error answer. */
function expectNoErrorOutput(what: string, text: string): void {
  expect(text, what).not.toMatch(/"errors"\s*:/);
  expect(text, what).not.toMatch(/^\{"error"/);
  expect(text, what).not.toContain('urn:ietf:params:scim:api:messages:2.0:Error');
  // A block may print several answers back to back, so the text is matched, not parsed.
  expect(text, what).not.toMatch(/"userErrors"\s*:\s*\[\s*\{/);
}

describe('the README front page, against a fresh npm start', () => {
  let gateway: Started;
  let keys: Record<'reader' | 'provisioner' | 'auditor', string>;
  let workDir: string;
  /** What the user carries from one step to the next (USER-ID from createUser). */
  const filled: Record<string, string> = {};

  beforeAll(async () => {
    gateway = await startGateway('exec npm start', demoEnv({ PORT: '0' }));
    const line = gateway.log().split('\n').find((l) => l.includes('"demoKeys"'));
    expect(line, 'npm start logs the demo keys').toBeDefined();
    keys = (JSON.parse(line!) as { demoKeys: typeof keys }).demoKeys;
    workDir = mkdtempSync(join(tmpdir(), 'front-page-'));
  }, 90_000);
  afterAll(async () => {
    await gateway?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  const fill = (text: string) => text.replace(/\b[A-Z]+-ID\b/g, (name) => {
    expect(filled[name], `${name} was answered by an earlier step`).toBeDefined();
    return filled[name]!;
  });

  async function runGraphql(query: string): Promise<void> {
    // In GraphiQL a user sends the key the task needs; the auditor's reads everything a reader can.
    const key = /^\s*mutation/.test(query) ? keys.provisioner : keys.auditor;
    const res = await fetch(`${gateway.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: JSON.stringify({ query: fill(query) }) });
    const body = (await res.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
    expect(body.errors, query).toBeUndefined();
    expect(res.status, query).toBe(200);
    expect(userErrorsIn(body.data), query).toEqual([]);
    const created = (body.data?.createUser as { user?: { id?: string } } | undefined)?.user?.id;
    if (created) filled['USER-ID'] = created;
  }

  async function runShell(text: string): Promise<void> {
    const command = fill(text).replaceAll(DOCUMENTED_ORIGIN, gateway.origin).replaceAll('npx anypoint-graph', `node ${BIN}`);
    const env = demoEnv({ READER_KEY: keys.reader, PROVISIONER_KEY: keys.provisioner, AUDITOR_KEY: keys.auditor });
    const result = await shell(command, workDir, env);
    expect(result.code, `${text}\n${result.stderr}`).toBe(0);
    expectNoErrorOutput(text, result.stdout);
    for (const m of text.matchAll(/-o (\S+)/g)) {
      const file = join(workDir, m[1]!);
      expect(existsSync(file), `${m[1]} was written`).toBe(true);
      const head = readFileSync(file).subarray(0, 200).toString('latin1');
      expect(head.length, `${m[1]} is not empty`).toBeGreaterThan(0);
      expectNoErrorOutput(`${m[1]}`, head.startsWith('{"error') ? head : '');
    }
  }

  it('has a section for every task the product is for', () => {
    const titles = frontPage().map((s) => s.title);
    for (const task of [/org tree/i, /API inventory/i, /access review/i, /user/i, /group/i, /SCIM/i, /federate/i, /production/i]) {
      expect(titles.some((t) => task.test(t)), String(task)).toBe(true);
    }
  });

  for (const section of frontPage().filter((s) => !NOT_TASKS.has(s.title) && s.title !== PRODUCTION)) {
    it(`${section.title}: every query and command answers without an error`, async () => {
      expect(section.blocks.length, 'the task shows something to run').toBeGreaterThan(0);
      for (const block of section.blocks) {
        if (block.lang === 'graphql') await runGraphql(block.text);
        else await runShell(block.text);
      }
    }, 120_000);
  }
});

describeWithService('the README front page: run it in production (Redis)', redisAvailable, () => {
  describeWithService('the README front page: run it in production (PostgreSQL)', postgresAvailable, () => {
    let sim: SimHarness;
    let schema: { url: string; drop(): Promise<void> };
    let gateway: Started | undefined;

    beforeAll(async () => {
      [sim, schema] = await Promise.all([startSimHarness(), isolatedSchema()]);
    });
    afterAll(async () => {
      await gateway?.stop();
      await Promise.all([sim?.close(), schema?.drop()]);
    });

    it('makes a key with hash-key, starts against the control plane with Redis and PostgreSQL, and serves that key', async () => {
      const section = frontPage().find((s) => s.title === PRODUCTION)!;
      const [hashKey, start] = section.blocks;
      expect(section.blocks.map((b) => b.lang)).toEqual(['sh', 'sh']);

      const made = await shell(hashKey!.text.replaceAll('npx anypoint-graph', `node ${BIN}`), ROOT, demoEnv());
      expect(made.code, made.stderr).toBe(0);
      const key = /^Key:\s+(\S+)/m.exec(made.stdout)![1]!;
      const entry = /^API_KEYS entry:\s+(\S+)/m.exec(made.stdout)![1]!;

      const placeholders: Record<string, string> = {
        '<control plane>': sim.url,
        '<client id>': sim.sim.demoApp.clientId,
        '<client secret>': sim.sim.demoApp.clientSecret,
        '<entries from hash-key, joined by ;>': entry,
        '<redis://host:6379>': REDIS_URL,
        '<postgres://user@host:5432/database>': `'${schema.url}'`,
      };
      let command = start!.text;
      for (const [placeholder, value] of Object.entries(placeholders)) {
        expect(command, `the start command has ${placeholder}`).toContain(placeholder);
        command = command.replaceAll(placeholder, value);
      }
      expect(command).not.toMatch(/<[^>]+>/);
      // The page's last line is `npm start`; exec keeps the process group the test stops.
      gateway = await startGateway(command.replace(/npm start\s*$/, 'exec npm start'), demoEnv({ PORT: '0', CACHE_NAMESPACE: `front-page-${process.pid}` }));

      expect(gateway.log()).not.toContain('embedded simulator');
      expect((await fetch(`${gateway.origin}/readyz`)).status).toBe(200);
      const query = (apiKey?: string) => fetch(`${gateway!.origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(apiKey ? { 'x-api-key': apiKey } : {}) },
        body: JSON.stringify({ query: '{ viewer { organization { name } } }' }),
      });
      const answer = await query(key);
      expect(await answer.json()).toEqual({ data: { viewer: { organization: { name: 'Acme' } } } });
      // With credentials set, strangers are refused: the page's start is not a demo.
      expect((await query()).status).toBe(401);
    }, 120_000);
  });
});

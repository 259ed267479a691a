import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { SYNODCTL_BIN } from './server-process.js';

/** What one synodctl run produced. */
export interface CtlRun {
  readonly code: number | null;
  readonly stdout: string;
  /** stdout byte for byte (keys and values may not be UTF-8). */
  readonly stdoutBytes: Buffer;
  readonly stderr: string;
}

export interface CtlOptions {
  /** Written to stdin, which is then closed; stdin is empty by default. */
  readonly stdin?: string | Buffer;
  /** Extra environment. SYNODCTL_* variables of the test runner itself are never passed on. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Runs `node synodctl.js ...args` to its exit. */
export function runCtl(args: readonly string[], options: CtlOptions = {}): Promise<CtlRun> {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('SYNODCTL_')) env[name] = value;
  Object.assign(env, options.env);
  const child = spawn(process.execPath, [SYNODCTL_BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  child.stdin.end(options.stdin ?? '');
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      const bytes = Buffer.concat(stdout);
      resolve({ code, stdout: bytes.toString('utf8'), stdoutBytes: bytes, stderr: Buffer.concat(stderr).toString('utf8') });
    });
  });
}

/** A synodctl runner bound to one endpoint: `ctl('get', 'k')` runs `synodctl --endpoints <endpoint> get k`. */
export function ctlFor(endpoint: string): (args: readonly string[], options?: CtlOptions) => Promise<CtlRun> {
  return (args, options) => runCtl(['--endpoints', endpoint, ...args], options);
}

/** A loopback port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** The member and cluster ids a server logged at start (decimal strings, exact). */
export function loggedIdentity(logLines: readonly string[]): { clusterId: string; memberId: string } {
  for (const line of logLines) {
    let entry: { clusterId?: string; memberId?: string };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue; // not a log line
    }
    if (entry.clusterId !== undefined && entry.memberId !== undefined) return { clusterId: entry.clusterId, memberId: entry.memberId };
  }
  throw new Error('the server logged no identity');
}

/** Asserts a run succeeded with nothing on stderr, and returns it. */
export function expectOk(run: CtlRun): CtlRun {
  assert.equal(run.code, 0, `exit ${run.code}, stderr: ${run.stderr}`);
  assert.equal(run.stderr, '');
  return run;
}

/** Asserts a run failed as etcdctl fails: `code`, `Error: <message>` on stderr, nothing on stdout. */
export function expectFailure(run: CtlRun, code: number, message: string | RegExp): void {
  if (typeof message === 'string') assert.equal(run.stderr, `Error: ${message}\n`);
  else assert.match(run.stderr, message);
  assert.equal(run.code, code);
  assert.equal(run.stdout, '');
}

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { SYNODCTL_BIN } from './server-process.js';

const OUTPUT_WAIT_MS_DEFAULT = 20_000;

/**
 * A synodctl that runs until stopped (`watch`, `lease keep-alive`): its output is collected as it
 * comes, a test awaits the output it expects (no sleeps), writes to its stdin, signals it and awaits
 * its exit. stdin stays open until `closeStdin`.
 */
export class CtlProcess {
  private stdoutText = '';
  private stderrText = '';
  private readonly waiters = new Set<() => void>();
  /** Set once the process exited and its output streams closed: nothing more will be printed. */
  private closed = false;
  private readonly exitPromise: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    const wake = (): void => {
      for (const waiter of this.waiters) waiter();
    };
    child.stdout.on('data', (chunk: Buffer) => {
      this.stdoutText += chunk.toString('utf8');
      wake();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderrText += chunk.toString('utf8');
      wake();
    });
    this.exitPromise = new Promise((resolve) =>
      child.once('close', (code, signal) => {
        this.closed = true;
        wake();
        resolve({ code, signal });
      }),
    );
  }

  /** Starts `node synodctl.js ...args`. SYNODCTL_* variables of the test runner are not passed on. */
  static start(args: readonly string[], env: Readonly<Record<string, string>> = {}): CtlProcess {
    const childEnv: NodeJS.ProcessEnv = {};
    for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('SYNODCTL_')) childEnv[name] = value;
    Object.assign(childEnv, env);
    return new CtlProcess(spawn(process.execPath, [SYNODCTL_BIN, ...args], { env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  get stdout(): string {
    return this.stdoutText;
  }

  get stderr(): string {
    return this.stderrText;
  }

  /**
   * Resolves with stdout once `done(stdout)` holds; fails if the process exits first or after
   * `timeoutMs`, showing what it printed.
   */
  waitForOutput(what: string, done: (stdout: string) => boolean, timeoutMs = OUTPUT_WAIT_MS_DEFAULT): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (done(this.stdoutText)) finish(() => resolve(this.stdoutText));
        else if (this.closed) finish(() => reject(this.failure(`exited before ${what}`)));
      };
      const timer = setTimeout(() => finish(() => reject(this.failure(`timed out after ${timeoutMs} ms waiting for ${what}`))), timeoutMs);
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        settle();
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Waits until stdout holds `count` lines (newline-terminated) matching `pattern`; resolves with them. */
  async waitForLines(pattern: RegExp, count: number): Promise<string[]> {
    const matching = (stdout: string): string[] => stdout.split('\n').slice(0, -1).filter((line) => pattern.test(line));
    const stdout = await this.waitForOutput(`${count} line(s) matching ${pattern}`, (text) => matching(text).length >= count);
    return matching(stdout);
  }

  write(text: string): void {
    this.child.stdin.write(text);
  }

  closeStdin(): void {
    this.child.stdin.end();
  }

  signal(name: NodeJS.Signals): void {
    this.child.kill(name);
  }

  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.exitPromise;
  }

  /** Kills the process if it still runs (for `after` hooks). */
  async cleanup(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exitPromise;
  }

  private failure(message: string): Error {
    return new Error(`synodctl ${message}\nstdout:\n${this.stdoutText}\nstderr:\n${this.stderrText}`);
  }
}

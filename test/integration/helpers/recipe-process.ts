import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseLine } from '../../../recipes/shared/log.js';

/** The compiled recipe runner (tests run from dist/). */
export const RECIPE_BIN = fileURLToPath(new URL('../../../recipes/run.js', import.meta.url));

/** One line a recipe printed: `<event> key=value ...`. */
export interface RecipeLine {
  /** The line as printed. */
  readonly text: string;
  readonly event: string;
  readonly fields: Record<string, string>;
  /** Its position among the process's lines. */
  readonly index: number;
}

/**
 * A recipe role running as its own process (`node dist/recipes/run.js <recipe> <role> ...`), with every
 * line it printed parsed, and waits on those lines (each wait resolves on the line's arrival).
 */
export class RecipeProcess {
  readonly lines: RecipeLine[] = [];
  readonly stderr: string[] = [];
  private readonly listeners = new Set<() => void>();
  private readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private closed = false;

  private constructor(
    readonly child: ChildProcess,
    readonly label: string,
  ) {
    createInterface({ input: child.stdout! }).on('line', (text) => {
      this.lines.push({ text, ...parseLine(text), index: this.lines.length });
      this.notify();
    });
    createInterface({ input: child.stderr! }).on('line', (text) => this.stderr.push(text));
    // 'close' comes after the last line of output, so a line is never awaited after the process is done.
    this.exit = new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
    void this.exit.then(() => {
      this.closed = true;
      this.notify();
    });
  }

  static start(recipe: string, role: string, args: readonly string[], label = `${recipe} ${role}`): RecipeProcess {
    return RecipeProcess.startScript(RECIPE_BIN, [recipe, role, ...args], label);
  }

  /** Any node script whose stdout lines are to be awaited (synodctl, for one). */
  static startScript(script: string, args: readonly string[], label: string): RecipeProcess {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    return new RecipeProcess(child, label);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The lines of one event, optionally from line `from` on. */
  events(event: string, from = 0): RecipeLine[] {
    return this.lines.filter((line) => line.event === event && line.index >= from);
  }

  /**
   * Resolves with the first line (from line `from` on) that is `event` and passes `match`; fails after
   * `timeoutMs`, or at once if the process exits first, quoting its output.
   */
  waitFor(event: string, match: (fields: Record<string, string>) => boolean = () => true, options: { from?: number; timeoutMs?: number } = {}): Promise<RecipeLine> {
    return this.waitForLine(`"${event}"`, (line) => line.event === event && match(line.fields), options);
  }

  /** Resolves with the first line (from line `from` on) that passes `match`; fails as `waitFor` does. */
  waitForLine(what: string, match: (line: RecipeLine) => boolean, options: { from?: number; timeoutMs?: number } = {}): Promise<RecipeLine> {
    const from = options.from ?? 0;
    const timeoutMs = options.timeoutMs ?? 30_000;
    const find = (): RecipeLine | undefined => this.lines.find((line) => line.index >= from && match(line));
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = find();
        if (found !== undefined) return finish(() => resolve(found));
        if (this.closed) finish(() => reject(new Error(`${this.label} exited before printing the ${what} line waited for\n${this.transcript()}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`${this.label} printed no matching ${what} line within ${timeoutMs} ms\n${this.transcript()}`))), timeoutMs);
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
        settle();
      };
      this.listeners.add(check);
      check();
    });
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.exit;
  }

  /** SIGTERM (a recipe then releases what it holds), SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.kill('SIGCONT');
    this.kill('SIGTERM');
    const timer = setTimeout(() => this.kill('SIGKILL'), graceMs);
    const result = await this.exit;
    clearTimeout(timer);
    return result;
  }

  /** Everything it printed, for failure messages. */
  transcript(): string {
    const out = this.lines.map((line) => `  ${line.text}`);
    return [`--- ${this.label} stdout`, ...out, `--- ${this.label} stderr`, ...this.stderr.map((line) => `  ${line}`)].join('\n');
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

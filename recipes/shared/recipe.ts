import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { OptionSpec } from './options.js';

/** One program of a recipe (an instance, a client, a worker...). */
export interface Role {
  readonly summary: string;
  readonly options: OptionSpec;
  /** Runs to completion; the process exits with 0 when it resolves, 1 when it rejects. */
  run(argv: readonly string[]): Promise<void>;
}

/** A runnable recipe: `npm run recipe -- <name> [role] [options]`; without a role it runs `demo`. */
export interface Recipe {
  readonly name: string;
  readonly summary: string;
  readonly roles: Readonly<Record<string, Role>>;
}

const RUN_JS = fileURLToPath(new URL('../run.js', import.meta.url));

/** A role started as a child process by a demo; its lines are echoed with a `[label]` prefix. */
export interface RoleProcess {
  readonly child: ChildProcess;
  readonly label: string;
  /** Resolves with the first line for which `match` returns a value. */
  waitFor<T>(match: (line: string) => T | undefined): Promise<T>;
  exited(): Promise<void>;
}

/** Starts `node run.js <recipe> <role> ...args` (for the demos, which orchestrate several processes). */
export function startRole(recipe: string, role: string, args: readonly string[], label: string): RoleProcess {
  const child = spawn(process.execPath, [RUN_JS, recipe, role, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const watchers = new Set<(line: string) => void>();
  createInterface({ input: child.stdout! }).on('line', (line) => {
    process.stdout.write(`[${label}] ${line}\n`);
    for (const watcher of [...watchers]) watcher(line);
  });
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    label,
    waitFor<T>(match: (line: string) => T | undefined): Promise<T> {
      return new Promise((resolve, reject) => {
        const watcher = (line: string): void => {
          const value = match(line);
          if (value === undefined) return;
          watchers.delete(watcher);
          resolve(value);
        };
        watchers.add(watcher);
        void exit.then(() => {
          if (watchers.delete(watcher)) reject(new Error(`${label} exited before the line it was waited for`));
        });
      });
    },
    exited: () => exit,
  };
}

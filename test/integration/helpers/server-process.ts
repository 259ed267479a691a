import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

/** The compiled server entry point (tests run from dist/). */
export const SYNOD_BIN = fileURLToPath(new URL('../../../server/cli/synod.js', import.meta.url));
/** The compiled CLI entry point. */
export const SYNODCTL_BIN = fileURLToPath(new URL('../../../server/cli/synodctl.js', import.meta.url));

/** A fresh temporary directory; remove it with `removeDir`. */
export async function tempDir(prefix = 'synod-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export interface ServerOptions {
  /** Data directory; a fresh temporary one by default (removed by `cleanup`). */
  readonly dataDir?: string;
  /** Client port; 0 (a free port) by default. */
  readonly port?: number;
  /** Extra flags (a flag given twice takes its last value, so these override the defaults). */
  readonly args?: readonly string[];
  /** Extra environment variables. */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * A real `synod` process on 127.0.0.1. `start` resolves once it logs that it serves clients, and
 * reads the bound port from that log line, so tests never guess ports.
 */
export class ServerProcess {
  private exitPromise: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    /** Every line the process wrote to stderr (its JSON log), growing as it runs. */
    readonly logLines: string[],
    readonly child: ChildProcess,
    readonly dataDir: string,
    readonly port: number,
    private readonly ownsDataDir: boolean,
  ) {
    this.exitPromise = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** `127.0.0.1:<port>`, as synodctl and the SDK take it. */
  get endpoint(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async start(options: ServerOptions = {}): Promise<ServerProcess> {
    const ownsDataDir = options.dataDir === undefined;
    const dataDir = options.dataDir ?? (await tempDir());
    const args = [
      SYNOD_BIN,
      '--data-dir',
      dataDir,
      '--listen-client-urls',
      `http://127.0.0.1:${options.port ?? 0}`,
      '--listen-peer-urls',
      'http://127.0.0.1:0',
      '--log-level',
      'info',
      ...(options.args ?? []),
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...options.env } });
    const lines: string[] = [];
    const port = await new Promise<number>((resolve, reject) => {
      const reader = createInterface({ input: child.stderr! });
      reader.on('line', (line) => {
        lines.push(line);
        try {
          const entry = JSON.parse(line) as { msg?: string; address?: string };
          if (entry.msg === 'serving client requests' && entry.address !== undefined) resolve(Number(entry.address.split(':').at(-1)));
        } catch {
          // Not a log line (e.g. a crash trace); kept in `lines` for the failure message.
        }
      });
      child.once('exit', (code, signal) => reject(new Error(`synod exited (${code ?? signal}) before serving:\n${lines.join('\n')}`)));
    });
    return new ServerProcess(lines, child, dataDir, port, ownsDataDir);
  }

  /** Resolves when the process has exited. */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.exitPromise;
  }

  /** Sends a signal and waits for the exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exitPromise;
  }

  /** Starts a new process on the same data directory (and the same port unless told otherwise). */
  async restart(options: Omit<ServerOptions, 'dataDir'> = {}): Promise<ServerProcess> {
    await this.kill('SIGTERM');
    return ServerProcess.start({ port: this.port, ...options, dataDir: this.dataDir });
  }

  /** True until the process exits. */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Kills the process (if running) and removes a temporary data directory it created. */
  async cleanup(): Promise<void> {
    await this.kill('SIGKILL');
    if (this.ownsDataDir) await removeDir(this.dataDir);
  }
}

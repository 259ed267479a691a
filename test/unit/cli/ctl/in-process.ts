import assert from 'node:assert/strict';
import { runSynodctl } from '../../../../server/cli/ctl/app.js';
import { StdinReader, type CtlIo } from '../../../../server/cli/ctl/io.js';

/**
 * synodctl run in-process, for everything decided before a request is sent (no server needed; the
 * endpoint is a port nothing listens on, so a check that failed to stop the run would show up as
 * a connection error instead of the expected message). The integration tests run the real binary.
 */
export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly stdin?: string;
}

async function* chunks(text: string): AsyncGenerator<Buffer> {
  yield Buffer.from(text);
}

export async function ctl(argv: string[], options: RunOptions = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CtlIo = {
    stdout: { write: (chunk) => void (stdout += Buffer.from(chunk).toString()) },
    stderr: { write: (chunk) => void (stderr += Buffer.from(chunk).toString()) },
    stdin: new StdinReader(chunks(options.stdin ?? '')),
    env: options.env ?? {},
  };
  // A command timeout from the environment must not be shadowed by the default one given here.
  const timeout = options.env?.['SYNODCTL_COMMAND_TIMEOUT'] === undefined ? ['--command-timeout', '50ms'] : [];
  const endpoints = argv.includes('--endpoints') ? [] : ['--endpoints', '127.0.0.1:1'];
  const code = await runSynodctl([...endpoints, ...timeout, ...argv], io);
  return { code, stdout, stderr };
}

/** Asserts the run failed with `code` and `Error: <message>` alone on stderr. */
export async function refused(argv: string[], code: number, message: string, options: RunOptions = {}): Promise<void> {
  const run = await ctl(argv, options);
  assert.deepEqual(run, { code, stdout: '', stderr: `Error: ${message}\n` }, argv.join(' '));
}

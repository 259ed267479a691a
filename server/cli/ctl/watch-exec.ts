import { spawn } from 'node:child_process';
import { CtlError, ExitCode } from './exit-codes.js';
import { goQuote } from './go-strconv.js';
import { goSignalText } from './interrupt.js';
import type { Output } from './io.js';
import type { WatchedChange } from './printers/index.js';

/** Why a command failed, as Go's os/exec says it. */
function goExecError(command: string, error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOENT' && !command.includes('/')) return `exec: ${goQuote(command)}: executable file not found in $PATH`;
  const reason = error.code === 'ENOENT' ? 'no such file or directory' : error.code === 'EACCES' ? 'permission denied' : error.message;
  return `fork/exec ${command}: ${reason}`;
}

/**
 * `watch <key> -- <command...>`: runs the command once per event, after the event is printed and
 * before the next one is, as etcdctl does. It inherits stdout and stderr, gets no stdin, and finds
 * the event in etcdctl's variables (the same names, so scripts written for etcdctl keep working):
 * ETCD_WATCH_REVISION (the response's revision), and ETCD_WATCH_EVENT_TYPE, ETCD_WATCH_KEY and
 * ETCD_WATCH_VALUE quoted as Go's %q ("PUT", "key"). A command that fails ends synodctl with
 * `command ["cmd" "arg"] error (exit status N)` on stderr and exit 1. An aborted `signal` (SIGINT)
 * ends the command and resolves quietly.
 */
export async function runForEvent(
  command: readonly string[],
  revision: bigint,
  event: WatchedChange,
  io: { readonly env: NodeJS.ProcessEnv; readonly stderr: Output },
  signal: AbortSignal,
): Promise<void> {
  const [file, ...args] = command;
  if (file === undefined || signal.aborted) return;
  const env: NodeJS.ProcessEnv = {
    ...io.env,
    ETCD_WATCH_REVISION: String(revision),
    ETCD_WATCH_EVENT_TYPE: event.type === 'put' ? '"PUT"' : '"DELETE"',
    ETCD_WATCH_KEY: goQuote(event.kv.key),
    ETCD_WATCH_VALUE: goQuote(event.kv.value),
  };
  const failure = await new Promise<string | null>((resolve) => {
    const child = spawn(file, args, { env, stdio: ['ignore', 'inherit', 'inherit'], signal });
    child.once('error', (error: NodeJS.ErrnoException) => resolve(signal.aborted ? null : goExecError(file, error)));
    child.once('exit', (code, signalName) => {
      if (signal.aborted || code === 0) resolve(null);
      else resolve(signalName === null ? `exit status ${code}` : goSignalText(signalName));
    });
  });
  if (failure === null) return;
  io.stderr.write(`command [${command.map((arg) => goQuote(arg)).join(' ')}] error (${failure})\n`);
  throw new CtlError(ExitCode.error, failure, { reported: true });
}

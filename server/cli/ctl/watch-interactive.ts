import type { Client, Watch } from '../../../client-sdk/index.js';
import type { CommandContext } from './command.js';
import { CtlError, ExitCode } from './exit-codes.js';
import { parseCommandLine } from './flags.js';
import type { PrintFunctions } from './printers/index.js';
import { argify } from './txn-input.js';
import { BAD_ARGS_CONFLICT_ENV, BAD_ARGS_NUM, BAD_ARGS_SEPARATOR, WATCH_FLAGS, watchRequest, type WatchRequest } from './watch-request.js';
import { streamWatch } from './watch-stream.js';

const badArgs = (message: string): CtlError => new CtlError(ExitCode.badArgs, message);

/** A watch line's argument (read as latin1, so every byte survives) as the bytes of a key. */
const keyBytes = (arg: string): Buffer => Buffer.from(arg, 'latin1');
/** ... and as text for a command to run (the line's bytes are UTF-8). */
const text = (arg: string): string => Buffer.from(arg, 'latin1').toString('utf8');

/** What a line asks for; an invalid line is reported as `<label><line> (<why>)` and skipped. */
type LineCommand =
  | { readonly kind: 'watch'; readonly request: WatchRequest; readonly exec: string[] }
  | { readonly kind: 'progress' }
  | { readonly kind: 'invalid'; readonly label: string; readonly why: string };

const invalid = (why: string, label = 'Invalid command '): LineCommand => ({ kind: 'invalid', label, why });

/**
 * One line of `watch -i`, read as etcdctl's watchInteractiveFunc reads it: `watch [options] <key>
 * [range_end] [-- command...]` with the line's own flags, or `progress`. What etcdctl refuses with
 * "Invalid command" is returned as invalid; what it exits for (a flag it cannot parse, no key, a key
 * given along with the environment's) throws exit 128.
 */
export function parseWatchLine(line: string, fromEnvironment: readonly string[]): LineCommand {
  let args: string[];
  try {
    args = argify(line);
  } catch (error) {
    return invalid((error as Error).message);
  }
  if (args.length === 0) return invalid('watch and progress supported', 'Invalid command: ');
  if (args[0] === 'progress') return { kind: 'progress' };
  if (args[0] !== 'watch') return invalid('only support watch');
  if (args.length < 2 && fromEnvironment.length === 0) return invalid('command type or key is not provided');
  const lineArgs = args.slice(1);
  const dashAt = lineArgs.indexOf('--');
  if (dashAt >= 0 && dashAt === lineArgs.length - 1) throw badArgs(BAD_ARGS_SEPARATOR);
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(lineArgs, WATCH_FLAGS);
  } catch (error) {
    throw badArgs((error as Error).message);
  }
  const terminator = parsed.terminatorIndex;
  const before = parsed.positionals.filter((arg) => terminator === null || arg.index < terminator).map((arg) => arg.value);
  if (dashAt < 0 && fromEnvironment.length === 0 && before.length === 0) throw badArgs(BAD_ARGS_NUM);
  if (dashAt < 0 && fromEnvironment.length > 0 && before.length > 0) throw badArgs(BAD_ARGS_CONFLICT_ENV);
  const exec = dashAt < 0 ? [] : lineArgs.slice(dashAt + 1).map(text);
  try {
    return { kind: 'watch', request: watchRequest([...fromEnvironment.map((arg) => Buffer.from(arg)), ...before.map(keyBytes)], parsed.flags), exec };
  } catch (error) {
    if (error instanceof CtlError) return invalid(error.message);
    throw error;
  }
}

/**
 * `watch -i`: reads command lines from stdin and runs each watch alongside the others until SIGINT
 * or SIGTERM (`signal`; exit 0). `progress` asks every watch for a progress notification. The end of stdin is
 * an error (exit 3), as in etcdctl, so keep stdin open; so is a failed exec command (exit 1).
 */
export async function watchInteractively(
  context: CommandContext,
  client: Client,
  print: PrintFunctions['watch'],
  fromEnvironment: readonly string[],
  signal: AbortSignal,
): Promise<void> {
  const stopped = new Promise<'stopped'>((resolve) => signal.addEventListener('abort', () => resolve('stopped'), { once: true }));
  let fail!: (error: unknown) => void;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => undefined);
  const watches = new Set<Watch>();
  for (;;) {
    const read = await Promise.race([context.io.stdin.readLine(), stopped, failed]);
    if (read === 'stopped' || signal.aborted) return;
    if (read === null) throw new CtlError(ExitCode.invalidInput, 'Error reading watch request line: EOF');
    const line = read.toString('latin1').replace(/\n$/, '');
    const command = parseWatchLine(line, fromEnvironment);
    if (command.kind === 'invalid') {
      context.io.stderr.write(Buffer.concat([Buffer.from(command.label), keyBytes(line), Buffer.from(` (${command.why})\n`)]));
    } else if (command.kind === 'progress') {
      try {
        await Promise.all([...watches].map((watch) => watch.requestProgress()));
      } catch (error) {
        throw new CtlError(ExitCode.error, (error as Error).message);
      }
    } else {
      const watch = client.watch(command.request.key, { ...command.request.options, signal });
      watches.add(watch);
      // A watch the server cancels is reported and dropped; the others go on.
      void streamWatch(watch, { print, io: context.io, exec: command.exec, signal }).then(() => watches.delete(watch), fail);
    }
  }
}

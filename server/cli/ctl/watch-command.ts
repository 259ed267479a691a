import type { CommandSpec } from './command.js';
import { CtlError, ExitCode } from './exit-codes.js';
import { listenForInterrupt } from './interrupt.js';
import { watchInteractively } from './watch-interactive.js';
import {
  BAD_ARGS_CONFLICT_ENV,
  BAD_ARGS_SEPARATOR,
  WATCH_FLAGS,
  WATCH_KEY_ENV,
  WATCH_RANGE_END_ENV,
  environmentRange,
  watchRequest,
} from './watch-request.js';
import { streamWatch } from './watch-stream.js';

/**
 * `watch [options] <key> [range_end] [--] [exec-command arg1 arg2 ...]`, as etcdctl's
 * (ctlv3/command/watch_command.go): prints each response until SIGINT or SIGTERM (exit 0), or until
 * the server cancels the watch (its history was compacted): `watch was canceled (...)` on stderr,
 * then `Error: watch is canceled by the server`, exit 5. The SDK's watch resumes by itself across a
 * lost connection or a failover, without losing or repeating an event.
 */

const badArgs = (message: string): CtlError => new CtlError(ExitCode.badArgs, message);

export const watchCommand: CommandSpec = {
  name: 'watch',
  usage: '[options] [key or prefix] [range_end] [--] [exec-command arg1 arg2 ...]',
  summary: 'Watches events stream on keys or prefixes',
  description: `Prints each change to the key (or range) until SIGINT or SIGTERM (exit 0). With
-- <command...>, runs the command for each event with ETCD_WATCH_REVISION, ETCD_WATCH_EVENT_TYPE,
ETCD_WATCH_KEY and ETCD_WATCH_VALUE set. With -i, reads "watch [options] <key> ..." and "progress"
lines from stdin.`,
  flags: WATCH_FLAGS,
  envNames: [WATCH_KEY_ENV, WATCH_RANGE_END_ENV],
  async run(context) {
    const fromEnvironment = environmentRange(context.io.env);
    if (context.flags.bool('interactive')) {
      const client = context.client();
      const print = context.printer('watch');
      const interrupt = listenForInterrupt();
      try {
        await watchInteractively(context, client, print, fromEnvironment, interrupt.signal);
      } finally {
        interrupt.dispose();
      }
      return;
    }
    const dashAt = context.argsLenAtDash;
    const before = dashAt < 0 ? context.args : context.args.slice(0, dashAt);
    const exec = dashAt < 0 ? [] : context.args.slice(dashAt);
    if (dashAt >= 0 && exec.length === 0) throw badArgs(BAD_ARGS_SEPARATOR);
    if (fromEnvironment.length > 0 && before.length > 0) throw badArgs(BAD_ARGS_CONFLICT_ENV);
    const watchArgs = (fromEnvironment.length > 0 ? fromEnvironment : before).map((arg) => Buffer.from(arg, 'utf8'));
    const client = context.client();
    const print = context.printer('watch');
    const request = watchRequest(watchArgs, context.flags);
    const interrupt = listenForInterrupt();
    try {
      const watch = client.watch(request.key, { ...request.options, signal: interrupt.signal });
      const failure = await streamWatch(watch, { print, io: context.io, exec, signal: interrupt.signal });
      if (failure !== null) throw new CtlError(ExitCode.interrupted, 'watch is canceled by the server');
    } finally {
      interrupt.dispose();
    }
  },
};

import type { WatchOptions } from '../../../client-sdk/index.js';
import { CtlError, ExitCode } from './exit-codes.js';
import type { FlagSet, FlagSpec } from './flags.js';
import { goQuote } from './go-strconv.js';

/** The flags of `watch`, what they select, and the environment's key: etcdctl's rules and messages. */

const bool = (name: string, description: string, short?: string): FlagSpec => ({
  name,
  kind: 'bool',
  defaultText: 'false',
  description,
  ...(short === undefined ? {} : { short }),
});

export const WATCH_FLAGS: readonly FlagSpec[] = [
  bool('interactive', 'Interactive mode', 'i'),
  bool('prefix', 'Watch on a prefix if prefix is set'),
  bool('prev-kv', 'get the previous key-value pair before the event happens'),
  bool('progress-notify', 'get periodic watch progress notification from server'),
  { name: 'rev', kind: 'int64', defaultText: '0', description: 'Revision to start watching' },
];

/** etcdctl's ETCDCTL_WATCH_KEY and ETCDCTL_WATCH_RANGE_END: the key (and range end) to watch. */
export const WATCH_KEY_ENV = 'SYNODCTL_WATCH_KEY';
export const WATCH_RANGE_END_ENV = 'SYNODCTL_WATCH_RANGE_END';

const badArgs = (message: string): CtlError => new CtlError(ExitCode.badArgs, message);
export const BAD_ARGS_NUM = 'bad number of arguments';
export const BAD_ARGS_CONFLICT_ENV = 'bad number of arguments (found conflicting environment key)';
export const BAD_ARGS_SEPARATOR = 'bad number of arguments (found separator --, but no commands)';

/** The empty key with --prefix means every key, as clientv3's WithPrefix sends it: from \0. */
const EVERY_KEY = Buffer.of(0);

export interface WatchRequest {
  readonly key: Buffer;
  readonly options: WatchOptions;
}

/**
 * What to watch, as etcdctl's getWatchChan decides it: a range end only with exactly two arguments
 * (a third is ignored), never with --prefix.
 */
export function watchRequest(watchArgs: readonly Buffer[], flags: FlagSet): WatchRequest {
  const [key, rangeEnd] = watchArgs;
  if (key === undefined) throw badArgs(BAD_ARGS_NUM);
  const prefix = flags.bool('prefix');
  const ranged = watchArgs.length === 2;
  if (ranged && prefix) throw badArgs('`range_end` and `--prefix` are mutually exclusive');
  const revision = flags.int64('rev');
  let selector: WatchOptions = {};
  if (ranged) selector = { rangeEnd: rangeEnd! };
  else if (prefix) selector = key.length === 0 ? { fromKey: true } : { prefix: true };
  const options: WatchOptions = {
    ...selector,
    ...(revision > 0n ? { startRevision: revision } : {}),
    prevKv: flags.bool('prev-kv'),
    progressNotify: flags.bool('progress-notify'),
  };
  return { key: prefix && key.length === 0 ? EVERY_KEY : key, options };
}

/** The key and range end from the environment; a range end without a key is an error (exit 128). */
export function environmentRange(env: NodeJS.ProcessEnv): string[] {
  const key = env[WATCH_KEY_ENV] ?? '';
  const rangeEnd = env[WATCH_RANGE_END_ENV] ?? '';
  if (key === '' && rangeEnd !== '') throw badArgs(`${WATCH_KEY_ENV} is empty but got ${WATCH_RANGE_END_ENV}=${goQuote(rangeEnd)}`);
  if (key === '') return [];
  return rangeEnd === '' ? [key] : [key, rangeEnd];
}

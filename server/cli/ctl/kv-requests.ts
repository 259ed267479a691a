import type { DeleteOptions, GetOptions, PutOptions, RangeSelector, SortOrder, SortTarget } from '../../../client-sdk/index.js';
import { CtlError, ExitCode } from './exit-codes.js';
import type { FlagSet, FlagSpec } from './flags.js';
import { goQuote, parseGoInt } from './go-strconv.js';

/**
 * put, get and del turn their arguments and flags into SDK requests here, with etcdctl's checks and
 * messages (getPutOp, getGetOp, getDelOp). Both the commands and the txn input parser use these, so
 * `put k v --prev-kv` means the same on the command line and inside a txn. Arguments are bytes: the
 * command line gives UTF-8, a txn line gives whatever bytes its quoted strings hold.
 */

const bool = (name: string, description: string): FlagSpec => ({ name, kind: 'bool', defaultText: 'false', description });

export const GET_FLAGS: readonly FlagSpec[] = [
  { name: 'consistency', kind: 'string', defaultText: 'l', description: 'Linearizable(l) or Serializable(s)' },
  bool('count-only', 'Get only the count'),
  bool('from-key', 'Get keys that are greater than or equal to the given key using byte compare'),
  bool('keys-only', 'Get only the keys'),
  { name: 'limit', kind: 'int64', defaultText: '0', description: 'Maximum number of results' },
  { name: 'order', kind: 'string', defaultText: '', description: 'Order of results; ASCEND or DESCEND (ASCEND by default)' },
  bool('prefix', 'Get keys with matching prefix'),
  bool('print-value-only', 'Only write values when using the "simple" output format'),
  { name: 'rev', kind: 'int64', defaultText: '0', description: 'Specify the kv revision' },
  { name: 'sort-by', kind: 'string', defaultText: '', description: 'Sort target; CREATE, KEY, MODIFY, VALUE, or VERSION' },
];

export const PUT_FLAGS: readonly FlagSpec[] = [
  bool('ignore-lease', 'updates the key using its current lease'),
  bool('ignore-value', 'updates the key using its current value'),
  { name: 'lease', kind: 'string', defaultText: '0', description: 'lease ID (in hexadecimal) to attach to the key' },
  bool('prev-kv', 'return the previous key-value pair before modification'),
];

export const DEL_FLAGS: readonly FlagSpec[] = [
  bool('from-key', 'delete keys that are greater than or equal to the given key using byte compare'),
  bool('prefix', 'delete keys with matching prefix'),
  bool('prev-kv', 'return deleted key-value pairs'),
];

const badArgs = (message: string): CtlError => new CtlError(ExitCode.badArgs, message);
const badFeature = (message: string): CtlError => new CtlError(ExitCode.badFeature, message);

const SORT_TARGETS: Readonly<Record<string, SortTarget>> = { CREATE: 'create', KEY: 'key', MODIFY: 'mod', VALUE: 'value', VERSION: 'version' };
const SORT_ORDERS: Readonly<Record<string, SortOrder>> = { ASCEND: 'ascend', DESCEND: 'descend' };

/** The empty key with --prefix or --from-key means "every key", as etcdctl sends it: from \0. */
const EVERY_KEY = Buffer.of(0);

/**
 * Which keys `get` and `del` cover, as etcdctl decides it: [key, range_end) with a second argument,
 * a prefix, or every key from `key` on (from \0 for the empty key, with --prefix too).
 */
function rangeSelection(first: Buffer, rangeEnd: Buffer | undefined, flags: FlagSet): { key: Buffer; selector: RangeSelector } {
  const prefix = flags.bool('prefix');
  const fromKey = flags.bool('from-key');
  if (prefix && fromKey) throw badArgs('`--prefix` and `--from-key` cannot be set at the same time, choose one');
  if (rangeEnd !== undefined && (prefix || fromKey)) {
    throw badArgs('too many arguments, only accept one argument when `--prefix` or `--from-key` is set');
  }
  if (rangeEnd !== undefined) return { key: first, selector: { rangeEnd } };
  if ((prefix || fromKey) && first.length === 0) return { key: EVERY_KEY, selector: { fromKey: true } };
  if (prefix) return { key: first, selector: { prefix: true } };
  return { key: first, selector: fromKey ? { fromKey: true } : {} };
}

export interface KvRequest<Options> {
  readonly key: Buffer;
  readonly options: Options;
}

/** `get <key> [range_end]` (etcdctl ignores arguments past the second, and so do we). */
export function getRequest(args: readonly Buffer[], flags: FlagSet): KvRequest<GetOptions> {
  const [first, rangeEnd] = args;
  if (first === undefined) throw badArgs('get command needs one argument as key and an optional argument as range_end');
  // etcdctl's order of checks, so the first problem reported is the one etcdctl reports.
  if (flags.bool('prefix') && flags.bool('from-key')) throw badArgs('`--prefix` and `--from-key` cannot be set at the same time, choose one');
  if (flags.bool('keys-only') && flags.bool('count-only')) throw badArgs('`--keys-only` and `--count-only` cannot be set at the same time, choose one');
  const consistency = flags.string('consistency');
  if (consistency !== 'l' && consistency !== 's') throw badFeature(`unknown consistency flag ${goQuote(consistency)}`);
  const { key, selector } = rangeSelection(first, rangeEnd, flags);
  const order = flags.string('order');
  let sortOrder: SortOrder = 'none';
  if (order !== '') sortOrder = SORT_ORDERS[order.toUpperCase()] ?? raise(badFeature(`bad sort order ${order}`));
  const sortBy = flags.string('sort-by');
  let sortTarget: SortTarget = 'key';
  if (sortBy !== '') sortTarget = SORT_TARGETS[sortBy.toUpperCase()] ?? raise(badFeature(`bad sort target ${sortBy}`));
  // clientv3's WithSort: ascending by key is the natural order, sent as no sort at all.
  if (sortTarget === 'key' && sortOrder === 'ascend') sortOrder = 'none';
  const revision = flags.int64('rev');
  const options: GetOptions = {
    ...selector,
    limit: flags.int64('limit'),
    ...(revision > 0n ? { revision } : {}),
    ...(sortTarget === 'key' ? {} : { sortTarget }),
    ...(sortOrder === 'none' ? {} : { sortOrder }),
    keysOnly: flags.bool('keys-only'),
    countOnly: flags.bool('count-only'),
    serializable: consistency === 's',
  };
  return { key, options };
}

/**
 * `put <key> <value>`; without a value (and without --ignore-value) the value is all of stdin, and
 * an empty stdin is an error, as in etcdctl.
 */
export async function putRequest(
  args: readonly Buffer[],
  flags: FlagSet,
  readStdin: () => Promise<Buffer>,
): Promise<KvRequest<PutOptions> & { readonly value: Buffer }> {
  const needs = 'put command needs 1 argument and input from stdin or 2 arguments';
  const [key, argValue] = args;
  if (key === undefined) throw badArgs(needs);
  const ignoreValue = flags.bool('ignore-value');
  if (ignoreValue && argValue !== undefined) throw badArgs("put command needs only 1 argument when 'ignore-value' is set");
  let value: Buffer = Buffer.alloc(0);
  if (!ignoreValue) {
    value = argValue ?? (await readStdin());
    if (argValue === undefined && value.length === 0) throw badArgs(needs);
  }
  let lease: bigint;
  try {
    lease = parseGoInt(flags.string('lease'), 16);
  } catch (error) {
    throw badArgs(`bad lease ID (${(error as Error).message}), expecting ID in Hex`);
  }
  const options: PutOptions = {
    ...(lease === 0n ? {} : { lease }),
    prevKv: flags.bool('prev-kv'),
    ignoreValue,
    ignoreLease: flags.bool('ignore-lease'),
  };
  return { key, value, options };
}

/** `del <key> [range_end]`. */
export function deleteRequest(args: readonly Buffer[], flags: FlagSet): KvRequest<DeleteOptions> {
  const [first, rangeEnd] = args;
  if (first === undefined || args.length > 2) throw badArgs('del command needs one argument as key and an optional argument as range_end');
  const { key, selector } = rangeSelection(first, rangeEnd, flags);
  return { key, options: { ...selector, prevKv: flags.bool('prev-kv') } };
}

function raise(error: Error): never {
  throw error;
}

import { Client } from '../../../client-sdk/index.js';
import { CtlError, ExitCode } from './exit-codes.js';
import { envName, type FlagSet, type FlagSpec } from './flags.js';

/** The global flags, each with its SYNODCTL_* environment twin (the command line wins). */
export const GLOBAL_FLAGS: readonly FlagSpec[] = [
  {
    name: 'command-timeout',
    kind: 'duration',
    defaultText: '5s',
    description: 'timeout for short running command (excluding dial timeout)',
    env: true,
  },
  { name: 'dial-timeout', kind: 'duration', defaultText: '2s', description: 'dial timeout for client connections', env: true },
  {
    name: 'endpoints',
    kind: 'strings',
    defaultText: '127.0.0.1:2379',
    description: 'member endpoints, comma-separated: host:port, or http(s):// or ws(s):// URLs',
    env: true,
  },
  { name: 'hex', kind: 'bool', defaultText: 'false', description: 'print byte strings as hex encoded strings', env: true },
  {
    name: 'write-out',
    short: 'w',
    kind: 'string',
    defaultText: 'simple',
    description: 'set the output format (fields, json, simple, table)',
    env: true,
  },
];

/** The environment variables synodctl reads; any other SYNODCTL_* gets a warning, as etcdctl gives. */
export const KNOWN_ENV_NAMES: ReadonlySet<string> = new Set(GLOBAL_FLAGS.filter((spec) => spec.env === true).map((spec) => envName(spec.name)));

/** Node's timers take at most 2^31-1 ms; longer waits are clamped to that (about 24 days). */
const TIMER_MS_MAX = 2 ** 31 - 1;

function timerMs(ms: number): number {
  return Math.min(Math.max(0, Math.round(ms)), TIMER_MS_MAX);
}

/**
 * Builds the SDK client from the global flags (or for the `endpoints` given). The command timeout bounds each call, retries and
 * reconnects included, as etcdctl's command context does; a dial timeout of 0 means "no limit of
 * its own", as in etcdctl, so only the command timeout applies.
 */
export function clientFromFlags(flags: FlagSet, endpoints: readonly string[] = flags.strings('endpoints')): Client {
  if (endpoints.length === 0) throw new CtlError(ExitCode.badConnection, 'no available endpoints');
  const commandTimeoutMs = timerMs(flags.durationMs('command-timeout'));
  const dialTimeoutMs = flags.durationMs('dial-timeout');
  return new Client({
    endpoints,
    dialTimeoutMs: dialTimeoutMs === 0 ? Math.max(commandTimeoutMs, 1) : Math.max(timerMs(dialTimeoutMs), 1),
    requestTimeoutMs: commandTimeoutMs,
  });
}

import type { Client } from '../../../client-sdk/index.js';
import type { FlagSet, FlagSpec } from './flags.js';
import type { CtlIo } from './io.js';
import type { PrintFunctions, PrintKind } from './printers/index.js';

/** What a running command may use. */
export interface CommandContext {
  /** Positional arguments after the command name. */
  readonly args: readonly string[];
  /**
   * How many of `args` came before a `--` on the command line, or -1 without one (cobra's
   * ArgsLenAtDash): `watch k -- echo hi` runs `echo hi` for each event.
   */
  readonly argsLenAtDash: number;
  /** The command's own flags and the global ones, environment twins applied. */
  readonly flags: FlagSet;
  readonly io: CtlIo;
  /**
   * The SDK client for --endpoints, created on first use. Throws exit 2 when no endpoint is given and
   * exit 4 when -w names no known format, the checks etcdctl makes when it builds its client.
   */
  client(): Client;
  /**
   * A client of `endpoints` only (one member each for `endpoint status`), with the global timeouts;
   * closed when the run ends.
   */
  clientFor(endpoints: readonly string[]): Client;
  /**
   * The print function of `kind` in the -w format; throws exit 4 ("table not supported as output
   * format") when that format cannot print it. Commands ask for it before sending their request, so
   * an unprintable answer never costs a write.
   */
  printer<K extends PrintKind>(kind: K, options?: { readonly valueOnly?: boolean }): PrintFunctions[K];
  /** The -w format as given. */
  readonly outputFormat: string;
}

/**
 * One synodctl command. Adding a command is adding a spec to the list in `commands.ts`; a name with a
 * space ("member list") puts it in a group, and `synodctl member` then lists the group.
 */
export interface CommandSpec {
  readonly name: string;
  /** What follows the name in the usage line, e.g. "[options] <key> [range_end]". */
  readonly usage: string;
  readonly summary: string;
  readonly description?: string;
  readonly flags: readonly FlagSpec[];
  /** SYNODCTL_* variables the command reads itself (beyond the global flags' twins). */
  readonly envNames?: readonly string[];
  run(context: CommandContext): Promise<void>;
}

/** The flag every command has. */
export function helpFlag(commandName: string): FlagSpec {
  return { name: 'help', short: 'h', kind: 'bool', defaultText: 'false', description: `help for ${commandName}` };
}

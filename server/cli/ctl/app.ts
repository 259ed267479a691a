import type { Client } from '../../../client-sdk/index.js';
import { helpFlag, type CommandContext, type CommandSpec } from './command.js';
import { COMMANDS } from './commands.js';
import { CtlError, ExitCode } from './exit-codes.js';
import { locatePositionals, parseCommandLine, type FlagSet, type Positional } from './flags.js';
import { GLOBAL_FLAGS, KNOWN_ENV_NAMES, clientFromFlags } from './global-options.js';
import { goQuote } from './go-strconv.js';
import { commandHelp, rootHelp } from './help.js';
import type { CtlIo } from './io.js';
import { createPrinter, isOutputFormat, type OutputFormat, type PrintFunctions, type PrintKind } from './printers/index.js';

/** One command's run: its arguments, flags and the client it opened (closed when the run ends). */
class Session implements CommandContext {
  private sdkClient: Client | null = null;
  private readonly otherClients: Client[] = [];

  constructor(
    readonly args: readonly string[],
    readonly argsLenAtDash: number,
    readonly flags: FlagSet,
    readonly io: CtlIo,
  ) {}

  get outputFormat(): string {
    return this.flags.string('write-out');
  }

  client(): Client {
    // etcdctl checks the output format while it builds its client config, before dialling.
    this.checkOutputFormat();
    this.sdkClient ??= clientFromFlags(this.flags);
    return this.sdkClient;
  }

  clientFor(endpoints: readonly string[]): Client {
    this.checkOutputFormat();
    const client = clientFromFlags(this.flags, endpoints);
    this.otherClients.push(client);
    return client;
  }

  printer<K extends PrintKind>(kind: K, options: { readonly valueOnly?: boolean } = {}): PrintFunctions[K] {
    const format = this.checkOutputFormat();
    const printer = createPrinter(format, this.io.stdout, { hex: this.flags.bool('hex'), valueOnly: options.valueOnly ?? false }, this.io.stderr);
    const print = printer[kind];
    if (print === undefined) throw new CtlError(ExitCode.badFeature, `${format} not supported as output format`);
    return print as PrintFunctions[K];
  }

  async close(): Promise<void> {
    await Promise.all([this.sdkClient, ...this.otherClients].map((client) => client?.close()));
  }

  private checkOutputFormat(): OutputFormat {
    const format = this.outputFormat;
    if (!isOutputFormat(format)) throw new CtlError(ExitCode.badFeature, 'unsupported output format');
    return format;
  }
}

/** The command named by the first one or two positionals ("get", "member list"), if any. */
function findCommand(positionals: readonly Positional[], commands: readonly CommandSpec[]): { command: CommandSpec; nameArgs: Positional[] } | null {
  const [first, second] = positionals;
  if (first === undefined) return null;
  const grouped = second === undefined ? undefined : commands.find((command) => command.name === `${first.value} ${second.value}`);
  if (grouped !== undefined) return { command: grouped, nameArgs: [first, second!] };
  const single = commands.find((command) => command.name === first.value);
  return single === undefined ? null : { command: single, nameArgs: [first] };
}

function warnUnknownEnvironment(io: CtlIo, commands: readonly CommandSpec[]): void {
  const known = new Set([...KNOWN_ENV_NAMES, ...commands.flatMap((command) => command.envNames ?? [])]);
  for (const [name, value] of Object.entries(io.env)) {
    if (name.startsWith('SYNODCTL_') && !known.has(name)) {
      io.stderr.write(`synodctl: unrecognized environment variable ${name}=${value ?? ''}\n`);
    }
  }
}

/** Finds the command (cobra style: the first positionals that name one), then parses its flags. */
async function dispatch(argv: readonly string[], io: CtlIo, commands: readonly CommandSpec[], sessions: Session[]): Promise<number> {
  const rootFlags = [...GLOBAL_FLAGS, helpFlag('synodctl')];
  // A first pass only locates the command, so flags that belong to it may come before its name.
  const positionals = locatePositionals(argv, rootFlags);
  const [first, ...rest] = positionals;
  if (first === undefined) {
    parseCommandLine(argv, rootFlags);
    io.stdout.write(rootHelp(commands));
    return ExitCode.success;
  }
  if (first.value === 'help') {
    const target = findCommand(rest, commands);
    io.stdout.write(target === null ? rootHelp(commands) : commandHelp(target.command));
    return ExitCode.success;
  }
  const found = findCommand(positionals, commands);
  if (found === null) {
    const group = commands.filter((command) => command.name.startsWith(`${first.value} `));
    if (group.length > 0) {
      io.stdout.write(rootHelp(group));
      return ExitCode.success;
    }
    throw new CtlError(ExitCode.error, `unknown command ${goQuote(first.value)} for "synodctl"\nRun 'synodctl --help' for usage.`);
  }
  const { command, nameArgs } = found;
  const parsed = parseCommandLine(argv, [...GLOBAL_FLAGS, helpFlag(command.name), ...command.flags]);
  if (parsed.flags.bool('help')) {
    io.stdout.write(commandHelp(command));
    return ExitCode.success;
  }
  const nameIndexes = new Set(nameArgs.map((arg) => arg.index));
  const commandArgs = parsed.positionals.filter((arg) => !nameIndexes.has(arg.index));
  const args = commandArgs.map((arg) => arg.value);
  const terminator = parsed.terminatorIndex;
  const argsLenAtDash = terminator === null ? -1 : commandArgs.filter((arg) => arg.index < terminator).length;
  warnUnknownEnvironment(io, commands);
  parsed.flags.applyEnvironment(io.env);
  const session = new Session(args, argsLenAtDash, parsed.flags, io);
  sessions.push(session);
  await command.run(session);
  return ExitCode.success;
}

/**
 * Runs synodctl with `argv` (without node and the script) and returns the exit code. Every failure
 * is reported on stderr as `Error: <message>`, with etcdctl's exit code for that kind of failure.
 */
export async function runSynodctl(argv: readonly string[], io: CtlIo, commands: readonly CommandSpec[] = COMMANDS): Promise<number> {
  const sessions: Session[] = [];
  try {
    return await dispatch(argv, io, commands, sessions);
  } catch (error) {
    if (!(error instanceof CtlError && error.reported)) io.stderr.write(`Error: ${(error as Error).message ?? String(error)}\n`);
    return error instanceof CtlError ? error.exitCode : ExitCode.error;
  } finally {
    await Promise.all(sessions.map((session) => session.close()));
  }
}

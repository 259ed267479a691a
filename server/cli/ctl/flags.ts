import { parseArgs } from 'node:util';
import { CtlError, ExitCode } from './exit-codes.js';
import { parseGoDurationMs } from './go-duration.js';
import { goQuote, parseGoBool, parseGoInt } from './go-strconv.js';

/** How a flag's text becomes a value; each kind parses exactly as etcdctl's pflag type does. */
export type FlagKind = 'bool' | 'string' | 'int64' | 'duration' | 'strings';

/** One flag of a command (or a global flag). */
export interface FlagSpec {
  readonly name: string;
  readonly short?: string;
  readonly kind: FlagKind;
  /** The default, as text: parsed like a value given on the command line, and shown by --help. */
  readonly defaultText: string;
  readonly description: string;
  /** Global flags only: also read from the SYNODCTL_<NAME> environment variable. */
  readonly env?: boolean;
}

export type FlagValue = boolean | string | bigint | number | readonly string[];

/** The environment variable twin of a flag: --dial-timeout is SYNODCTL_DIAL_TIMEOUT. */
export function envName(flagName: string): string {
  return `SYNODCTL_${flagName.toUpperCase().replaceAll('-', '_')}`;
}

function flagLabel(spec: FlagSpec): string {
  return spec.short === undefined ? `--${spec.name}` : `-${spec.short}, --${spec.name}`;
}

/** Parses one value of a flag (from argv, the environment or the default); throws Go's message. */
function convert(spec: FlagSpec, text: string): FlagValue {
  switch (spec.kind) {
    case 'bool':
      return parseGoBool(text);
    case 'string':
      return text;
    case 'int64':
      return parseGoInt(text, 0);
    case 'duration':
      return parseGoDurationMs(text);
    case 'strings':
      return text === '' ? [] : text.split(',').map((part) => part.trim()).filter((part) => part !== '');
  }
}

/** The parsed flags of one command line: every flag has a value (its default when not given). */
export class FlagSet {
  private readonly values = new Map<string, FlagValue>();
  private readonly changed = new Set<string>();

  constructor(private readonly specs: readonly FlagSpec[]) {
    for (const spec of specs) this.values.set(spec.name, convert(spec, spec.defaultText));
  }

  /** Sets a flag from command-line text; a repeated list flag appends, anything else is replaced. */
  set(spec: FlagSpec, text: string): void {
    let value: FlagValue;
    try {
      value = convert(spec, text);
    } catch (error) {
      throw new CtlError(ExitCode.error, `invalid argument ${goQuote(text)} for "${flagLabel(spec)}" flag: ${(error as Error).message}`);
    }
    if (spec.kind === 'strings' && this.changed.has(spec.name)) value = [...this.strings(spec.name), ...(value as string[])];
    this.values.set(spec.name, value);
    this.changed.add(spec.name);
  }

  /** Fills each flag with an environment twin that the command line left unset (flags win). */
  applyEnvironment(env: NodeJS.ProcessEnv): void {
    for (const spec of this.specs) {
      const text = env[envName(spec.name)];
      if (spec.env !== true || this.changed.has(spec.name) || text === undefined) continue;
      try {
        this.values.set(spec.name, convert(spec, text));
      } catch (error) {
        throw new CtlError(ExitCode.error, `invalid value ${goQuote(text)} for ${envName(spec.name)}: ${(error as Error).message}`);
      }
    }
  }

  isSet(name: string): boolean {
    return this.changed.has(name);
  }

  bool(name: string): boolean {
    return this.get(name) as boolean;
  }

  string(name: string): string {
    return this.get(name) as string;
  }

  int64(name: string): bigint {
    return this.get(name) as bigint;
  }

  durationMs(name: string): number {
    return this.get(name) as number;
  }

  strings(name: string): readonly string[] {
    return this.get(name) as readonly string[];
  }

  private get(name: string): FlagValue {
    const value = this.values.get(name);
    if (value === undefined) throw new Error(`flag --${name} is not defined for this command`);
    return value;
  }
}

/** A positional argument and where it stood in argv. */
export interface Positional {
  readonly value: string;
  readonly index: number;
}

function tokenize(argv: readonly string[], specs: readonly FlagSpec[]) {
  const options: Record<string, { type: 'boolean' | 'string'; short?: string }> = {};
  for (const spec of specs) {
    options[spec.name] = { type: spec.kind === 'bool' ? 'boolean' : 'string', ...(spec.short === undefined ? {} : { short: spec.short }) };
  }
  return parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true }).tokens;
}

/**
 * The positionals of argv when only `specs` are known: unknown flags are passed over, not refused,
 * so the command name can be found before the command's own flags are known.
 */
export function locatePositionals(argv: readonly string[], specs: readonly FlagSpec[]): Positional[] {
  return tokenize(argv, specs).flatMap((token) => (token.kind === 'positional' ? [{ value: token.value, index: token.index }] : []));
}

/**
 * Parses argv as pflag does: flags anywhere among the arguments, `--name value`, `--name=value`,
 * `-w json`, `-wjson`, `-w=json`, grouped short booleans, booleans as `--prefix` or `--prefix=false`,
 * a non-boolean flag always taking the next argument, and `--` ending the flags (`terminatorIndex`
 * says where in argv it stood).
 */
export function parseCommandLine(
  argv: readonly string[],
  specs: readonly FlagSpec[],
): { flags: FlagSet; positionals: Positional[]; terminatorIndex: number | null } {
  const flags = new FlagSet(specs);
  const positionals: Positional[] = [];
  let terminatorIndex: number | null = null;
  for (const token of tokenize(argv, specs)) {
    if (token.kind === 'positional') positionals.push({ value: token.value, index: token.index });
    if (token.kind === 'option-terminator') terminatorIndex ??= token.index;
    if (token.kind !== 'option') continue;
    const isShort = !token.rawName.startsWith('--');
    const spec = specs.find((candidate) => candidate.name === token.name);
    if (spec === undefined) {
      throw new CtlError(
        ExitCode.error,
        isShort ? `unknown shorthand flag: '${token.rawName.slice(1)}' in ${argv[token.index] ?? token.rawName}` : `unknown flag: ${token.rawName}`,
      );
    }
    let text = token.value;
    // pflag reads `-w=json` as "json"; node's tokenizer leaves the "=" on the value.
    if (isShort && token.inlineValue === true && text?.startsWith('=') === true) text = text.slice(1);
    if (spec.kind === 'bool') {
      flags.set(spec, text ?? 'true');
      continue;
    }
    if (text === undefined) {
      throw new CtlError(ExitCode.error, isShort ? `flag needs an argument: '${spec.short}' in -${spec.short}` : `flag needs an argument: --${spec.name}`);
    }
    flags.set(spec, text);
  }
  return { flags, positionals, terminatorIndex };
}

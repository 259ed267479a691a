import { compare, op, type Compare, type CompareOperator, type Op } from '../../../client-sdk/index.js';
import { CtlError, ExitCode } from './exit-codes.js';
import { parseCommandLine, type FlagSpec } from './flags.js';
import { goQuote, parseGoInt, scanQuoted } from './go-strconv.js';
import type { StdinReader } from './io.js';
import { DEL_FLAGS, GET_FLAGS, PUT_FLAGS, deleteRequest, getRequest, putRequest } from './kv-requests.js';

/**
 * etcdctl's txn input: compares one per line, a blank line, the success requests, a blank line, the
 * failure requests, a blank line. Lines are handled as latin1 strings so every byte of a quoted key
 * or value survives; each section must end with a newline or the input is an error ("EOF"), as in
 * etcdctl.
 */
export interface TxnInput {
  readonly compares: Compare[];
  readonly success: Op[];
  readonly failure: Op[];
}

const invalidInput = (message: string): CtlError => new CtlError(ExitCode.invalidInput, message);

/** A latin1 byte string as text for a message (valid UTF-8 shows as itself). */
function shown(bytes: string): string {
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** Go's strings.TrimSpace, for the ASCII spaces that can surround a line. */
function trimLine(line: string): string {
  return line.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, '');
}

const ARG_PATTERN = /"(?:[^"\\]|\\.)*"|'[^']*'|[^'"\t\n\f\r ][^\t\n\f\r ]*[^'"\t\n\f\r ]?/g;

/**
 * Splits a request line into arguments as etcdctl's Argify does: "double quoted" strings take Go
 * escapes, 'single quoted' strings are taken literally (etcdctl 3.4/3.5 cut those short, a bug we
 * do not copy), anything else splits on spaces.
 */
export function argify(line: string): string[] {
  return (line.match(ARG_PATTERN) ?? []).map((arg) => {
    if (arg.startsWith("'")) return arg.slice(1, -1);
    if (!arg.startsWith('"')) return arg;
    try {
      return scanQuoted(arg, 0).value;
    } catch (error) {
      throw invalidInput((error as Error).message);
    }
  });
}

const OPERATORS: readonly string[] = ['=', '!=', '<', '>'];

/** Reads `target("key") op "value"` as etcdctl's fmt.Sscanf(`%q) %s %q`) does. */
function scanCompare(afterParen: string): { key: string; operator: string; value: string; scanned: number } {
  const found = { key: '', operator: '', value: '', scanned: 0 };
  try {
    const key = scanQuoted(afterParen, 0);
    found.key = key.value;
    found.scanned = 1;
    if (afterParen[key.end] !== ')') return found;
    // The space after ')' is required: fmt refuses "space in format but not in input".
    const operator = /^[ \t]+([^ \t]+)/.exec(afterParen.slice(key.end + 1));
    if (operator === null) return found;
    found.operator = operator[1]!;
    found.scanned = 2;
    found.value = scanQuoted(afterParen, key.end + 1 + operator[0].length).value;
    found.scanned = 3;
  } catch {
    // What was scanned so far goes into the error message, as in etcdctl.
  }
  return found;
}

/** Parses one compare line: ver|version, c|create, m|mod, val|value or lease (hex), then = != < >. */
export function parseCompare(line: string): Compare {
  const paren = line.indexOf('(');
  if (paren < 0) throw invalidInput(`malformed comparison: ${shown(line)}`);
  const target = line.slice(0, paren);
  const { key, operator, value, scanned } = scanCompare(line.slice(paren + 1));
  if (scanned !== 3) {
    const got = `${shown(target)}(${goQuote(Buffer.from(key, 'latin1'))}) ${shown(operator)} ${goQuote(Buffer.from(value, 'latin1'))}`;
    throw invalidInput(`malformed comparison: ${shown(line)}; got ${got}`);
  }
  const keyBytes = Buffer.from(key, 'latin1');
  const integer = (base: 10 | 16): bigint => {
    try {
      return parseGoInt(value, base);
    } catch {
      throw invalidInput(`invalid txn compare request: ${shown(line)}`);
    }
  };
  const checked = (): CompareOperator => {
    if (!OPERATORS.includes(operator)) throw invalidInput(`malformed comparison: ${shown(line)} (unknown operator ${shown(operator)})`);
    return operator as CompareOperator;
  };
  switch (target) {
    case 'ver':
    case 'version':
      return compare.version(keyBytes, checked(), integer(10));
    case 'c':
    case 'create':
      return compare.createRevision(keyBytes, checked(), integer(10));
    case 'm':
    case 'mod':
      return compare.modRevision(keyBytes, checked(), integer(10));
    case 'val':
    case 'value':
      return compare.value(keyBytes, checked(), Buffer.from(value, 'latin1'));
    case 'lease':
      return compare.lease(keyBytes, checked(), integer(16));
    default:
      throw invalidInput(`malformed comparison: ${shown(line)} (unknown target ${shown(target)})`);
  }
}

const REQUEST_FLAGS: Readonly<Record<string, readonly FlagSpec[]>> = { get: GET_FLAGS, put: PUT_FLAGS, del: DEL_FLAGS };

/**
 * Parses one request line (`get`, `put` or `del` with that command's flags). A put without a value
 * fails as in etcdctl: there it would read the value from stdin, which its line reader has already
 * consumed.
 */
export async function parseRequest(line: string): Promise<Op> {
  const args = argify(line);
  // etcdctl's message for a line with a single word, odd as it reads.
  if (args.length < 2) throw invalidInput(`invalid txn compare request: ${shown(line)}`);
  const [name, ...rest] = args as [string, ...string[]];
  const specs = REQUEST_FLAGS[name];
  if (specs === undefined) throw invalidInput(`invalid txn request: ${shown(line)}`);
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(rest, specs);
  } catch {
    throw invalidInput(`invalid txn request: ${shown(line)}`);
  }
  const positionals = parsed.positionals.map((arg) => Buffer.from(arg.value, 'latin1'));
  if (name === 'get') {
    const request = getRequest(positionals, parsed.flags);
    return op.get(request.key, request.options);
  }
  if (name === 'put') {
    const request = await putRequest(positionals, parsed.flags, async () => Buffer.alloc(0));
    return op.put(request.key, request.value, request.options);
  }
  const request = deleteRequest(positionals, parsed.flags);
  return op.delete(request.key, request.options);
}

/** Reads trimmed lines up to a blank one; the input ending first is etcdctl's "EOF" error. */
async function readSection<T>(reader: StdinReader, parse: (line: string) => T | Promise<T>): Promise<T[]> {
  const items: T[] = [];
  for (;;) {
    const raw = await reader.readLine();
    if (raw === null) throw invalidInput('EOF');
    const line = trimLine(raw.toString('latin1'));
    if (line === '') return items;
    items.push(await parse(line));
  }
}

/** Reads the three sections, calling `prompt` before each (txn -i prints etcdctl's prompts). */
export async function readTxnInput(reader: StdinReader, prompt: (title: string) => void): Promise<TxnInput> {
  prompt('compares:');
  const compares = await readSection(reader, parseCompare);
  prompt('success requests (get, put, del):');
  const success = await readSection(reader, parseRequest);
  prompt('failure requests (get, put, del):');
  const failure = await readSection(reader, parseRequest);
  return { compares, success, failure };
}

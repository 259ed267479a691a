/**
 * Command line: `node dist/test/checker/cli.js [options] history.json` checks a KV history file
 * (JSON array or JSON lines, see README.md) and prints the verdict.
 *
 * Exit codes: 0 linearizable, 1 violation, 2 unknown (budget exhausted), 3 usage or format error.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultMinimiseStepsMax, defaultStepsMax } from './checker.js';
import { checkKvHistory, HistoryFormatError, parseKvHistory, toJsonLines, toKvOperations, toKvRecord } from './history.js';

/** Exit codes of the CLI, by verdict. */
export const exitCodes = { ok: 0, violation: 1, unknown: 2, usage: 3 } as const;

/** Where the CLI reads and writes; tests pass in-memory versions. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readFile: (path: string) => string;
  readonly now: () => number;
}

const usage = `usage: cli.js [--steps-max N] [--minimise-steps-max N] [--no-minimise] [--no-partition] [--json] <history.json | ->
  Checks a Synod KV history (JSON array or JSON lines) for linearizability.
  Exit codes: 0 linearizable, 1 violation, 2 unknown (budget exhausted), 3 usage or format error.`;

function positiveInteger(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0) throw new HistoryFormatError([`${name} must be a positive integer`]);
  return value;
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code. */
export function main(argv: readonly string[], io: CliIo): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        'steps-max': { type: 'string' },
        'minimise-steps-max': { type: 'string' },
        'no-minimise': { type: 'boolean' },
        'no-partition': { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    io.stderr(`${(error as Error).message}\n${usage}\n`);
    return exitCodes.usage;
  }
  const { values, positionals } = parsed;
  if (values.help === true || positionals.length !== 1) {
    (values.help === true ? io.stdout : io.stderr)(`${usage}\n`);
    return values.help === true ? exitCodes.ok : exitCodes.usage;
  }
  const path = positionals[0]!;
  try {
    const records = parseKvHistory(io.readFile(path));
    const started = io.now();
    const result = checkKvHistory(records, {
      stepsMax: positiveInteger(values['steps-max'], '--steps-max', defaultStepsMax),
      minimiseStepsMax: positiveInteger(values['minimise-steps-max'], '--minimise-steps-max', defaultMinimiseStepsMax),
      minimise: values['no-minimise'] !== true,
      partition: values['no-partition'] !== true,
    });
    const elapsedMs = Math.round(io.now() - started);
    if (values.json === true) {
      const witness = result.verdict === 'violation' ? { operations: result.operations.map(toKvRecord) } : {};
      io.stdout(`${JSON.stringify({ ...result, ...witness, elapsedMs })}\n`);
      return exitCodes[result.verdict];
    }
    const checked = toKvOperations(records).length;
    switch (result.verdict) {
      case 'ok':
        io.stdout(
          `linearizable: ${records.length} records (${checked} checked) in ${result.partitions} partitions, ` +
            `${result.steps} search steps, ${elapsedMs} ms\n`,
        );
        break;
      case 'violation':
        io.stdout(
          `NOT linearizable: partition ${JSON.stringify(result.partitionKey)}, ${result.steps} search steps ` +
            `(+${result.minimiseSteps} to minimise), ${elapsedMs} ms\n${result.explanation}\n` +
            `${result.minimal ? 'Minimal' : 'Shrunk (not proven minimal)'} violating sub-history, as JSON lines:\n` +
            toJsonLines(result.operations.map(toKvRecord)),
        );
        break;
      case 'unknown':
        io.stdout(`unknown: ${result.reason} (${elapsedMs} ms); raise --steps-max to search further\n`);
        break;
    }
    return exitCodes[result.verdict];
  } catch (error) {
    io.stderr(`${path}: ${(error as Error).message}\n`);
    return exitCodes.usage;
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  process.exitCode = main(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readFile: (path) => readFileSync(path === '-' ? 0 : path, 'utf8'),
    now: () => performance.now(),
  });
}

/**
 * The chaos run: `npm run chaos -- --minutes 10` runs the linearizability scenario of
 * test/integration/cluster/linearizability.test.ts again and again on fresh 3-member clusters, one seed
 * after another, and prints a replay line for every failing seed (its history, nemesis log and member
 * logs are saved). `npm run chaos -- --seed 17` runs one seed; `npm run soak` is an alias. A seed fixes
 * the workload's choices and the nemesis' schedule; the timing of real processes is not reproducible,
 * so a replay retries the same schedule rather than the exact interleaving.
 *
 * Exit code: 0 when every run passed, 1 when one failed, 3 on a usage error.
 */
import { parseArgs } from 'node:util';
import { ALL_FAULTS, type FaultKind } from '../helpers/nemesis.js';
import { runLinearizabilityScenario, saveFailure, summarise } from '../helpers/linearizability-scenario.js';

const usage = `usage: npm run chaos -- [--minutes N | --seed S] [--first-seed S] [--traffic-seconds N] [--faults kind,kind]
  --minutes N          keep starting runs for N minutes (default 10)
  --seed S             run seed S once (a replay)
  --first-seed S       first seed of a timed run (default: from the clock); the next runs use S+1, S+2, ...
  --traffic-seconds N  traffic and faults per run (default 30)
  --faults list        fault kinds to draw from (default all: ${ALL_FAULTS.join(', ')})`;

interface SoakOptions {
  readonly minutes: number | null;
  readonly seed: number | null;
  readonly firstSeed: number;
  readonly trafficSeconds: number;
  readonly faults: readonly FaultKind[];
}

function parse(argv: readonly string[]): SoakOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      minutes: { type: 'string' },
      seed: { type: 'string' },
      'first-seed': { type: 'string' },
      'traffic-seconds': { type: 'string' },
      faults: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    console.log(usage);
    process.exit(0);
  }
  const number = (text: string | undefined, name: string): number | null => {
    if (text === undefined) return null;
    const value = Number(text);
    if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number`);
    return value;
  };
  const faults = values.faults === undefined ? ALL_FAULTS : values.faults.split(',').map((kind) => kind.trim());
  const unknown = faults.filter((kind) => !ALL_FAULTS.includes(kind as FaultKind));
  if (unknown.length > 0) throw new Error(`unknown fault kinds: ${unknown.join(', ')}`);
  const seed = number(values.seed, 'seed');
  return {
    minutes: number(values.minutes, 'minutes') ?? (seed === null ? 10 : null),
    seed,
    firstSeed: number(values['first-seed'], 'first-seed') ?? Date.now() % 1_000_000,
    trafficSeconds: number(values['traffic-seconds'], 'traffic-seconds') ?? 30,
    faults: faults as FaultKind[],
  };
}

function replayLine(seed: number, options: SoakOptions): string {
  const faults = options.faults === ALL_FAULTS ? '' : ` --faults ${options.faults.join(',')}`;
  return `npm run chaos -- --seed ${seed} --traffic-seconds ${options.trafficSeconds}${faults}`;
}

async function main(): Promise<number> {
  let options: SoakOptions;
  try {
    options = parse(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    return 3;
  }
  const deadline = options.minutes === null ? 0 : Date.now() + options.minutes * 60_000;
  const failures: string[] = [];
  let runs = 0;
  let operations = 0;
  let faults = 0;
  for (let seed = options.seed ?? options.firstSeed; runs === 0 || Date.now() < deadline; seed++) {
    runs++;
    try {
      const outcome = await runLinearizabilityScenario({ seed, trafficMs: options.trafficSeconds * 1000, faults: options.faults });
      operations += outcome.history.length;
      faults += outcome.faultsInjected;
      const passed = outcome.result.ok && outcome.problems.length === 0;
      console.log(`${passed ? 'ok  ' : 'FAIL'} ${summarise(outcome)}`);
      if (!passed) {
        console.log(saveFailure(outcome, replayLine(seed, options)));
        failures.push(`seed ${seed}: REPLAY ${replayLine(seed, options)}`);
      }
    } catch (error) {
      // The scenario itself broke (e.g. no leader within the liveness bound): also a failure.
      console.log(`FAIL seed ${seed}: ${(error as Error).stack ?? String(error)}`);
      failures.push(`seed ${seed}: REPLAY ${replayLine(seed, options)}`);
    }
    if (options.minutes === null) break;
  }
  console.log(`\n${runs} runs, ${operations} operations, ${faults} faults, ${failures.length} failed`);
  for (const line of failures) console.log(line);
  return failures.length === 0 ? 0 : 1;
}

process.exitCode = await main();

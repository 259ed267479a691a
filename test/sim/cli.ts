import { parseArgs } from 'node:util';
import { PLANTED_BUGS, type PlantedBug, type SimOptions } from './params.js';
import { defaultWorkers, runSeeds } from './pool.js';
import { runSeed, type SeedResult } from './run.js';
import { Summary } from './summary.js';

/**
 * `npm run sim -- --seeds N --from S [--members 3|5]` runs a campaign of seeds and prints progress,
 * seeds per second, every failure with the one-line command that replays it, and failover figures.
 * `npm run sim -- --seed S --members M` replays one seed and prints its details.
 */
const HELP = `Usage: npm run sim -- [options]

  --seeds N               number of seeds to run (default 100)
  --from S                first seed (default 1)
  --seed S                run only seed S and print its details (a replay)
  --members 3|5           cluster size (default: 3 for even seeds, 5 for odd ones)
  --ticks T               safety-phase ticks per seed (default 300)
  --liveness-ticks L      ticks allowed to settle after healing (default 250)
  --bug NAME              plant a bug: ${PLANTED_BUGS.filter((b) => b !== 'none').join(', ')}
  --harsh                 harsher fault mix (used by the planted-bug searches)
  --no-durability-check   do not check durability before sends
  --workers N             worker threads (default: one per core, at most 8)
  --stop-on-failure       stop at the first failing seed
  --trace                 with --seed: print every Ready, delivery and fault
`;

function intOption(value: string | undefined, name: string, fallback: number, min: number, max = 0x7fffffff): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer in [${min}, ${max}], got ${value}`);
  return n;
}

function describeOne(r: SeedResult): string {
  const lines = [
    `seed ${r.seed}, ${r.members} members: ${r.violation === null ? 'ok' : `FAILED (${r.violation.kind})`}`,
    `  params: ${JSON.stringify(r.params)}`,
    `  clients: ${JSON.stringify(r.clients)}, history ${r.historyOps} ops, checker ${r.checkerSteps} steps`,
    `  network: ${JSON.stringify(r.network)}`,
    `  faults: ${JSON.stringify(r.faults)}, membership: ${JSON.stringify(r.membership)}`,
    `  failovers (ticks): ${r.failovers.map((f) => `${f.ticks}${f.cause === 'crash' ? 'c' : 'p'}${f.clean ? '' : '*'}`).join(' ') || 'none'}`,
    `  settled ${r.livenessTicks ?? '-'} ticks after healing`,
  ];
  if (r.violation !== null) lines.push(`  violation at tick ${r.violation.tick}: ${r.violation.detail}`, `  replay: ${r.replay}`);
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      seeds: { type: 'string' },
      from: { type: 'string' },
      seed: { type: 'string' },
      members: { type: 'string' },
      ticks: { type: 'string' },
      'liveness-ticks': { type: 'string' },
      bug: { type: 'string' },
      harsh: { type: 'boolean' },
      'no-durability-check': { type: 'boolean' },
      'stop-on-failure': { type: 'boolean' },
      workers: { type: 'string' },
      trace: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    process.stdout.write(HELP);
    return 0;
  }
  const bug = (values.bug ?? 'none') as PlantedBug;
  if (!PLANTED_BUGS.includes(bug)) throw new Error(`unknown bug ${values.bug}; known: ${PLANTED_BUGS.join(', ')}`);
  const membersFixed = values.members === undefined ? null : intOption(values.members, '--members', 3, 3, 5);
  if (membersFixed !== null && membersFixed !== 3 && membersFixed !== 5) throw new Error('--members must be 3 or 5');
  const optionsFor = (seed: number): SimOptions => ({
    seed,
    members: (membersFixed ?? (seed % 2 === 0 ? 3 : 5)) as 3 | 5,
    ...(values.ticks !== undefined ? { safetyTicks: intOption(values.ticks, '--ticks', 300, 1) } : {}),
    ...(values['liveness-ticks'] !== undefined ? { livenessTicksMax: intOption(values['liveness-ticks'], '--liveness-ticks', 250, 1) } : {}),
    ...(bug !== 'none' ? { bug } : {}),
    ...(values.harsh === true ? { harsh: true } : {}),
    ...(values['no-durability-check'] === true ? { durabilityCheck: false } : {}),
  });
  if (values.seed !== undefined) {
    const trace = values.trace === true ? (line: string): void => void process.stdout.write(`${line}\n`) : undefined;
    const result = runSeed(optionsFor(intOption(values.seed, '--seed', 1, 0)), trace === undefined ? {} : { trace });
    process.stdout.write(`${describeOne(result)}\n`);
    return result.violation === null ? 0 : 1;
  }
  const count = intOption(values.seeds, '--seeds', 100, 1);
  const from = intOption(values.from, '--from', 1, 0);
  const workers = intOption(values.workers, '--workers', defaultWorkers(), 1, 64);
  const summary = new Summary();
  const started = performance.now();
  let lastProgress = started;
  const tty = process.stderr.isTTY;
  const seeds = Array.from({ length: count }, (_, i) => optionsFor(from + i));
  await runSeeds(seeds, workers, (result) => {
    summary.add(result);
    if (result.violation !== null) {
      const first = result.violation.detail.split('\n')[0];
      process.stdout.write(`${tty ? '\n' : ''}FAIL seed ${result.seed} (${result.members} members) ${result.violation.kind} at tick ${result.violation.tick}: ${first}\n  replay: ${result.replay}\n`);
      if (values['stop-on-failure'] === true) return false;
    }
    const now = performance.now();
    if (now - lastProgress > 2000) {
      lastProgress = now;
      const line = `${summary.seeds}/${count} seeds, ${(summary.seeds / ((now - started) / 1000)).toFixed(1)} seeds/s (${workers} workers), ${summary.failures.length} failed`;
      process.stderr.write(tty ? `\r${line}   ` : `${line}\n`);
    }
    return true;
  });
  if (tty) process.stderr.write('\n');
  process.stdout.write(summary.render((performance.now() - started) / 1000, workers));
  return summary.failures.length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${HELP}`);
    process.exitCode = 2;
  },
);

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { etcdAvailable, type TargetName } from './launch.js';
import { profileText, readProfile, summarizeProfile } from './profile-summary.js';
import { compareOutcomes, comparisonJson, comparisonTable, resultsTable } from './report.js';
import { driverFor, measureOn, withFreshStore, type MeasureParameters, type Outcome } from './session.js';
import { WATCHERS_PER_CONNECTION_DEFAULT } from './watch-workload.js';
import { WORKLOADS, workloadsNamed, type WorkloadOptions } from './workloads.js';

/**
 * `npm run bench -- <workload>[,<workload>…] [options]`: starts fresh members (real processes on
 * temporary data directories, syncing to disk) unless --endpoints is given, and measures each workload
 * at each number of requests in flight. `npm run bench -- compare` does the same for Synod and etcd
 * side by side. Progress goes to stderr; one JSON line per run and the tables go to stdout.
 */
const HELP = `Usage:
  npm run bench -- <workload>[,<workload>...] [options]   measure one store
  npm run bench -- compare [options]                      Synod and etcd side by side (needs etcd on PATH)
  npm run bench -- profile-summary <file.cpuprofile>...   top self-time functions of a --cpu-prof profile

Workloads:
${WORKLOADS.map((w) => `  ${w.name.padEnd(18)} ${w.description}`).join('\n')}

Options:
  --in-flight 1,16,256   requests in flight (one run per value)
  --duration 5s          time per run (5s, 5 and 5000ms alike)
  --warm-up 1s           unrecorded load on each fresh store before its runs (0: none)
  --rate N               operations per second across all workers (default: none, each worker
                         sends its next request as soon as the previous one is answered); latency
                         counts from when an operation was due
  --connections N        client connections (default: min(in-flight, 16))
  --key-space 10000      distinct keys
  --key-bytes 16         key size
  --value-bytes 256      value size
  --hot-keys 4           counters the txn-cas workload contends on
  --watchers 8           watchers of the watch workload
  --shared-watchers N    of those, watchers of the one prefix every put falls under (default: half)
  --watch-connections N  connections the watchers share (default: one per ${WATCHERS_PER_CONNECTION_DEFAULT} watchers)
  --leases 256           leases the lease-keepalive workload keeps alive (spread over --connections)
  --lease-ttl 60         their TTL in seconds
  --target synod         store to measure: synod or etcd
  --members 1            members of the store started (compare: a list, default 1,3)
  --endpoints host:port  measure a running store instead of starting one
  --cpu-prof DIR         start Synod members under node --cpu-prof, writing profiles to DIR
  Members keep their data under $TMPDIR (default /tmp): set TMPDIR to measure another disk.
  compare only:
  --workloads LIST       default: every workload
  --targets synod,etcd   stores to compare
  profile-summary only:
  --top 30               functions and files listed
`;

/** The comma-separated integers of option `name`, each at least `least`; a problem is noted otherwise. */
function integers(name: string, text: string, problems: string[], least = 1): number[] {
  const values = text.split(',').map((part) => Number(part.trim()));
  if (values.some((v) => !Number.isInteger(v) || v < least)) problems.push(`--${name} wants ${least === 1 ? 'positive' : `at least ${least},`} integers, got "${text}"`);
  return values;
}

/** The one integer of an option without a default, or undefined when it is not given. */
function optionalInteger(name: string, text: string | undefined, problems: string[], least = 1): number | undefined {
  return text === undefined ? undefined : integers(name, text, problems, least)[0];
}

/** Seconds from "5", "5s" or "500ms"; NaN when it is none of those. */
function seconds(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(s|ms)?$/.exec(text.trim());
  if (match === null) return Number.NaN;
  return Number(match[1]) / (match[2] === 'ms' ? 1000 : 1);
}

function emit(outcome: Outcome): void {
  process.stdout.write(`${JSON.stringify({ bench: outcome })}\n`);
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'in-flight': { type: 'string', default: '1,16,256' },
      duration: { type: 'string', default: '5s' },
      'warm-up': { type: 'string', default: '1s' },
      rate: { type: 'string' },
      connections: { type: 'string' },
      'key-space': { type: 'string', default: '10000' },
      'key-bytes': { type: 'string', default: '16' },
      'value-bytes': { type: 'string', default: '256' },
      'hot-keys': { type: 'string', default: '4' },
      watchers: { type: 'string', default: '8' },
      'shared-watchers': { type: 'string' },
      'watch-connections': { type: 'string' },
      leases: { type: 'string', default: '256' },
      'lease-ttl': { type: 'string', default: '60' },
      target: { type: 'string', default: 'synod' },
      members: { type: 'string' },
      endpoints: { type: 'string' },
      'cpu-prof': { type: 'string' },
      workloads: { type: 'string' },
      targets: { type: 'string', default: 'synod,etcd' },
      top: { type: 'string', default: '30' },
      help: { type: 'boolean', default: false },
    },
  });
  const command = positionals[0];
  if (values.help || command === undefined) {
    process.stdout.write(HELP);
    return values.help ? 0 : 2;
  }
  if (command === 'profile-summary') {
    for (const file of positionals.slice(1)) process.stdout.write(`${file}\n${profileText(summarizeProfile(readProfile(file)), Number(values.top))}\n\n`);
    return 0;
  }
  const problems: string[] = [];
  const duration = seconds(values.duration);
  if (!(duration > 0)) problems.push(`--duration wants a positive time such as 5s or 500ms, got "${values.duration}"`);
  const warmUp = seconds(values['warm-up']);
  if (!(warmUp >= 0)) problems.push(`--warm-up wants a time such as 1s or 0, got "${values['warm-up']}"`);
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  if (rate !== undefined && !(rate > 0)) problems.push(`--rate wants a positive number of operations per second, got "${values.rate}"`);
  const [keySpace = 1] = integers('key-space', values['key-space'], problems);
  const [keyBytes = 1] = integers('key-bytes', values['key-bytes'], problems);
  const [valueBytes = 1] = integers('value-bytes', values['value-bytes'], problems);
  const [hotKeys = 1] = integers('hot-keys', values['hot-keys'], problems);
  const [watchers = 1] = integers('watchers', values.watchers, problems);
  const sharedWatchers = optionalInteger('shared-watchers', values['shared-watchers'], problems, 0);
  const watchConnections = optionalInteger('watch-connections', values['watch-connections'], problems);
  const [leases = 1] = integers('leases', values.leases, problems);
  const [leaseTtlSeconds = 1] = integers('lease-ttl', values['lease-ttl'], problems);
  const inFlights = integers('in-flight', values['in-flight'], problems);
  const connections = optionalInteger('connections', values.connections, problems);
  const members = integers('members', values.members ?? (command === 'compare' ? '1,3' : '1'), problems);
  const targets = (command === 'compare' ? values.targets : values.target).split(',') as TargetName[];
  if (targets.some((t) => t !== 'synod' && t !== 'etcd')) problems.push(`targets are synod and etcd, got "${targets.join(',')}"`);
  let workloads = WORKLOADS.slice();
  try {
    workloads = workloadsNamed(command === 'compare' ? values.workloads ?? WORKLOADS.map((w) => w.name).join(',') : command);
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (command !== 'compare' && members.length !== 1) problems.push('--members takes one number outside compare');
  if (problems.length > 0) {
    process.stderr.write(`bench: ${problems.join('\n bench: ')}\n\n${HELP}`);
    return 2;
  }
  if (targets.includes('etcd') && !(await etcdAvailable())) {
    process.stderr.write('bench: no etcd binary on PATH (Debian: apt-get install etcd-server); use --targets synod to measure Synod alone\n');
    return 2;
  }
  const options: WorkloadOptions = {
    keySpace, keyBytes, valueBytes, hotKeys, watchers, leases, leaseTtlSeconds,
    ...(sharedWatchers === undefined ? {} : { sharedWatchers }),
    ...(watchConnections === undefined ? {} : { watchConnections }),
  };
  const parameters: MeasureParameters = { inFlights, connections, durationSeconds: duration, warmUpSeconds: warmUp, options, ...(rate === undefined ? {} : { ratePerSecond: rate }) };
  const nodeFlags = values['cpu-prof'] === undefined ? undefined : ['--cpu-prof', `--cpu-prof-dir=${resolve(values['cpu-prof'])}`];
  const outcomes: Outcome[] = [];
  const report = (outcome: Outcome): void => {
    outcomes.push(outcome);
    emit(outcome);
  };
  if (values.endpoints !== undefined) {
    const endpoints = values.endpoints.split(',');
    for (const workload of workloads) await measureOn(driverFor(targets[0]!, endpoints), endpoints.length, [], workload, parameters, report);
  } else if (command === 'compare') {
    // Each workload gets fresh stores; within a workload the stores take turns, so drift hits both.
    const stores = members.length * workloads.length * targets.length;
    const runSeconds = stores * (warmUp + inFlights.length * duration);
    process.stderr.write(`compare: ${stores} fresh stores, ${stores * inFlights.length} runs of ${duration} s (${Math.ceil(runSeconds / 60)} min of load, plus starts and set-up)\n`);
    let started = 0;
    for (const memberCount of members) {
      for (const workload of workloads) {
        for (const target of targets) {
          process.stderr.write(`[${++started}/${stores}] ${target} members=${memberCount} ${workload.name}\n`);
          // A workload the store cannot run is reported without starting the store.
          const unavailable = workload.unavailableOn(driverFor(target, []));
          if (unavailable !== null) {
            report({ target, members: memberCount, workload: workload.name, unavailable });
            continue;
          }
          await withFreshStore(target, memberCount, target === 'synod' ? nodeFlags : undefined, (driver, pids) => measureOn(driver, memberCount, pids, workload, parameters, report));
        }
      }
    }
  } else {
    // One fresh store serves every workload named.
    await withFreshStore(targets[0]!, members[0]!, targets[0] === 'synod' ? nodeFlags : undefined, async (driver, pids) => {
      for (const workload of workloads) await measureOn(driver, members[0]!, pids, workload, parameters, report);
    });
  }
  if (command === 'compare') {
    const rows = compareOutcomes(outcomes);
    for (const row of rows) process.stdout.write(`${JSON.stringify({ compare: comparisonJson(row) })}\n`);
    process.stdout.write(`\n${comparisonTable(rows)}\n`);
  }
  process.stdout.write(`\n${resultsTable(outcomes)}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);

import { waitFor } from '../integration/helpers/wait-for.js';
import { etcdDriver } from './etcd-driver.js';
import { startStore, type RunningStore, type TargetName } from './launch.js';
import { runWorkload, type RunResult, type Unavailable } from './runner.js';
import type { StoreDriver } from './store-client.js';
import { synodDriver } from './synod-driver.js';
import type { Workload, WorkloadOptions } from './workload.js';

/** How long a fresh store may take to elect a leader and accept a write through every member. */
const READY_TIMEOUT_MS = 30_000;

/** The driver for a store at these endpoints. */
export function driverFor(target: TargetName, endpoints: readonly string[]): StoreDriver {
  return target === 'synod' ? synodDriver(endpoints) : etcdDriver(endpoints);
}

/** Resolves once a write through each member succeeds (so a leader is elected and known to all). */
export async function waitUntilWritable(driver: StoreDriver, members: number): Promise<void> {
  for (let i = 0; i < members; i++) {
    await waitFor(`a write through member ${i + 1} of ${driver.target}`, async () => {
      const client = driver.connect(i);
      try {
        await client.put('bench-ready', Buffer.from('ready'));
        return true;
      } finally {
        await client.close();
      }
    }, READY_TIMEOUT_MS);
  }
}

export interface MeasureParameters {
  readonly inFlights: readonly number[];
  readonly connections: number | undefined;
  readonly durationSeconds: number;
  /** Operations per second across the workers (open loop), or undefined for a closed loop. */
  readonly ratePerSecond?: number;
  /** An unrecorded run before the measured ones, at the largest in-flight (JIT, caches, connections). */
  readonly warmUpSeconds: number;
  readonly options: WorkloadOptions;
}

/** One line of output per run: a result or a workload the store cannot run. */
export type Outcome = RunResult | Unavailable;

/** Prepares `workload` on a running store, then measures it at each number of requests in flight. */
export async function measureOn(
  driver: StoreDriver,
  members: number,
  memberPids: readonly number[],
  workload: Workload,
  parameters: MeasureParameters,
  report: (outcome: Outcome) => void,
): Promise<Outcome[]> {
  const unavailable = workload.unavailableOn(driver);
  if (unavailable !== null) {
    const outcome: Unavailable = { target: driver.target, members, workload: workload.name, unavailable };
    report(outcome);
    return [outcome];
  }
  const setup = driver.connect(0);
  try {
    await workload.prepare(setup, parameters.options);
  } finally {
    await setup.close();
  }
  const common = {
    connections: parameters.connections,
    options: parameters.options,
    members,
    memberPids,
    ...(parameters.ratePerSecond === undefined ? {} : { ratePerSecond: parameters.ratePerSecond }),
  };
  if (parameters.warmUpSeconds > 0) {
    await runWorkload(workload, driver, { ...common, inFlight: Math.max(...parameters.inFlights), durationSeconds: parameters.warmUpSeconds, warmUp: true });
  }
  const outcomes: Outcome[] = [];
  for (const inFlight of parameters.inFlights) {
    const result = await runWorkload(workload, driver, { ...common, inFlight, durationSeconds: parameters.durationSeconds });
    report(result);
    outcomes.push(result);
  }
  return outcomes;
}

/**
 * Starts a fresh store of `members` members, waits until it takes writes through every member, hands
 * it to `use`, and stops it (data removed) however `use` ends. `nodeFlags` go to Synod members.
 */
export async function withFreshStore<T>(
  target: TargetName,
  members: number,
  nodeFlags: readonly string[] | undefined,
  use: (driver: StoreDriver, memberPids: readonly number[]) => Promise<T>,
): Promise<T> {
  const store: RunningStore = await startStore(target, nodeFlags === undefined ? { members } : { members, nodeFlags });
  try {
    const driver = driverFor(target, store.endpoints);
    await waitUntilWritable(driver, members);
    return await use(driver, store.pids);
  } finally {
    await store.stop();
  }
}

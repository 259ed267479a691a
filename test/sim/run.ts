import { RaftAssertionError } from '../../server/raft/index.js';
import { HistoryRecorder, createLogicalClock } from '../checker/recorder.js';
import { SimClient, type ClientStats } from './clients.js';
import { SimCluster, confMembers } from './cluster.js';
import { FaultInjector, type FaultStats } from './faults.js';
import { SimViolation, type ViolationKind } from './invariants.js';
import type { FailoverSample } from './metrics.js';
import type { NetworkStats } from './network.js';
import { MembershipOperator, type OperatorStats } from './operator.js';
import { SAFETY_TICKS_DEFAULT, SLOTS_PER_TICK, drawParams, type SimOptions, type SimParams } from './params.js';
import { SimRng } from './rng.js';

/** Search budget of the linearizability check of one seed's history. */
const CHECK_STEPS_MAX = 2_000_000;

/** Everything one seed produced. */
export interface SeedResult {
  readonly seed: number;
  readonly members: 3 | 5;
  readonly params: SimParams;
  readonly violation: { readonly kind: ViolationKind; readonly detail: string; readonly tick: number } | null;
  /** Ticks from healing to a serving leader, idle clients and caught-up members (null if never). */
  readonly livenessTicks: number | null;
  readonly failovers: readonly FailoverSample[];
  readonly clients: ClientStats;
  readonly network: NetworkStats;
  readonly faults: FaultStats;
  readonly membership: OperatorStats;
  readonly historyOps: number;
  readonly checkerSteps: number;
  /** The one-line command that replays this seed exactly. */
  readonly replay: string;
}

/** The command line that replays `options` exactly. */
export function replayCommand(options: SimOptions): string {
  let cmd = `npm run sim -- --seed ${options.seed} --members ${options.members}`;
  if (options.safetyTicks !== undefined && options.safetyTicks !== SAFETY_TICKS_DEFAULT) cmd += ` --ticks ${options.safetyTicks}`;
  if (options.livenessTicksMax !== undefined) cmd += ` --liveness-ticks ${options.livenessTicksMax}`;
  if (options.bug !== undefined && options.bug !== 'none') cmd += ` --bug ${options.bug}`;
  if (options.harsh === true) cmd += ' --harsh';
  if (options.durabilityCheck === false) cmd += ' --no-durability-check';
  return cmd;
}

/** Why the cluster has not settled yet, or null once it has. */
function unsettled(cluster: SimCluster, clients: readonly SimClient[]): string | null {
  const leader = cluster.servingLeader();
  if (leader === undefined) return 'no leader has committed an entry of its term';
  const busy = clients.filter((c) => !c.idle);
  if (busy.length > 0) return `clients still busy: ${busy.map((c) => c.describe()).join('; ')}`;
  const committed = cluster.invariants.highestCommitted;
  for (const id of confMembers(cluster.latestConf.confState)) {
    const m = cluster.members.get(id);
    if (m === undefined || !m.running) return `member ${id} of the configuration is not running`;
    if (m.appliedIndex < committed) return `member ${id} applied ${m.appliedIndex} < committed ${committed}`;
  }
  return null;
}

/**
 * Runs one seed: a safety phase of `safetyTicks` ticks with faults, then a liveness phase where the
 * network heals, crashed members restart and no new faults or operations start; within
 * `livenessTicksMax` ticks a leader must commit in its term, every client must finish and every member
 * must catch up. Safety invariants are checked at every step; at the end the client history is checked
 * for linearizability. Deterministic: the same options give the same result.
 */
export function runSeed(options: SimOptions, observe: { trace?: (line: string) => void } = {}): SeedResult {
  const rng = new SimRng(options.seed * 8 + options.members);
  const params = drawParams(options, rng.fork());
  const cluster = new SimCluster(params, rng.fork());
  const trace = observe.trace;
  if (trace !== undefined) cluster.trace = (line) => trace(`[${(cluster.scheduler.now / SLOTS_PER_TICK).toFixed(1)}] ${line}`);
  const recorder = new HistoryRecorder({ clock: createLogicalClock(), operationsMax: 100_000 });
  const clientStats: ClientStats = { completed: 0, abandoned: 0, attempts: 0, dropped: 0, lostInLeaderChange: 0, timeouts: 0 };
  const env = {
    scheduler: cluster.scheduler,
    recorder,
    members: () => cluster.clientMembers(),
    member: (id: string) => cluster.members.get(id),
  };
  const clients = Array.from({ length: params.clients.count }, (_, i) => new SimClient(i + 1, params.clients, rng.fork(), env, clientStats));
  const faults = new FaultInjector(cluster, rng.fork());
  const operator = new MembershipOperator(cluster, rng.fork());
  let violation: SeedResult['violation'] = null;
  let livenessTicks: number | null = null;
  let checkerSteps = 0;
  const runTick = (tick: number): void => {
    for (let s = 0; s < SLOTS_PER_TICK; s++) cluster.runSlot(tick * SLOTS_PER_TICK + s);
  };
  try {
    let tick = 0;
    for (; tick < params.safetyTicks; tick++) {
      cluster.invariants.tick = tick;
      faults.tick();
      operator.tick(tick);
      for (const c of clients) c.tick(tick);
      runTick(tick);
    }
    cluster.trace?.('LIVENESS PHASE: heal everything');
    faults.healAll();
    operator.active = false;
    for (const c of clients) c.startingNewOps = false;
    const healTick = tick;
    let reason: string | null = 'not run';
    for (; tick < healTick + params.livenessTicksMax; tick++) {
      cluster.invariants.tick = tick;
      operator.tick(tick);
      runTick(tick);
      reason = unsettled(cluster, clients);
      if (reason === null) {
        livenessTicks = tick + 1 - healTick;
        break;
      }
    }
    if (reason !== null) cluster.invariants.report('liveness', `not settled ${params.livenessTicksMax} ticks after healing: ${reason}; ${operator.describe()}`);
    const check = recorder.check({ stepsMax: CHECK_STEPS_MAX });
    checkerSteps = check.steps;
    if (check.verdict === 'violation') cluster.invariants.report('linearizability', check.explanation);
    if (check.verdict === 'unknown') cluster.invariants.report('checkerBudget', check.reason);
  } catch (err) {
    if (err instanceof SimViolation) violation = { kind: err.kind, detail: err.detail, tick: err.tick };
    else if (err instanceof RaftAssertionError) violation = { kind: 'raftAssertion', detail: err.stack ?? err.message, tick: cluster.invariants.tick };
    else violation = { kind: 'exception', detail: err instanceof Error ? (err.stack ?? err.message) : String(err), tick: cluster.invariants.tick };
  }
  return {
    seed: options.seed,
    members: options.members,
    params,
    violation,
    livenessTicks,
    failovers: cluster.failovers.samples,
    clients: clientStats,
    network: cluster.network.stats,
    faults: faults.stats,
    membership: operator.stats,
    historyOps: recorder.size,
    checkerSteps,
    replay: replayCommand(options),
  };
}

import type { SimRng } from '../../sim/rng.js';
import type { TestCluster } from './cluster.js';
import { sleep } from '../../../client-sdk/sleep.js';

/** The faults the nemesis can inject; each one is undone before the next. */
export type FaultKind =
  /** SIGKILL the leader, hold, restart it on its data directory. */
  | 'kill-leader'
  /** SIGKILL a follower, hold, restart it. */
  | 'kill-follower'
  /** Cut every link to and from the leader, hold, heal. */
  | 'isolate-leader'
  /** Cut every link to and from a follower, hold, heal. */
  | 'isolate-follower'
  /** Cut the leader's outgoing links only: it still hears the others (and a new leader's higher term). */
  | 'cut-leader-out'
  /** Cut the links into the leader only: it still sends heartbeats nobody answers. */
  | 'cut-leader-in'
  /** Cut one random directed link. */
  | 'cut-one-link'
  /** SIGSTOP the leader (a process pause, like a long GC), hold, SIGCONT. */
  | 'pause-leader';

export const ALL_FAULTS: readonly FaultKind[] = Object.freeze([
  'kill-leader',
  'kill-follower',
  'isolate-leader',
  'isolate-follower',
  'cut-leader-out',
  'cut-leader-in',
  'cut-one-link',
  'pause-leader',
]);

export interface NemesisOptions {
  readonly cluster: TestCluster;
  /** Indexes of the members the nemesis may hit (the members of the configuration). */
  readonly members: readonly number[];
  readonly rng: SimRng;
  readonly faults?: readonly FaultKind[];
  /** How long a fault lasts, in ms: drawn from [min, max]. */
  readonly holdMs?: readonly [number, number];
  /** Quiet time between two faults (after the cluster has a leader again), in ms. */
  readonly quietMs?: readonly [number, number];
  /** How long a healed cluster may take to agree on a leader before the run fails (liveness). */
  readonly leaderTimeoutMs?: number;
}

/** One line of the nemesis log: when (ms since the nemesis started) and what. */
export interface NemesisEvent {
  readonly atMs: number;
  readonly what: string;
}

/**
 * Injects one fault at a time into a TestCluster (see FaultKind), drawing every choice from a seeded
 * rng, and undoes it: heal every link, restart killed members, resume paused ones, then wait until the
 * running members agree on a leader. A healed cluster that elects no leader in time fails the run.
 * Logs every step with its time, for failure reports.
 */
export class Nemesis {
  readonly log: NemesisEvent[] = [];
  /** Log lines of member processes the nemesis replaced (a restarted member gets a new process). */
  readonly retiredLogs: { readonly member: string; readonly lines: readonly string[] }[] = [];
  private readonly startedAtMs = Date.now();
  private readonly paused = new Set<number>();
  private readonly faults: readonly FaultKind[];
  private readonly holdMs: readonly [number, number];
  private readonly quietMs: readonly [number, number];
  private readonly leaderTimeoutMs: number;
  faultsInjected = 0;

  constructor(private readonly options: NemesisOptions) {
    this.faults = options.faults ?? ALL_FAULTS;
    this.holdMs = options.holdMs ?? [600, 2500];
    this.quietMs = options.quietMs ?? [300, 1200];
    this.leaderTimeoutMs = options.leaderTimeoutMs ?? 30_000;
  }

  /** Runs faults until `stop` is aborted, then leaves the cluster healed with every member running. */
  async run(stop: AbortSignal): Promise<void> {
    const { rng } = this.options;
    try {
      while (!stop.aborted) {
        await sleep(rng.range(this.quietMs[0], this.quietMs[1]), stop);
        if (stop.aborted) break;
        const fault = rng.pick(this.faults);
        await this.inject(fault, rng.range(this.holdMs[0], this.holdMs[1]), stop);
        await this.healAll();
        await this.awaitLeader();
      }
    } finally {
      await this.healAll();
    }
  }

  /** Heals every link, resumes paused members and restarts dead ones. */
  async healAll(): Promise<void> {
    const { cluster } = this.options;
    cluster.heal();
    for (const i of this.paused) {
      cluster.members[i]!.process?.child.kill('SIGCONT');
      this.note(`resume m${i + 1}`);
    }
    this.paused.clear();
    for (const i of this.options.members) {
      if (!cluster.isRunning(i)) await this.restart(i);
    }
  }

  /** Waits until the running members agree on a leader; returns its index. */
  async awaitLeader(): Promise<number> {
    const startedMs = Date.now();
    const leader = await this.options.cluster.waitForLeader([], this.leaderTimeoutMs);
    this.note(`leader m${leader + 1} (after ${Date.now() - startedMs} ms)`);
    return leader;
  }

  /** The log as text, one event per line. */
  describe(): string {
    return this.log.map((event) => `  t+${String(event.atMs).padStart(6)} ms  ${event.what}`).join('\n');
  }

  private async inject(fault: FaultKind, holdMs: number, stop: AbortSignal): Promise<void> {
    const { cluster, rng } = this.options;
    const leader = await this.awaitLeader();
    const followers = this.options.members.filter((i) => i !== leader);
    const follower = rng.pick(followers);
    this.faultsInjected++;
    switch (fault) {
      case 'kill-leader':
      case 'kill-follower': {
        const target = fault === 'kill-leader' ? leader : follower;
        this.note(`SIGKILL m${target + 1} (${fault === 'kill-leader' ? 'leader' : 'follower'}) for ${holdMs} ms`);
        await cluster.kill(target);
        await sleep(holdMs, stop);
        await this.restart(target);
        return;
      }
      case 'isolate-leader':
      case 'isolate-follower': {
        const target = fault === 'isolate-leader' ? leader : follower;
        this.note(`isolate m${target + 1} (${fault === 'isolate-leader' ? 'leader' : 'follower'}) for ${holdMs} ms`);
        cluster.isolate(target);
        break;
      }
      case 'cut-leader-out':
        this.note(`cut links m${leader + 1} (leader) -> others for ${holdMs} ms`);
        for (const to of followers) cluster.cut(leader, to);
        break;
      case 'cut-leader-in':
        this.note(`cut links others -> m${leader + 1} (leader) for ${holdMs} ms`);
        for (const from of followers) cluster.cut(from, leader);
        break;
      case 'cut-one-link': {
        const from = rng.pick(this.options.members);
        const to = rng.pick(this.options.members.filter((i) => i !== from));
        this.note(`cut link m${from + 1} -> m${to + 1} for ${holdMs} ms`);
        cluster.cut(from, to);
        break;
      }
      case 'pause-leader':
        this.note(`SIGSTOP m${leader + 1} (leader) for ${holdMs} ms`);
        cluster.members[leader]!.process?.child.kill('SIGSTOP');
        this.paused.add(leader);
        break;
    }
    await sleep(holdMs, stop);
    this.note('heal');
  }

  private async restart(i: number): Promise<void> {
    const { cluster } = this.options;
    const old = cluster.members[i]!.process;
    if (old !== null) this.retiredLogs.push({ member: `m${i + 1}`, lines: old.logLines });
    await cluster.startMember(i);
    this.note(`restarted m${i + 1}`);
  }

  private note(what: string): void {
    this.log.push({ atMs: Date.now() - this.startedAtMs, what });
  }
}

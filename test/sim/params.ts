import { SimRng } from './rng.js';

/**
 * Deliberately broken modes, each one a known Raft bug, used to prove the checks can fail.
 * - `leaderLocalReads`: a member that believes it leads answers reads from its local state, without ReadIndex.
 * - `commitOldTermEntries`: the core's `unsafeCommitOldTermEntries` (Raft paper Figure 8).
 * - `voteNotPersisted`: the member syncs only when a Ready has entries or a snapshot, so a new term or
 *   vote can leave in a message before it is durable, and a crash forgets it.
 * - `forwardedAnyTerm`: the core's `unsafeAppendForwardedInAnyTerm` (etcd's behaviour), under which a
 *   write the member declared lost in a leader change can still be applied.
 */
export type PlantedBug = 'none' | 'leaderLocalReads' | 'commitOldTermEntries' | 'voteNotPersisted' | 'forwardedAnyTerm';

/** Every planted bug name, for the CLI. */
export const PLANTED_BUGS: readonly PlantedBug[] = ['none', 'leaderLocalReads', 'commitOldTermEntries', 'voteNotPersisted', 'forwardedAnyTerm'];

/** Sub-tick time slots: message delays and node tick phases are measured in slots. */
export const SLOTS_PER_TICK = 10;

/** Default number of ticks of the safety phase (faults on). */
export const SAFETY_TICKS_DEFAULT = 300;

/** Default bound on the liveness phase: after healing, everything must settle within this many ticks. */
export const LIVENESS_TICKS_MAX_DEFAULT = 250;

/** What the caller chooses; everything else is drawn from the seed. */
export interface SimOptions {
  readonly seed: number;
  /** Initial voters: 3 or 5. */
  readonly members: 3 | 5;
  /** Ticks with faults on. */
  readonly safetyTicks?: number;
  /** Ticks allowed after healing for a leader to commit, clients to finish and members to catch up. */
  readonly livenessTicksMax?: number;
  readonly bug?: PlantedBug;
  /** Turn the durability check off (planted-bug tests use it to show what a lost vote leads to). */
  readonly durabilityCheck?: boolean;
  /** Bias the drawn parameters towards a harsher fault mix (planted-bug searches). */
  readonly harsh?: boolean;
}

/** Network fault parameters of one seed. Delays are in slots (`SLOTS_PER_TICK` per tick). */
export interface NetParams {
  readonly lossRate: number;
  readonly dupRate: number;
  readonly delayMinSlots: number;
  readonly delayMaxSlots: number;
  /** Chance that a message gets an extra delay of up to `reorderMaxSlots` (so it overtakes or is overtaken). */
  readonly reorderRate: number;
  readonly reorderMaxSlots: number;
  /** Per-tick chance that a partition starts (when none is active), and that the active one heals. */
  readonly partitionStartChance: number;
  readonly partitionHealChance: number;
  /** Per-tick chance that a new partition targets the leader. */
  readonly partitionLeaderBias: number;
}

/** Crash parameters of one seed (per member per tick, except `inReadyChance`: per Ready handled). */
export interface CrashParams {
  readonly chance: number;
  readonly leaderChance: number;
  readonly restartChance: number;
  readonly inReadyChance: number;
}

/** Client workload of one seed. */
export interface ClientParams {
  readonly count: number;
  readonly keys: number;
  readonly thinkTicksMax: number;
  readonly attemptTimeoutTicks: number;
  /** Chance that a client gives up on a timed-out operation (its outcome stays unknown). */
  readonly abandonChance: number;
}

/** Raft knobs of one seed. */
export interface RaftParams {
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  readonly maxSizePerMsgBytes: number;
  readonly maxInflightMsgs: number;
  readonly maxUncommittedEntriesBytes: number;
}

/** Everything a run does, drawn from its seed (swarm testing: each seed its own fault mix). */
export interface SimParams {
  readonly seed: number;
  readonly members: 3 | 5;
  readonly safetyTicks: number;
  readonly livenessTicksMax: number;
  readonly bug: PlantedBug;
  readonly durabilityCheck: boolean;
  readonly raft: RaftParams;
  readonly net: NetParams;
  readonly crash: CrashParams;
  readonly clients: ClientParams;
  /** Snapshot and compact once this many entries were applied since the last snapshot. */
  readonly snapshotEveryEntries: number;
  /** Entries kept behind a snapshot when compacting. */
  readonly snapshotKeepEntries: number;
  /** Per-tick chance of a leader transfer request. */
  readonly transferChance: number;
  /** Per-tick chance that the membership operator starts a change (0: membership fixed). */
  readonly membershipChance: number;
}

/** Draws `p` in [lo, hi] with probability `enabled`, else 0 (a swarm feature switch). */
function maybe(rng: SimRng, enabled: number, lo: number, hi: number): number {
  return rng.chance(enabled) ? rng.probability(lo, hi) : 0;
}

/**
 * Draws the parameters of a seed. Each fault is switched on or off per seed and its rate drawn in a
 * range (loss 0-30 %, duplication 0-30 %, delays up to 3 ticks, partitions, crashes), so that the sweep
 * covers calm runs, single-fault runs and everything-at-once runs.
 */
export function drawParams(options: SimOptions, rng: SimRng): SimParams {
  const harsh = options.harsh === true;
  const bug = options.bug ?? 'none';
  const raft: RaftParams = {
    electionTicks: 10,
    heartbeatTicks: rng.pick([1, 1, 2, 3]),
    preVote: !rng.chance(0.15),
    checkQuorum: !rng.chance(0.15),
    // 1 byte: every append carries exactly one entry, so replication of a batch can be cut anywhere.
    maxSizePerMsgBytes: harsh ? 1 : rng.pick([1, 100, 1 << 20]),
    maxInflightMsgs: rng.pick([1, 2, 4, 256]),
    maxUncommittedEntriesBytes: rng.pick([300, 64 << 20, 64 << 20]),
  };
  const delayMinSlots = rng.range(1, 5);
  const net: NetParams = {
    lossRate: maybe(rng, harsh ? 1 : 0.7, 0, 0.3),
    dupRate: maybe(rng, harsh ? 1 : 0.6, 0, 0.3),
    delayMinSlots,
    delayMaxSlots: delayMinSlots + rng.range(0, rng.chance(0.3) ? 30 : 8),
    reorderRate: maybe(rng, 0.5, 0, 0.3),
    reorderMaxSlots: rng.range(5, 30),
    partitionStartChance: maybe(rng, harsh ? 1 : 0.7, 0.01, 0.06),
    partitionHealChance: rng.probability(0.03, 0.15),
    partitionLeaderBias: rng.probability(0.2, 0.8),
  };
  const crashOn = rng.chance(harsh ? 1 : 0.7);
  // Harsh runs crash leaders often, inside Readies too (after persisting, before sending), and restart
  // members quickly: the ingredients of the Figure 8 interleaving.
  const crash: CrashParams = {
    chance: crashOn ? rng.probability(0.001, harsh ? 0.02 : 0.01) : 0,
    leaderChance: crashOn ? rng.probability(0.005, harsh ? 0.1 : 0.03) : 0,
    restartChance: harsh ? rng.probability(0.2, 0.6) : rng.probability(0.05, 0.3),
    inReadyChance: crashOn ? (harsh ? rng.probability(0.01, 0.05) : maybe(rng, 0.5, 0.0005, 0.004)) : 0,
  };
  const clients: ClientParams = {
    count: rng.range(2, 5),
    keys: rng.range(1, 3),
    thinkTicksMax: rng.range(0, 4),
    attemptTimeoutTicks: rng.range(15, 40),
    abandonChance: rng.probability(0, 0.3),
  };
  return {
    seed: options.seed,
    members: options.members,
    safetyTicks: options.safetyTicks ?? SAFETY_TICKS_DEFAULT,
    livenessTicksMax: options.livenessTicksMax ?? LIVENESS_TICKS_MAX_DEFAULT,
    bug,
    durabilityCheck: options.durabilityCheck ?? true,
    raft,
    net,
    crash,
    clients,
    snapshotEveryEntries: rng.range(3, 25),
    snapshotKeepEntries: rng.range(0, 5),
    transferChance: maybe(rng, 0.5, 0.005, 0.03),
    membershipChance: maybe(rng, harsh ? 0.3 : 0.5, 0.01, 0.05),
  };
}

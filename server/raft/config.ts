import { ConfigError } from './errors.js';
import type { Rng } from './rng.js';
import type { Storage } from './storage.js';
import type { NodeId } from './types.js';

/** Severity of a core log line. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Receives the core's log lines. Must not throw and must not call back into the node. */
export type RaftLogger = (level: LogLevel, message: string) => void;

/**
 * Configuration of one Raft node (see server/raft/README.md for each knob). Only `id`, `storage` and
 * `rng` are required; everything else has a safe default. Fields named `unsafe*` plant known bugs for
 * tests and must never be set in production.
 */
export interface RaftConfig {
  /** This node's id: a non-empty opaque string. */
  id: NodeId;
  /** Ticks without hearing from a leader before a follower campaigns (randomized in [n, 2n)). Default 10. */
  electionTicks?: number;
  /** Ticks between leader heartbeats; must be < electionTicks. Default 1. */
  heartbeatTicks?: number;
  /** The only source of randomness (election timeout draw). */
  rng: Rng;
  /** The durable log. */
  storage: Storage;
  /** The last index applied by the app before this restart. Default 0 (the storage's first index - 1). */
  applied?: number;
  /** Byte budget of entries in one MsgApp (at least one entry is always sent). Default 1 MiB. */
  maxSizePerMsgBytes?: number;
  /** Byte budget of committed entries handed out per Ready. Default: maxSizePerMsgBytes. */
  maxCommittedSizePerReadyBytes?: number;
  /** MsgApps in flight per follower in replicate state. Default 256. */
  maxInflightMsgs?: number;
  /** Bytes in flight per follower (0 = no byte limit). Default 0. */
  maxInflightBytes?: number;
  /** Cap on uncommitted entry payload bytes at the leader; beyond it proposals are dropped. Default 64 MiB. */
  maxUncommittedEntriesBytes?: number;
  /** Run a PreVote round before bumping the term (thesis §9.6). Default true. */
  preVote?: boolean;
  /** Leader steps down without a recently active quorum; voters ignore votes while in a leader's lease. Default true. */
  checkQuorum?: boolean;
  /** Receives log lines; silent when absent. */
  logger?: RaftLogger;
  /**
   * UNSAFE, tests only: the leader commits entries of older terms once they are on a majority
   * (Raft paper Figure 8 bug). Default false.
   */
  unsafeCommitOldTermEntries?: boolean;
  /**
   * UNSAFE, tests only: a leader appends a forwarded proposal whatever term it was forwarded in, as
   * etcd does, breaking the rule the member relies on to fail lost writes early. Default false.
   */
  unsafeAppendForwardedInAnyTerm?: boolean;
}

/** A validated configuration with every default filled in; frozen. */
export interface ResolvedRaftConfig {
  readonly id: NodeId;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly rng: Rng;
  readonly storage: Storage;
  readonly applied: number;
  readonly maxSizePerMsgBytes: number;
  readonly maxCommittedSizePerReadyBytes: number;
  readonly maxInflightMsgs: number;
  readonly maxInflightBytes: number;
  readonly maxUncommittedEntriesBytes: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  readonly logger: RaftLogger;
  readonly unsafeCommitOldTermEntries: boolean;
  readonly unsafeAppendForwardedInAnyTerm: boolean;
}

const MIB = 1024 * 1024;

/** Named defaults, so docs and tests can refer to them. */
export const RAFT_DEFAULTS = Object.freeze({
  electionTicks: 10,
  heartbeatTicks: 1,
  applied: 0,
  maxSizePerMsgBytes: 1 * MIB,
  maxInflightMsgs: 256,
  maxInflightBytes: 0,
  maxUncommittedEntriesBytes: 64 * MIB,
  preVote: true,
  checkQuorum: true,
  unsafeCommitOldTermEntries: false,
  unsafeAppendForwardedInAnyTerm: false,
});

/** Validates `config`, reporting every problem at once (ConfigError), and returns it resolved and frozen. */
export function resolveConfig(config: RaftConfig): ResolvedRaftConfig {
  const problems: string[] = [];
  const positiveInt = (name: string, v: number, min = 1): void => {
    if (!Number.isSafeInteger(v) || v < min) problems.push(`${name} must be an integer >= ${min}, got ${String(v)}`);
  };
  if (typeof config.id !== 'string' || config.id === '') problems.push('id must be a non-empty string');
  const electionTicks = config.electionTicks ?? RAFT_DEFAULTS.electionTicks;
  const heartbeatTicks = config.heartbeatTicks ?? RAFT_DEFAULTS.heartbeatTicks;
  positiveInt('electionTicks', electionTicks);
  positiveInt('heartbeatTicks', heartbeatTicks);
  if (electionTicks <= heartbeatTicks) problems.push('electionTicks must be greater than heartbeatTicks');
  const maxSizePerMsgBytes = config.maxSizePerMsgBytes ?? RAFT_DEFAULTS.maxSizePerMsgBytes;
  positiveInt('maxSizePerMsgBytes', maxSizePerMsgBytes);
  const maxCommittedSizePerReadyBytes = config.maxCommittedSizePerReadyBytes ?? maxSizePerMsgBytes;
  positiveInt('maxCommittedSizePerReadyBytes', maxCommittedSizePerReadyBytes);
  const maxInflightMsgs = config.maxInflightMsgs ?? RAFT_DEFAULTS.maxInflightMsgs;
  positiveInt('maxInflightMsgs', maxInflightMsgs);
  const maxInflightBytes = config.maxInflightBytes ?? RAFT_DEFAULTS.maxInflightBytes;
  positiveInt('maxInflightBytes', maxInflightBytes, 0);
  if (maxInflightBytes !== 0 && maxInflightBytes < maxSizePerMsgBytes) {
    problems.push('maxInflightBytes must be 0 (unlimited) or >= maxSizePerMsgBytes');
  }
  const maxUncommittedEntriesBytes = config.maxUncommittedEntriesBytes ?? RAFT_DEFAULTS.maxUncommittedEntriesBytes;
  positiveInt('maxUncommittedEntriesBytes', maxUncommittedEntriesBytes);
  const applied = config.applied ?? RAFT_DEFAULTS.applied;
  positiveInt('applied', applied, 0);
  if (typeof config.rng?.nextInt !== 'function') problems.push('rng must provide nextInt(maxExclusive)');
  if (config.storage === undefined || config.storage === null) problems.push('storage is required');
  for (const flag of ['preVote', 'checkQuorum', 'unsafeCommitOldTermEntries', 'unsafeAppendForwardedInAnyTerm'] as const) {
    const v = config[flag];
    if (v !== undefined && typeof v !== 'boolean') problems.push(`${flag} must be a boolean`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    id: config.id,
    electionTicks,
    heartbeatTicks,
    rng: config.rng,
    storage: config.storage,
    applied,
    maxSizePerMsgBytes,
    maxCommittedSizePerReadyBytes,
    maxInflightMsgs,
    maxInflightBytes,
    maxUncommittedEntriesBytes,
    preVote: config.preVote ?? RAFT_DEFAULTS.preVote,
    checkQuorum: config.checkQuorum ?? RAFT_DEFAULTS.checkQuorum,
    logger: config.logger ?? ((): void => {}),
    unsafeCommitOldTermEntries: config.unsafeCommitOldTermEntries ?? RAFT_DEFAULTS.unsafeCommitOldTermEntries,
    unsafeAppendForwardedInAnyTerm: config.unsafeAppendForwardedInAnyTerm ?? RAFT_DEFAULTS.unsafeAppendForwardedInAnyTerm,
  });
}

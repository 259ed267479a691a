/**
 * Public surface of the Synod Raft core: a deterministic, I/O-free Raft state machine driven through
 * `RawNode` and its Ready loop. Everything not exported here is internal.
 */
export { RawNode } from './raw-node.js';
export { RAFT_DEFAULTS, resolveConfig, type LogLevel, type RaftConfig, type RaftLogger, type ResolvedRaftConfig } from './config.js';
export { seededRng, type Rng } from './rng.js';
export { MemoryStorage, limitSize, type Storage } from './storage.js';
export { bootstrap, BOOTSTRAP_INDEX, BOOTSTRAP_TERM } from './bootstrap.js';
/** Point-in-time node state returned by `RawNode.status()`. */
export type { Status, ProgressStatus } from './status.js';
/** Replication state of one follower as seen by the leader. */
export type { ProgressState } from './tracker/progress.js';
export { decodeConfChange, encodeConfChange, describeConfChange } from './confchange/codec.js';
export {
  describeConfState,
  describeData,
  describeEntry,
  describeHardState,
  describeMessage,
  describeReady,
  describeSnapshot,
  describeSoftState,
} from './describe.js';
export {
  CompactedError,
  ConfChangeError,
  ConfigError,
  ProposalDroppedError,
  RaftAssertionError,
  RaftError,
  ReadIndexDroppedError,
  SnapshotOutOfDateError,
  SnapshotTemporarilyUnavailableError,
  StepRefusedError,
  UnavailableError,
  type ProposalDropReason,
} from './errors.js';
export {
  CAMPAIGN_TRANSFER,
  ENTRY_OVERHEAD_BYTES,
  NO_NODE,
  emptyConfState,
  emptyHardState,
  emptySnapshot,
  entrySizeBytes,
  hardStateEqual,
  isEmptyHardState,
  isEmptySnapshot,
  isLocalMessageType,
  isResponseMessageType,
  makeMessage,
  payloadSizeBytes,
  type ConfChange,
  type ConfChangeSingle,
  type ConfChangeTransition,
  type ConfChangeType,
  type ConfState,
  type Entry,
  type EntryType,
  type HardState,
  type Message,
  type MessageType,
  type NodeId,
  type RaftStateType,
  type ReadState,
  type Ready,
  type Snapshot,
  type SnapshotMetadata,
  type SoftState,
} from './types.js';

/**
 * Plain data types of the Raft core. Every value here is JSON-serialisable apart from
 * `Uint8Array` fields, so a transport can encode it without knowing the core.
 * Indexes and terms are JS numbers and must be safe integers (checked by `assertSafeIndex`).
 */

/** The id of a node. Ids are opaque, non-empty strings; `NO_NODE` ('') means "none". */
export type NodeId = string;

/** The empty node id: no leader, no vote. */
export const NO_NODE: NodeId = '';

/** The kind of a log entry: application data, or an encoded `ConfChange`. */
export type EntryType = 'normal' | 'confChange';

/**
 * One log entry. Invariant: `(term, index)` identifies the entry across the cluster (Log Matching);
 * `data` is never mutated once the entry exists.
 */
export interface Entry {
  term: number;
  index: number;
  type: EntryType;
  data: Uint8Array;
}

/** The state a node must persist before sending any message: current term, vote in it, commit index. */
export interface HardState {
  term: number;
  vote: NodeId;
  commit: number;
}

/**
 * A cluster configuration. `voters` is the incoming (or only) voter set, `votersOutgoing` is non-empty
 * only in a joint configuration; `learnersNext` are voters of the outgoing half that become learners when
 * the joint configuration is left; `autoLeave` says the leader proposes leaving the joint config by itself.
 */
export interface ConfState {
  voters: NodeId[];
  votersOutgoing: NodeId[];
  learners: NodeId[];
  learnersNext: NodeId[];
  autoLeave: boolean;
}

/** Which log prefix a snapshot replaces, and the configuration in force at its index. */
export interface SnapshotMetadata {
  index: number;
  term: number;
  confState: ConfState;
}

/** A state-machine snapshot. An "empty" snapshot has `metadata.index === 0`. */
export interface Snapshot {
  metadata: SnapshotMetadata;
  data: Uint8Array;
}

/**
 * Message types. Local types (`hup`, `beat`, `unreachable`, `snapStatus`, `checkQuorum`, `forgetLeader`)
 * never travel on the network; `RawNode.step` refuses them.
 */
export type MessageType =
  | 'hup'
  | 'beat'
  | 'prop'
  | 'app'
  | 'appResp'
  | 'vote'
  | 'voteResp'
  | 'snap'
  | 'heartbeat'
  | 'heartbeatResp'
  | 'unreachable'
  | 'snapStatus'
  | 'checkQuorum'
  | 'transferLeader'
  | 'timeoutNow'
  | 'readIndex'
  | 'readIndexResp'
  | 'preVote'
  | 'preVoteResp'
  | 'forgetLeader';

/**
 * A Raft message. All fields are always present so a codec needs no optional handling:
 * unused numbers are 0, `entries` is empty, `snapshot` is null and `context` is ''.
 * `term` 0 marks a local message or a forwarded proposal/read request.
 */
export interface Message {
  type: MessageType;
  from: NodeId;
  to: NodeId;
  term: number;
  /**
   * For `app`: the term of the entry at `index`. For votes: the candidate's last log term. For a
   * forwarded `prop`: the term it was forwarded in, the only term whose leader may append it.
   */
  logTerm: number;
  index: number;
  entries: Entry[];
  commit: number;
  reject: boolean;
  rejectHint: number;
  snapshot: Snapshot | null;
  /** ReadIndex request context, or `CAMPAIGN_TRANSFER` on a vote forced by a leader transfer. */
  context: string;
}

/** The `context` of a vote request sent by a leader-transfer campaign; it bypasses leader stickiness. */
export const CAMPAIGN_TRANSFER = 'campaignTransfer';

/** The role of a node. */
export type RaftStateType = 'follower' | 'preCandidate' | 'candidate' | 'leader';

/** Volatile state, reported in a Ready when it changes; never persisted. */
export interface SoftState {
  lead: NodeId;
  raftState: RaftStateType;
}

/** A linearizable read is safe at `index` once the local applied index reaches it. */
export interface ReadState {
  index: number;
  requestCtx: string;
}

/** One membership operation inside a `ConfChange`. */
export type ConfChangeType = 'addNode' | 'removeNode' | 'addLearner';

/** A single membership operation on one node. */
export interface ConfChangeSingle {
  type: ConfChangeType;
  nodeId: NodeId;
}

/**
 * How a `ConfChange` is carried out. `auto`: a single voter change is applied directly, anything else
 * goes through a joint configuration that the leader leaves by itself. `implicit`: always joint, left
 * automatically. `explicit`: always joint, left only when the app proposes an empty ConfChange.
 */
export type ConfChangeTransition = 'auto' | 'implicit' | 'explicit';

/**
 * A membership change (ConfChangeV2-like). An empty `changes` list means "leave the joint configuration".
 * `context` is opaque to Raft and handed back to the app when the entry is applied.
 */
export interface ConfChange {
  transition: ConfChangeTransition;
  changes: ConfChangeSingle[];
  context: string;
}

/**
 * What the app must do next, in order: persist `snapshot`, `entries` and `hardState` (synced when
 * `mustSync`), then send `messages`, then apply `snapshot`/`committedEntries` and serve `readStates`,
 * then call `RawNode.advance(ready)`. Invariant: every entry in `committedEntries` was durable locally
 * before this Ready was built, so applying it never outruns the local log.
 */
export interface Ready {
  softState: SoftState | null;
  hardState: HardState | null;
  entries: Entry[];
  snapshot: Snapshot | null;
  committedEntries: Entry[];
  messages: Message[];
  readStates: ReadState[];
  mustSync: boolean;
}

/** A HardState with nothing in it (the state of a brand-new node). */
export function emptyHardState(): HardState {
  return { term: 0, vote: NO_NODE, commit: 0 };
}

/** True when `hs` carries no information (term 0, no vote, commit 0). */
export function isEmptyHardState(hs: HardState): boolean {
  return hs.term === 0 && hs.vote === NO_NODE && hs.commit === 0;
}

/** True when both hard states are equal field by field. */
export function hardStateEqual(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

/** A ConfState with no members. */
export function emptyConfState(): ConfState {
  return { voters: [], votersOutgoing: [], learners: [], learnersNext: [], autoLeave: false };
}

/** A snapshot at index 0: "no snapshot". */
export function emptySnapshot(): Snapshot {
  return { metadata: { index: 0, term: 0, confState: emptyConfState() }, data: new Uint8Array(0) };
}

/** True when `s` is the empty snapshot (index 0). */
export function isEmptySnapshot(s: Snapshot | null): boolean {
  return s === null || s.metadata.index === 0;
}

/** Fixed per-entry overhead (bytes) added to the payload when sizing messages. */
export const ENTRY_OVERHEAD_BYTES = 16;

/** Approximate encoded size of an entry, used by the per-message and per-Ready byte limits. */
export function entrySizeBytes(e: Entry): number {
  return e.data.byteLength + ENTRY_OVERHEAD_BYTES;
}

/** Payload size of entries, used by the uncommitted-bytes cap (empty entries count 0). */
export function payloadSizeBytes(entries: readonly Entry[]): number {
  let total = 0;
  for (const e of entries) total += e.data.byteLength;
  return total;
}

/** Builds a message with every unused field at its zero value. */
export function makeMessage(fields: Partial<Message> & Pick<Message, 'type'>): Message {
  return {
    from: NO_NODE,
    to: NO_NODE,
    term: 0,
    logTerm: 0,
    index: 0,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
    snapshot: null,
    context: '',
    ...fields,
  };
}

const LOCAL_MESSAGE_TYPES: ReadonlySet<MessageType> = new Set<MessageType>([
  'hup',
  'beat',
  'unreachable',
  'snapStatus',
  'checkQuorum',
  'forgetLeader',
]);

/** True for message types that are generated and consumed inside one node. */
export function isLocalMessageType(t: MessageType): boolean {
  return LOCAL_MESSAGE_TYPES.has(t);
}

/** True for message types that answer a request (and so say the peer is alive). */
export function isResponseMessageType(t: MessageType): boolean {
  return (
    t === 'appResp' ||
    t === 'voteResp' ||
    t === 'heartbeatResp' ||
    t === 'unreachable' ||
    t === 'readIndexResp' ||
    t === 'preVoteResp'
  );
}

/** The response type of a vote request type. */
export function voteResponseType(t: 'vote' | 'preVote'): 'voteResp' | 'preVoteResp' {
  return t === 'vote' ? 'voteResp' : 'preVoteResp';
}

import type { Applied } from '../apply/applier.js';
import type { WriteMethod } from '../apply/entry.js';
import type { MvccStore } from '../mvcc/store.js';
import type { MemberIdentity } from './identity.js';
import type { WatchHub } from '../watch/hub.js';
import type { Logger } from 'pino';
import type { PeerTransport, TransportHandlers, TransportOptions } from '../transport/types.js';
import type { BootstrapConfig, PeerMembersAnswer } from './bootstrap.js';

/** What the client api needs from a member (RaftMember implements it; api, apply and mvcc see only this). */
export interface MemberApi {
  readonly identity: MemberIdentity;
  readonly store: MvccStore;
  /** The watch hub fed by this member's commits. */
  readonly watchHub: WatchHub;
  /** The Raft term of the latest state this member knows. */
  readonly raftTerm: number;
  readonly appliedIndex: number;
  /** Proposes a validated write; resolves once it is committed, durable and applied here. */
  propose(method: WriteMethod, params: unknown, signal?: AbortSignal): Promise<Applied>;
  /** Resolves once local state reflects every write acknowledged before the call (linearizable read). */
  readBarrier(signal?: AbortSignal): Promise<void>;
  /** Facts for maintenance.status. */
  status(): Promise<MemberStatus>;
}

export interface MemberStatus {
  readonly leaderId: string;
  readonly raftIndex: number;
  readonly raftTerm: number;
  readonly raftAppliedIndex: number;
  readonly dbSizeBytes: number;
  readonly isLearner: boolean;
}

/** How a RaftMember is started (see openRaftMember). */
export interface RaftMemberOptions {
  readonly dataDir: string;
  readonly bootstrap: BootstrapConfig;
  readonly listenPeerUrls: readonly string[];
  readonly advertiseClientUrls: readonly string[];
  readonly heartbeatMs: number;
  readonly electionMs: number;
  readonly snapshotCount: number;
  readonly snapshotCatchUpEntries: number;
  readonly maxLearners: number;
  readonly log: Logger;
  readonly createTransport: (options: TransportOptions, handlers: TransportHandlers) => PeerTransport;
  readonly fetchMembers: (peerUrl: string) => Promise<PeerMembersAnswer>;
  readonly dialOverrides?: Readonly<Record<string, string>>;
  /** Told how long each synced Raft log batch took (seconds). */
  readonly onLogSync?: (seconds: number) => void;
}

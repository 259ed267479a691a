import type { Message, NodeId } from '../raft/index.js';

/**
 * The peer transport's contract with the member. Raft messages travel between members over ws on the
 * peer URLs; snapshots of the state machine are streamed separately in chunks with a checksum.
 * Delivery is best effort (Raft tolerates loss, duplication and reordering); the transport never blocks
 * the member: `send` queues and returns.
 */
export interface PeerTransport {
  /** Starts listening on the member's peer URLs; resolves with the bound ports (0 picks a free one). */
  start(): Promise<readonly { host: string; port: number }[]>;
  /** Adds or updates a peer and the URLs to reach it. Sends to unknown peers are dropped. */
  setPeer(id: NodeId, urls: readonly string[]): void;
  /** Forgets a peer and closes its connections. */
  removePeer(id: NodeId): void;
  /**
   * Queues messages; messages to one peer produced together travel in one frame. A message whose
   * peer cannot be reached is dropped and `onUnreachable` is called (at most once per failed attempt).
   * Messages of type 'snap' must not be passed here: use `sendSnapshot`.
   */
  send(messages: readonly Message[]): void;
  /**
   * Streams a snapshot to `message.to`: first the 'snap' message (its snapshot metadata), then the
   * chunks of `source`, then a checksum. Resolves true when the receiver acknowledged a verified copy,
   * false on any failure (the member then reports the snapshot as failed to Raft).
   */
  sendSnapshot(message: Message, source: AsyncIterable<Uint8Array>): Promise<boolean>;
  /** Closes every connection and the listeners. */
  close(): Promise<void>;
}

/** What the transport delivers to the member. */
export interface TransportHandlers {
  /** An inbound Raft message (never of type 'snap'). */
  onMessage(message: Message): void;
  /** A peer could not be reached; the member reports it to Raft. */
  onUnreachable(id: NodeId): void;
  /**
   * An inbound snapshot: `chunks` yields the streamed bytes in order; the member stores them and
   * resolves once they are durable. The transport verifies the checksum after the last chunk and throws
   * from the iterator if it does not match (the member must then discard what it stored). When the
   * promise resolves the transport acknowledges the snapshot to the sender, and the member steps
   * `message` into Raft.
   */
  onSnapshot(message: Message, chunks: AsyncIterable<Uint8Array>): Promise<void>;
}

export interface TransportOptions {
  /** This member's Raft id. */
  readonly id: NodeId;
  /** The cluster id (decimal string): a peer of another cluster is refused at the handshake. */
  readonly clusterId: string;
  /** URLs to listen on for peer traffic (http://host:port). */
  readonly listenUrls: readonly string[];
  /**
   * Test hook: dial these URLs instead of a peer's advertised URL (key: advertised URL). Integration
   * tests put a controllable TCP proxy on every directed link with it.
   */
  readonly dialOverrides?: Readonly<Record<string, string>>;
  /**
   * Extra JSON answers to `GET <path>` on the peer listeners (e.g. `/synod/peer/members`, which a
   * member joining an existing cluster asks for). Each function builds the answer when asked.
   */
  readonly httpRoutes?: Readonly<Record<string, () => unknown>>;
  /** Largest peer frame accepted. */
  readonly frameBytesMax: number;
  /**
   * Messages queued per peer while its connection is being dialed; beyond it the oldest are dropped.
   * While the peer is unreachable (or its socket is backed up) messages are dropped and reported instead.
   */
  readonly queuedMessagesPerPeerMax: number;
}

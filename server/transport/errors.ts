/**
 * Errors and close codes of the peer transport. Peer traffic never reaches a client, so these codes are
 * the transport's own (they are not in the client error catalog); they appear in logs and in the close
 * frames peers exchange.
 */

/** Stable codes of the expected failures of the peer transport. */
export type TransportErrorCode =
  /** A peer frame is truncated, garbled or violates a bound; the connection that sent it is closed. */
  | 'frame_malformed'
  /** The sha256 or the byte count of a received snapshot does not match what the sender announced. */
  | 'snapshot_checksum_mismatch'
  /** A snapshot stream ended before its end frame (disconnect, sender gave up, transport closed). */
  | 'snapshot_aborted'
  /** No snapshot bytes arrived for `snapshotStallTimeoutMs` while the receiver was waiting for them. */
  | 'snapshot_stalled';

/** Base of every expected transport failure: a stable `code`, a `retryable` flag and an optional `cause`. */
export class TransportError extends Error {
  readonly code: TransportErrorCode;
  readonly retryable: boolean;
  constructor(code: TransportErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransportError';
    this.code = code;
    // Everything but a malformed frame is a property of one attempt: sending again may succeed.
    this.retryable = code !== 'frame_malformed';
  }
}

/**
 * ws close codes the transport uses (4000-4999 is the application range). Every refusal closes the
 * connection with one of these and a reason text, and is logged on both sides. A connection presumed
 * dead (keepalive or stall timeout) is destroyed without a close frame, since nobody would read it.
 */
export const CLOSE_CODES = Object.freeze({
  /** A snapshot connection finished (after the acknowledgement). */
  normal: 1000,
  /** The transport is closing, the peer was removed, or a newer connection from the same peer replaced this one. */
  goingAway: 1001,
  /** ws itself: a frame larger than `frameBytesMax`. */
  frameTooLarge: 1009,
  /** The peer belongs to another cluster (hello or hello-ok carried a different cluster id). */
  clusterMismatch: 4001,
  /** A hello, message or snapshot is addressed to another member, or the member at a URL is not the one dialed. */
  wrongMember: 4002,
  /** A malformed frame, a frame of the wrong kind, a local message type, or a wrong subprotocol. */
  protocolViolation: 4003,
  /** No hello (inbound) or hello-ok (outbound) arrived in time. */
  handshakeTimeout: 4004,
  /** The listener already receives `snapshotsInFlightMax` snapshots. */
  overloaded: 4006,
});

/**
 * The transport's timeouts and bounds that are not part of `TransportOptions`. Every queue and buffer of
 * the transport is bounded by one of these or by `frameBytesMax` / `queuedMessagesPerPeerMax`.
 */
export interface PeerTransportLimits {
  /** A dial (TCP connect, ws upgrade and hello/hello-ok) that takes longer fails. */
  readonly dialTimeoutMs: number;
  /** An inbound connection that sends no hello within this time is closed. */
  readonly handshakeTimeoutMs: number;
  /** The dialer pings an open stream connection this often. */
  readonly keepaliveIntervalMs: number;
  /** A stream connection that carried nothing (not even a ping or pong) for this long is presumed dead. */
  readonly keepaliveTimeoutMs: number;
  /** First redial delay after a failure; it doubles per consecutive failure, with jitter. */
  readonly redialBackoffMsMin: number;
  /** Cap of the redial delay. */
  readonly redialBackoffMsMax: number;
  /** Bytes an open stream connection may hold unsent before further messages are dropped (peer too slow). */
  readonly sendBufferBytesMax: number;
  /** Largest snapshot chunk per frame (the source's chunks are split; capped by `frameBytesMax - 1`). */
  readonly snapshotChunkBytesMax: number;
  /** The snapshot sender stops reading its source while this many bytes wait to be written to the socket. */
  readonly snapshotSendBufferBytesMax: number;
  /** The snapshot receiver pauses the socket while this many received bytes wait for the member. */
  readonly snapshotReceiveBufferBytesMax: number;
  /** A snapshot transfer that makes no progress for this long fails (both sides). */
  readonly snapshotStallTimeoutMs: number;
  /** Inbound snapshots received at the same time; more are refused (the sender's Raft retries later). */
  readonly snapshotsInFlightMax: number;
  /** Inbound connections open at the same time; more are refused at the upgrade (HTTP 503). */
  readonly inboundConnectionsMax: number;
  /** After a close frame, a connection that has not closed within this time is destroyed. */
  readonly closeGraceMs: number;
}

/** Defaults sized for a LAN cluster with a 100 ms heartbeat and a 1 s election timeout. */
export const PEER_TRANSPORT_DEFAULTS: PeerTransportLimits = Object.freeze({
  dialTimeoutMs: 2_000,
  handshakeTimeoutMs: 2_000,
  keepaliveIntervalMs: 1_000,
  keepaliveTimeoutMs: 3_000,
  redialBackoffMsMin: 25,
  redialBackoffMsMax: 1_000,
  sendBufferBytesMax: 16 * 1024 * 1024,
  snapshotChunkBytesMax: 256 * 1024,
  snapshotSendBufferBytesMax: 1024 * 1024,
  snapshotReceiveBufferBytesMax: 1024 * 1024,
  snapshotStallTimeoutMs: 30_000,
  snapshotsInFlightMax: 4,
  inboundConnectionsMax: 256,
  closeGraceMs: 1_000,
});

/** Defaults overridden by `overrides`; throws a RangeError listing every value that is not a positive integer. */
export function resolveLimits(overrides: Partial<PeerTransportLimits> = {}): PeerTransportLimits {
  const limits: PeerTransportLimits = { ...PEER_TRANSPORT_DEFAULTS, ...overrides };
  const problems = Object.entries(limits)
    .filter(([, value]) => !(Number.isSafeInteger(value) && (value as number) > 0))
    .map(([name, value]) => `${name} must be a positive integer (got ${String(value)})`);
  if (limits.redialBackoffMsMax < limits.redialBackoffMsMin) problems.push('redialBackoffMsMax must be >= redialBackoffMsMin');
  if (limits.keepaliveTimeoutMs <= limits.keepaliveIntervalMs) problems.push('keepaliveTimeoutMs must be > keepaliveIntervalMs');
  if (problems.length > 0) throw new RangeError(`invalid peer transport limits: ${problems.join('; ')}`);
  return Object.freeze(limits);
}

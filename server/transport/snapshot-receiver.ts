import type WebSocket from 'ws';
import type { Logger } from 'pino';
import type { Message, NodeId } from '../raft/index.js';
import { CLOSE_CODES, TransportError } from './errors.js';
import type { PeerTransportLimits } from './limits.js';
import { encodeFrame, type PeerFrame } from './peer-frames.js';
import { SnapshotChunkStream } from './snapshot-chunks.js';
import { closeSoon } from './ws-util.js';

/** What one inbound snapshot session needs. */
export interface SnapshotReceiveContext {
  readonly selfId: NodeId;
  /** The sender, from the connection's hello. */
  readonly peerId: NodeId;
  readonly limits: PeerTransportLimits;
  readonly log: Logger;
  /** The member's handler (`TransportHandlers.onSnapshot`). */
  onSnapshot(message: Message, chunks: AsyncIterable<Uint8Array>): Promise<void>;
  /** Called once when the session is over (acknowledged, refused or broken). */
  onDone(): void;
}

/**
 * - header: waiting for the 'snap' message;
 * - chunks: streaming chunks to the member until the end frame;
 * - ended: the end frame arrived; waiting for the member's onSnapshot to settle;
 * - done: acknowledged (or the connection broke).
 */
type SessionState = 'header' | 'chunks' | 'ended' | 'done';

/**
 * One inbound snapshot on its own connection: header frame, chunk frames, end frame, then our
 * acknowledgement once the member's `onSnapshot` settled: ok only when it resolved AND it read the whole
 * stream with a matching checksum. The socket is paused while the member lags (via SnapshotChunkStream),
 * and the session fails when the sender makes no progress for `snapshotStallTimeoutMs` while we wait.
 */
export class SnapshotReceiver {
  private state: SessionState = 'header';
  private stream: SnapshotChunkStream | null = null;
  private stallTimer: NodeJS.Timeout | null = null;
  private paused = false;
  private readonly log: Logger;

  constructor(
    private readonly socket: WebSocket,
    private readonly context: SnapshotReceiveContext,
  ) {
    this.log = context.log.child({ peer: context.peerId, connection: 'snapshot' });
    this.armStallTimer();
  }

  /** Handles a decoded frame that arrived after the hello. */
  onFrame(frame: PeerFrame): void {
    // Once acknowledged or refused, frames still in flight are dropped while the connection closes.
    if (this.state === 'done') return;
    this.armStallTimer();
    if (this.state === 'header' && frame.kind === 'snapshotHeader') return this.onHeader(frame.message);
    if (this.state === 'chunks' && frame.kind === 'snapshotChunk') return this.stream!.push(frame.data);
    if (this.state === 'chunks' && frame.kind === 'snapshotEnd') {
      this.state = 'ended';
      this.clearStallTimer();
      return this.stream!.end(frame.totalBytes, frame.sha256);
    }
    this.refuse(CLOSE_CODES.protocolViolation, `unexpected ${frame.kind} frame in snapshot state ${this.state}`);
  }

  /** Refuses the session: fails the stream for the member and closes the connection with `code`. */
  refuse(code: number, reason: string): void {
    this.log.warn({ code }, `refused snapshot connection: ${reason}`);
    this.stream?.fail(new TransportError('snapshot_aborted', `snapshot refused: ${reason}`));
    this.finish();
    closeSoon(this.socket, code, reason, this.context.limits.closeGraceMs);
  }

  /** The connection closed (either side). */
  onClose(code: number): void {
    if (this.state === 'done') return;
    this.stream?.fail(new TransportError('snapshot_aborted', `the snapshot connection closed before the end frame (code ${code})`));
    if (this.state !== 'ended') this.finish();
  }

  private onHeader(message: Message): void {
    const { selfId } = this.context;
    if (message.type !== 'snap' || message.snapshot === null) {
      return this.refuse(CLOSE_CODES.protocolViolation, `snapshot header is a ${message.type} message${message.snapshot === null ? ' without snapshot' : ''}`);
    }
    if (message.to !== selfId) return this.refuse(CLOSE_CODES.wrongMember, `snapshot addressed to member ${message.to}, this is ${selfId}`);
    this.state = 'chunks';
    const stream = new SnapshotChunkStream(
      {
        pause: () => {
          this.paused = true;
          this.clearStallTimer();
          this.socket.pause();
        },
        resume: () => {
          this.paused = false;
          this.armStallTimer();
          this.socket.resume();
        },
      },
      this.context.limits.snapshotReceiveBufferBytesMax,
    );
    this.stream = stream;
    const { index, term } = message.snapshot.metadata;
    this.log.info({ index, term }, 'receiving snapshot');
    let handled: Promise<void>;
    try {
      handled = this.context.onSnapshot(message, stream);
    } catch (error) {
      handled = Promise.reject(error);
    }
    handled.then(
      () => this.acknowledge(stream.outcome === 'verified', stream.outcome === 'verified' ? '' : `the member resolved but the stream is ${stream.outcome}`),
      (error: unknown) => this.acknowledge(false, `the member failed to store the snapshot: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  private acknowledge(ok: boolean, reason: string): void {
    const bytes = this.stream?.receivedBytes;
    if (ok) this.log.info({ bytes }, 'snapshot received and stored; acknowledging');
    else this.log.warn({ bytes }, `snapshot not acknowledged: ${reason}`);
    if (this.state === 'done') return;
    this.finish();
    if (this.socket.readyState !== this.socket.OPEN) return;
    this.socket.send(encodeFrame({ kind: 'snapshotAck', ok, reason }), () => {
      closeSoon(this.socket, CLOSE_CODES.normal, ok ? 'snapshot stored' : 'snapshot refused', this.context.limits.closeGraceMs);
    });
  }

  private finish(): void {
    if (this.state === 'done') return;
    this.state = 'done';
    this.clearStallTimer();
    // A paused socket would never see the close handshake.
    if (this.paused) this.socket.resume();
    this.context.onDone();
  }

  /** (Re)starts the stall timer while we are waiting for the sender. */
  private armStallTimer(): void {
    this.clearStallTimer();
    if (this.paused || this.state === 'ended' || this.state === 'done') return;
    const stallMs = this.context.limits.snapshotStallTimeoutMs;
    this.stallTimer = setTimeout(() => {
      this.log.warn({ stallMs }, 'snapshot sender made no progress: dropping the connection');
      this.stream?.fail(new TransportError('snapshot_stalled', `no snapshot bytes for ${stallMs} ms`));
      this.finish();
      this.socket.terminate();
    }, stallMs);
  }

  private clearStallTimer(): void {
    if (this.stallTimer !== null) clearTimeout(this.stallTimer);
    this.stallTimer = null;
  }
}

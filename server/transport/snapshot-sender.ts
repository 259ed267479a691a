import { createHash } from 'node:crypto';
import type WebSocket from 'ws';
import type { Logger } from 'pino';
import type { Message, NodeId } from '../raft/index.js';
import { dialPeer } from './dial.js';
import { CLOSE_CODES } from './errors.js';
import type { PeerTransportLimits } from './limits.js';
import { CHUNK_FRAME_OVERHEAD_BYTES, decodeFrame, encodeFrame } from './peer-frames.js';
import { closeSoon, rawDataBytes } from './ws-util.js';

/** What one outbound snapshot needs. */
export interface SnapshotSendContext {
  readonly selfId: NodeId;
  readonly clusterId: string;
  readonly frameBytesMax: number;
  readonly limits: PeerTransportLimits;
  readonly log: Logger;
  /** Aborted when the transport closes or the peer is removed. */
  readonly signal: AbortSignal;
}

/** Why a snapshot send stopped early; logged by the caller. */
class SnapshotSendFailure extends Error {}

/**
 * Streams one snapshot on its own connection to `url` (an override already applied): hello, the 'snap'
 * message as the header frame, `source` cut into chunks of at most `snapshotChunkBytesMax`, and an end
 * frame with the byte count and sha256. It reads `source` only as fast as the socket drains (at most
 * `snapshotSendBufferBytesMax` bytes waiting), so a multi-GB snapshot never sits in memory. Resolves with
 * the receiver's acknowledgement, false on refusal, disconnect, abort, source error or a stall longer than
 * `snapshotStallTimeoutMs`. Never rejects.
 */
export async function sendSnapshotTo(url: string, message: Message, source: AsyncIterable<Uint8Array>, context: SnapshotSendContext): Promise<boolean> {
  const log = context.log.child({ peer: message.to, connection: 'snapshot', url });
  const pieces = new SourceReader(source);
  try {
    const header = encodeFrame({ kind: 'snapshotHeader', message });
    if (header.byteLength > context.frameBytesMax) {
      log.error({ headerBytes: header.byteLength, frameBytesMax: context.frameBytesMax }, 'snapshot header larger than frameBytesMax (keep snapshot.data small: the state travels in the source)');
      return false;
    }
    let socket: WebSocket;
    try {
      socket = await dialPeer({
        url,
        connection: 'snapshot',
        clusterId: context.clusterId,
        from: context.selfId,
        to: message.to,
        frameBytesMax: context.frameBytesMax,
        dialTimeoutMs: context.limits.dialTimeoutMs,
        closeGraceMs: context.limits.closeGraceMs,
        signal: context.signal,
      });
    } catch (error) {
      log.warn(`snapshot not sent: ${(error as Error).message}`);
      return false;
    }
    return await stream(socket, header, pieces, message, context, log);
  } finally {
    await pieces.close();
  }
}

/** Writes header, chunks and end frame on an open snapshot connection, then awaits the ack. */
async function stream(socket: WebSocket, header: Buffer, pieces: SourceReader, message: Message, context: SnapshotSendContext, log: Logger): Promise<boolean> {
  const session = new SenderSession(socket, context.limits, context.signal);
  let totalBytes = 0;
  try {
    session.send(header);
    const hash = createHash('sha256');
    const chunkBytesMax = Math.min(context.limits.snapshotChunkBytesMax, context.frameBytesMax - CHUNK_FRAME_OVERHEAD_BYTES);
    // A source that hangs must not hold the sender once the connection is gone.
    for (let piece = await session.unlessFailed(pieces.next()); piece !== null; piece = await session.unlessFailed(pieces.next())) {
      for (let offset = 0; offset < piece.byteLength; offset += chunkBytesMax) {
        const data = piece.subarray(offset, offset + chunkBytesMax);
        hash.update(data);
        totalBytes += data.byteLength;
        await session.sendAndDrain(encodeFrame({ kind: 'snapshotChunk', data }));
      }
    }
    session.send(encodeFrame({ kind: 'snapshotEnd', totalBytes, sha256: hash.digest() }));
    const ack = await session.acknowledgement();
    if (ack.ok) log.info({ bytes: totalBytes, index: message.snapshot?.metadata.index }, 'snapshot sent and acknowledged');
    else log.warn({ bytes: totalBytes }, `snapshot refused by the receiver: ${ack.reason}`);
    return ack.ok;
  } catch (error) {
    log.warn({ bytes: totalBytes }, `snapshot not sent: ${(error as Error).message}`);
    return false;
  } finally {
    await session.dispose();
  }
}

/**
 * Reads the member's source one piece at a time and closes it in every case (a file-backed source
 * releases its file even when the snapshot never started). A close while a read is still pending is
 * not awaited: that read may never finish.
 */
class SourceReader {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private reading = false;
  private exhausted = false;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  /** The next piece, or null at the end. */
  async next(): Promise<Uint8Array | null> {
    this.reading = true;
    let result: IteratorResult<Uint8Array>;
    try {
      result = await this.iterator.next();
    } finally {
      this.reading = false;
    }
    if (result.done === true) this.exhausted = true;
    return result.done === true ? null : result.value;
  }

  async close(): Promise<void> {
    if (this.exhausted) return;
    this.exhausted = true;
    const closing = Promise.resolve(this.iterator.return?.()).catch(() => undefined);
    if (!this.reading) await closing;
  }
}

/** The sender's view of the snapshot connection: writes with backpressure, the ack, failure and stall. */
class SenderSession {
  /** Frames handed to ws whose send callback has not been called yet. */
  private unflushedFrames = 0;
  /** Resolved at the next send callback. */
  private flushWaiters: (() => void)[] = [];
  private failure: SnapshotSendFailure | null = null;
  private readonly failed: Promise<never>;
  private readonly acked: Promise<{ ok: boolean; reason: string }>;
  private readonly closed: Promise<void>;
  private rejectFailed: (error: SnapshotSendFailure) => void = () => {};
  private resolveAck: (ack: { ok: boolean; reason: string }) => void = () => {};
  private readonly onAbort = (): void => this.fail('the transport is closing or the peer was removed', CLOSE_CODES.goingAway);

  constructor(
    private readonly socket: WebSocket,
    private readonly limits: PeerTransportLimits,
    private readonly signal: AbortSignal,
  ) {
    this.failed = new Promise<never>((_, reject) => (this.rejectFailed = reject));
    this.failed.catch(() => {});
    this.acked = new Promise((resolve) => (this.resolveAck = resolve));
    socket.on('error', () => {});
    socket.on('message', (data) => {
      let frame;
      try {
        frame = decodeFrame(rawDataBytes(data));
      } catch (error) {
        return this.fail(`the receiver sent a malformed frame: ${(error as Error).message}`, CLOSE_CODES.protocolViolation);
      }
      if (frame.kind !== 'snapshotAck') return this.fail(`the receiver sent ${frame.kind}`, CLOSE_CODES.protocolViolation);
      this.resolveAck({ ok: frame.ok, reason: frame.reason });
      // A refusal may come before the end frame (the member failed early): stop writing at once.
      if (!frame.ok) this.fail(`the receiver refused the snapshot: ${frame.reason}`);
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('close', (code, reason) => this.fail(`the connection closed (${code}${reason.byteLength > 0 ? ` ${reason.toString()}` : ''})`));
    if (signal.aborted) this.onAbort();
    else signal.addEventListener('abort', this.onAbort);
  }

  /** Writes a frame without waiting. */
  send(frame: Buffer): void {
    if (this.failure === null && this.socket.readyState !== this.socket.OPEN) this.fail('the connection is closing');
    if (this.failure !== null) throw this.failure;
    this.unflushedFrames += 1;
    this.socket.send(frame, (error) => {
      if (error) this.fail(`write failed: ${error.message}`);
      this.unflushedFrames -= 1;
      const waiters = this.flushWaiters;
      this.flushWaiters = [];
      for (const wake of waiters) wake();
    });
  }

  /** Writes a frame, then waits while more than `snapshotSendBufferBytesMax` bytes are still unsent. */
  async sendAndDrain(frame: Buffer): Promise<void> {
    this.send(frame);
    while (this.socket.bufferedAmount > this.limits.snapshotSendBufferBytesMax && this.unflushedFrames > 0) {
      await this.progress(new Promise<void>((resolve) => this.flushWaiters.push(resolve)), 'the receiver stopped reading');
    }
  }

  /** `step`, unless the connection fails first. */
  unlessFailed<T>(step: Promise<T>): Promise<T> {
    return Promise.race([step, this.failed]);
  }

  /** The receiver's acknowledgement (after the end frame). */
  acknowledgement(): Promise<{ ok: boolean; reason: string }> {
    return this.progress(this.acked, 'no acknowledgement from the receiver');
  }

  /** Closes the connection (within closeGraceMs) and forgets the abort signal. */
  async dispose(): Promise<void> {
    this.signal.removeEventListener('abort', this.onAbort);
    closeSoon(this.socket, CLOSE_CODES.normal, 'snapshot sender done', this.limits.closeGraceMs);
    await this.closed;
  }

  /** Awaits `step`, failing on a broken connection or after snapshotStallTimeoutMs without it. */
  private async progress<T>(step: Promise<T>, stalled: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const stallMs = this.limits.snapshotStallTimeoutMs;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new SnapshotSendFailure(`${stalled} for ${stallMs} ms`)), stallMs);
    });
    try {
      return await Promise.race([step, this.failed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private fail(reason: string, closeCode?: number): void {
    if (this.failure !== null) return;
    this.failure = new SnapshotSendFailure(reason);
    this.rejectFailed(this.failure);
    if (closeCode !== undefined) closeSoon(this.socket, closeCode, reason, this.limits.closeGraceMs);
  }
}

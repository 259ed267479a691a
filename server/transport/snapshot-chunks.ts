import { createHash, timingSafeEqual, type Hash } from 'node:crypto';
import { TransportError } from './errors.js';

/** Pauses and resumes whatever produces the chunks (the snapshot socket). */
export interface FlowControl {
  pause(): void;
  resume(): void;
}

/**
 * - receiving: chunks may still arrive or wait to be read;
 * - verified: the reader reached the end and the checksum matched;
 * - failed: the stream broke or the checksum did not match (the reader got the error);
 * - abandoned: the reader stopped before the end.
 */
export type ChunkStreamOutcome = 'receiving' | 'verified' | 'failed' | 'abandoned';

/**
 * The chunks of one inbound snapshot, handed to the member as a single-use AsyncIterable. It holds at
 * most about `bufferBytesMax` bytes: above that it pauses the producer, and resumes it once the reader
 * has drained half of them. The sha256 of every pushed byte is checked against the end frame when the
 * reader reaches the end; a mismatch (or a broken stream) makes the iterator throw a TransportError.
 */
export class SnapshotChunkStream implements AsyncIterable<Uint8Array> {
  private readonly chunks: Uint8Array[] = [];
  private readonly hash: Hash = createHash('sha256');
  private bufferedBytesNow = 0;
  private receivedBytesTotal = 0;
  private endFrame: { totalBytes: number; sha256: Uint8Array } | null = null;
  private failure: TransportError | null = null;
  private wakeReader: (() => void) | null = null;
  private paused = false;
  private iterated = false;
  private outcomeNow: ChunkStreamOutcome = 'receiving';

  constructor(
    private readonly flow: FlowControl,
    private readonly bufferBytesMax: number,
  ) {}

  /** How the stream ended, as far as the reader is concerned. */
  get outcome(): ChunkStreamOutcome {
    return this.outcomeNow;
  }

  /** Bytes received and not yet read. */
  get bufferedBytes(): number {
    return this.bufferedBytesNow;
  }

  /** Bytes received so far. */
  get receivedBytes(): number {
    return this.receivedBytesTotal;
  }

  /** True once the end frame arrived or the stream failed: no more chunks are expected. */
  get finished(): boolean {
    return this.endFrame !== null || this.failure !== null;
  }

  /** Adds a received chunk (ignored once the stream is finished or abandoned). */
  push(chunk: Uint8Array): void {
    if (this.finished || this.outcomeNow !== 'receiving') return;
    this.hash.update(chunk);
    this.receivedBytesTotal += chunk.byteLength;
    this.chunks.push(chunk);
    this.bufferedBytesNow += chunk.byteLength;
    if (!this.paused && this.bufferedBytesNow >= this.bufferBytesMax) {
      this.paused = true;
      this.flow.pause();
    }
    this.wake();
  }

  /** The end frame: the byte count and sha256 the sender computed. */
  end(totalBytes: number, sha256: Uint8Array): void {
    if (this.finished) return;
    this.endFrame = { totalBytes, sha256 };
    this.wake();
  }

  /** The stream broke: the reader gets `error` at its next read (buffered chunks are discarded). */
  fail(error: TransportError): void {
    if (this.outcomeNow !== 'receiving' || this.endFrame !== null) return;
    this.failure = error;
    this.discard();
    this.wake();
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    if (this.iterated) throw new Error('a snapshot chunk stream can be iterated only once');
    this.iterated = true;
    return {
      next: () => this.next(),
      return: async () => {
        if (this.outcomeNow === 'receiving') {
          this.outcomeNow = 'abandoned';
          this.discard();
        }
        return { value: undefined, done: true };
      },
    };
  }

  private async next(): Promise<IteratorResult<Uint8Array>> {
    for (;;) {
      if (this.outcomeNow === 'verified' || this.outcomeNow === 'abandoned') return { value: undefined, done: true };
      if (this.failure !== null) {
        this.outcomeNow = 'failed';
        throw this.failure;
      }
      const chunk = this.chunks.shift();
      if (chunk !== undefined) {
        this.bufferedBytesNow -= chunk.byteLength;
        if (this.paused && this.bufferedBytesNow <= this.bufferBytesMax / 2) {
          this.paused = false;
          this.flow.resume();
        }
        return { value: chunk, done: false };
      }
      if (this.endFrame !== null) {
        this.verify(this.endFrame);
        continue;
      }
      await new Promise<void>((resolve) => (this.wakeReader = resolve));
    }
  }

  private verify(endFrame: { totalBytes: number; sha256: Uint8Array }): void {
    const digest = this.hash.digest();
    if (endFrame.totalBytes !== this.receivedBytesTotal) {
      this.failure = new TransportError('snapshot_checksum_mismatch', `snapshot has ${this.receivedBytesTotal} bytes, the sender sent ${endFrame.totalBytes}`);
    } else if (endFrame.sha256.byteLength !== digest.byteLength || !timingSafeEqual(endFrame.sha256, digest)) {
      this.failure = new TransportError('snapshot_checksum_mismatch', 'snapshot sha256 does not match the sender\'s: the stream was corrupted');
    } else {
      this.outcomeNow = 'verified';
    }
  }

  private discard(): void {
    this.chunks.length = 0;
    this.bufferedBytesNow = 0;
  }

  private wake(): void {
    const wake = this.wakeReader;
    this.wakeReader = null;
    wake?.();
  }
}

import { raftAssert } from '../errors.js';

/**
 * A bounded FIFO of in-flight MsgApps to one follower (by last entry index and byte size). Full when it
 * holds `capacity` messages or `maxBytes` bytes (0 = no byte limit). A ring buffer, so sends and
 * acknowledgements cost O(1) amortised and memory never grows past `capacity`.
 */
export class Inflights {
  readonly capacity: number;
  readonly maxBytes: number;
  private start = 0;
  private countValue = 0;
  private bytesValue = 0;
  private readonly indexes: number[] = [];
  private readonly sizes: number[] = [];

  constructor(capacity: number, maxBytes: number) {
    raftAssert(capacity > 0, 'inflights capacity must be positive');
    this.capacity = capacity;
    this.maxBytes = maxBytes;
  }

  /** Number of messages in flight. */
  count(): number {
    return this.countValue;
  }

  /** Bytes in flight. */
  bytes(): number {
    return this.bytesValue;
  }

  /** Records a MsgApp whose last entry is `index`. Indexes must increase; asserts not full. */
  add(index: number, bytes: number): void {
    raftAssert(!this.full(), 'cannot add into a full inflights');
    const slot = (this.start + this.countValue) % this.capacity;
    this.indexes[slot] = index;
    this.sizes[slot] = bytes;
    this.countValue++;
    this.bytesValue += bytes;
  }

  /** Frees every message whose last index is <= `to` (they were acknowledged). */
  freeLE(to: number): void {
    let freed = 0;
    let slot = this.start;
    while (freed < this.countValue && this.indexes[slot]! <= to) {
      this.bytesValue -= this.sizes[slot]!;
      slot = (slot + 1) % this.capacity;
      freed++;
    }
    this.countValue -= freed;
    this.start = this.countValue === 0 ? 0 : slot;
  }

  /** True when no more messages may be sent. */
  full(): boolean {
    return this.countValue === this.capacity || (this.maxBytes !== 0 && this.bytesValue >= this.maxBytes);
  }

  /** Forgets everything in flight. */
  reset(): void {
    this.start = 0;
    this.countValue = 0;
    this.bytesValue = 0;
  }
}

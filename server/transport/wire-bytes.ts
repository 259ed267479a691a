import { assert } from '../errors.js';
import { TransportError } from './errors.js';

/**
 * Primitive big-endian encodings shared by the peer frames: u8, u16, u32, u64 (a non-negative safe
 * integer in 8 bytes), byte strings with a u32 length and UTF-8 strings with a u16 or u32 length.
 * The writer fills a buffer of a size computed beforehand (and asserts it filled it exactly); the reader
 * checks every bound and throws `TransportError('frame_malformed')` naming the field it was reading.
 */

const TWO_32 = 2 ** 32;
/** The high 32 bits of Number.MAX_SAFE_INTEGER: a u64 with a larger high word is not a safe integer. */
const SAFE_HIGH_WORD_MAX = 0x1f_ffff;
/** Bytes of a u16-prefixed string at most (ids, cluster id). */
export const SHORT_STRING_BYTES_MAX = 0xffff;

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** A lone surrogate cannot be encoded as UTF-8 and would not round-trip. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Bytes `text` takes in UTF-8, asserting it is well-formed (no lone surrogate). */
export function utf8Bytes(text: string): number {
  assert(!LONE_SURROGATE.test(text), 'peer frame strings must be well-formed UTF-16 (no lone surrogate)');
  return Buffer.byteLength(text, 'utf8');
}

/** Writes into a buffer allocated with the exact size of what will be written. */
export class ByteWriter {
  readonly buffer: Buffer;
  private offset = 0;

  constructor(size: number) {
    this.buffer = Buffer.allocUnsafe(size);
  }

  u8(value: number): void {
    this.buffer.writeUInt8(value, this.offset);
    this.offset += 1;
  }

  u16(value: number): void {
    this.buffer.writeUInt16BE(value, this.offset);
    this.offset += 2;
  }

  u32(value: number): void {
    this.buffer.writeUInt32BE(value, this.offset);
    this.offset += 4;
  }

  /** A non-negative safe integer in 8 bytes. */
  u64(value: number, field: string): void {
    assert(Number.isSafeInteger(value) && value >= 0, `${field} is not a non-negative safe integer: ${value}`);
    this.buffer.writeUInt32BE(Math.floor(value / TWO_32), this.offset);
    this.buffer.writeUInt32BE(value % TWO_32, this.offset + 4);
    this.offset += 8;
  }

  /** Raw bytes, no length prefix. */
  raw(bytes: Uint8Array): void {
    this.buffer.set(bytes, this.offset);
    this.offset += bytes.byteLength;
  }

  /** u32 length, then the bytes. */
  bytes(bytes: Uint8Array): void {
    this.u32(bytes.byteLength);
    this.raw(bytes);
  }

  /** u16 length, then UTF-8 (ids and the cluster id). */
  shortString(text: string, field: string): void {
    const length = Buffer.byteLength(text, 'utf8');
    assert(length <= SHORT_STRING_BYTES_MAX, `${field} is longer than ${SHORT_STRING_BYTES_MAX} bytes`);
    this.u16(length);
    this.offset += this.buffer.write(text, this.offset, 'utf8');
  }

  /** u32 length, then UTF-8. */
  longString(text: string): void {
    const length = Buffer.byteLength(text, 'utf8');
    this.u32(length);
    this.offset += this.buffer.write(text, this.offset, 'utf8');
  }

  /** The filled buffer; asserts the size computed beforehand was exact. */
  finish(): Buffer {
    assert(this.offset === this.buffer.byteLength, `encoded ${this.offset} bytes into a buffer of ${this.buffer.byteLength}`);
    return this.buffer;
  }
}

/** Reads a frame, refusing anything truncated, out of range or not well-formed. */
export class ByteReader {
  private offset = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Bytes not read yet. */
  get remaining(): number {
    return this.bytes.byteLength - this.offset;
  }

  /** Throws a malformed-frame error naming the field and the offset. */
  fail(field: string, problem: string): never {
    throw new TransportError('frame_malformed', `malformed peer frame: ${field} at byte ${this.offset}: ${problem}`);
  }

  private need(count: number, field: string): void {
    if (this.remaining < count) this.fail(field, `truncated (needs ${count} bytes, ${this.remaining} left)`);
  }

  u8(field: string): number {
    this.need(1, field);
    const value = this.view.getUint8(this.offset);
    this.offset += 1;
    return value;
  }

  /** A byte that must be 0 or 1. */
  boolean(field: string): boolean {
    const value = this.u8(field);
    if (value > 1) this.fail(field, `not a boolean (${value})`);
    return value === 1;
  }

  u16(field: string): number {
    this.need(2, field);
    const value = this.view.getUint16(this.offset);
    this.offset += 2;
    return value;
  }

  u32(field: string): number {
    this.need(4, field);
    const value = this.view.getUint32(this.offset);
    this.offset += 4;
    return value;
  }

  /** 8 bytes that must hold a non-negative safe integer. */
  u64(field: string): number {
    this.need(8, field);
    const high = this.view.getUint32(this.offset);
    if (high > SAFE_HIGH_WORD_MAX) this.fail(field, 'not a safe integer');
    const value = high * TWO_32 + this.view.getUint32(this.offset + 4);
    this.offset += 8;
    return value;
  }

  /** A count of items each at least `itemBytesMin` long: refuses counts the rest of the frame cannot hold. */
  count(field: string, itemBytesMin: number): number {
    const value = this.u32(field);
    if (value * itemBytesMin > this.remaining) this.fail(field, `count ${value} does not fit in ${this.remaining} bytes`);
    return value;
  }

  /** `length` raw bytes, copied (so the result does not pin the frame's memory). */
  raw(length: number, field: string): Uint8Array {
    this.need(length, field);
    // A plain Uint8Array copy: Buffer#slice would return a view of the whole frame.
    const copy = new Uint8Array(length);
    copy.set(this.bytes.subarray(this.offset, this.offset + length));
    this.offset += length;
    return copy;
  }

  /** u32 length, then that many bytes (copied). */
  bytesField(field: string): Uint8Array {
    return this.raw(this.u32(field), field);
  }

  shortString(field: string): string {
    return this.utf8(this.u16(field), field);
  }

  longString(field: string): string {
    return this.utf8(this.u32(field), field);
  }

  private utf8(length: number, field: string): string {
    this.need(length, field);
    let text: string;
    try {
      text = utf8Decoder.decode(this.bytes.subarray(this.offset, this.offset + length));
    } catch {
      this.fail(field, 'not valid UTF-8');
    }
    this.offset += length;
    return text;
  }

  /** Asserts the whole frame was consumed. */
  end(what: string): void {
    if (this.remaining !== 0) this.fail(what, `${this.remaining} trailing bytes`);
  }
}

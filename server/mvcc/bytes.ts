/**
 * Keys and values are byte strings. Inside the server they are held as latin1 ("binary") strings:
 * one char per byte, so `<` on two strings is exactly byte order, V8 stores them compactly, and they
 * can key a Map or a B-tree. On the wire they travel as base64.
 */
export type Bytes = string;

/** The empty byte string. */
export const EMPTY: Bytes = '';
/** A one-byte string holding 0x00: as a range end it means "to the end of the key space". */
export const ZERO_BYTE: Bytes = '\x00';

/** Bytes from a buffer. */
export function bytesFromBuffer(buffer: Uint8Array): Bytes {
  return Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength).toString('latin1');
}

/** A buffer holding the bytes. */
export function bytesToBuffer(bytes: Bytes): Buffer {
  return Buffer.from(bytes, 'latin1');
}

/** Bytes from base64 (the wire form). */
export function bytesFromBase64(base64: string): Bytes {
  return Buffer.from(base64, 'base64').toString('latin1');
}

/** Base64 (the wire form) of the bytes. */
export function bytesToBase64(bytes: Bytes): string {
  return Buffer.from(bytes, 'latin1').toString('base64');
}

/** Bytes from a UTF-8 string (handy in tests and the CLI). */
export function bytesFromUtf8(text: string): Bytes {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** The UTF-8 text the bytes encode. */
export function bytesToUtf8(bytes: Bytes): string {
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** Byte-order comparison: negative, zero or positive. */
export function compareBytes(a: Bytes, b: Bytes): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The range end that selects every key starting with `prefix`: the prefix with its last byte
 * incremented after dropping trailing 0xff bytes. A prefix of only 0xff bytes (or the empty prefix)
 * has no upper bound, which the range encoding writes as "\x00".
 */
export function prefixEnd(prefix: Bytes): Bytes {
  let end = prefix.length;
  while (end > 0 && prefix.charCodeAt(end - 1) === 0xff) end--;
  if (end === 0) return ZERO_BYTE;
  return prefix.slice(0, end - 1) + String.fromCharCode(prefix.charCodeAt(end - 1) + 1);
}

/**
 * A key range as etcd encodes it: an empty end selects the single key, "\x00" selects every key from
 * `key` on, anything else selects the half-open interval [key, end).
 */
export interface KeyRange {
  readonly key: Bytes;
  readonly end: Bytes;
}

/** True when `candidate` lies inside `range`. */
export function rangeContains(range: KeyRange, candidate: Bytes): boolean {
  if (range.end === EMPTY) return candidate === range.key;
  if (candidate < range.key) return false;
  return range.end === ZERO_BYTE || candidate < range.end;
}

/** True when the range selects one key only. */
export function isSingleKey(range: KeyRange): boolean {
  return range.end === EMPTY;
}

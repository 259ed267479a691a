/** Conversions between the SDK's types and the wire's JSON (base64 bytes, decimal-string integers). */

/** Key or value input: a string is taken as UTF-8. */
export type BytesInput = string | Uint8Array;

export function toBuffer(input: BytesInput): Buffer {
  return typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
}

export function toBase64(input: BytesInput): string {
  return toBuffer(input).toString('base64');
}

export function fromBase64(value: unknown): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'base64') : Buffer.alloc(0);
}

/** A wire integer (decimal string, number, or absent for zero) as a bigint. */
export function toBigint(value: unknown): bigint {
  if (typeof value === 'string' && value !== '') return BigInt(value);
  if (typeof value === 'number') return BigInt(value);
  return 0n;
}

/** A bigint or number as a wire integer. */
export function int64(value: bigint | number): string {
  return typeof value === 'bigint' ? value.toString() : String(Math.trunc(value));
}

/** The range end that selects every key with this prefix (etcd's rule, 0xff bytes carried). */
export function prefixRangeEnd(prefix: Buffer): Buffer {
  let end = prefix.length;
  while (end > 0 && prefix[end - 1] === 0xff) end--;
  if (end === 0) return Buffer.of(0);
  const rangeEnd = Buffer.from(prefix.subarray(0, end));
  rangeEnd[end - 1]! += 1;
  return rangeEnd;
}

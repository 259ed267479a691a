import { randomBytes } from 'node:crypto';

/** A random non-zero unsigned 64-bit id as a decimal string. */
export function randomId(): string {
  let id = 0n;
  while (id === 0n) id = randomBytes(8).readBigUInt64BE(0);
  return id.toString();
}

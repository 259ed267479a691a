import type { KeyValue, Revision } from '../mvcc/types.js';
import { assert } from '../errors.js';

/**
 * Byte layouts of everything Synod keeps in LevelDB. One database per member, split by a one-byte
 * prefix: `e` raft log entries by index, `h` raft hard state, `k` MVCC changes by revision, `m` meta.
 * Numbers are fixed-width big-endian so LevelDB's byte order is numeric order.
 */
export const PREFIX = Object.freeze({
  logEntry: 0x65, // 'e'
  hardState: 0x68, // 'h'
  kv: 0x6b, // 'k'
  lease: 0x6c, // 'l'
  meta: 0x6d, // 'm'
});

/** LevelDB key of a lease record: 'l' + the id as a signed 64-bit big-endian integer. */
export function leaseKey(id: bigint): Buffer {
  const key = Buffer.allocUnsafe(9);
  key[0] = PREFIX.lease;
  key.writeBigInt64BE(id, 1);
  return key;
}

const TWO_32 = 2 ** 32;

/** Writes a non-negative safe integer as 8 big-endian bytes. */
export function writeUint64(buffer: Buffer, value: number, offset: number): void {
  assert(Number.isSafeInteger(value) && value >= 0, `not a non-negative safe integer: ${value}`);
  buffer.writeUInt32BE(Math.floor(value / TWO_32), offset);
  buffer.writeUInt32BE(value % TWO_32, offset + 4);
}

/** Reads 8 big-endian bytes written by writeUint64. */
export function readUint64(buffer: Buffer, offset: number): number {
  const value = buffer.readUInt32BE(offset) * TWO_32 + buffer.readUInt32BE(offset + 4);
  assert(Number.isSafeInteger(value), 'stored integer is not a safe integer');
  return value;
}

/** LevelDB key of one MVCC change: 'k' + main (8 bytes) + sub (4 bytes). */
export function kvKey(revision: Revision): Buffer {
  const key = Buffer.allocUnsafe(13);
  key[0] = PREFIX.kv;
  writeUint64(key, revision.main, 1);
  key.writeUInt32BE(revision.sub, 9);
  return key;
}

/** The revision a kv key stands for. */
export function revisionOfKvKey(key: Buffer): Revision {
  assert(key.length === 13 && key[0] === PREFIX.kv, 'not a kv key');
  return { main: readUint64(key, 1), sub: key.readUInt32BE(9) };
}

/** LevelDB key of log entry `index`. */
export function logKey(index: number): Buffer {
  const key = Buffer.allocUnsafe(9);
  key[0] = PREFIX.logEntry;
  writeUint64(key, index, 1);
  return key;
}

/** The index a log key stands for. */
export function indexOfLogKey(key: Buffer): number {
  assert(key.length === 9 && key[0] === PREFIX.logEntry, 'not a log key');
  return readUint64(key, 1);
}

/** LevelDB key of a meta field. */
export function metaKey(name: string): Buffer {
  return Buffer.concat([Buffer.of(PREFIX.meta), Buffer.from(name, 'utf8')]);
}

const RECORD_PUT = 1;
const RECORD_DELETE = 0;

/**
 * One stored change: a put holds the whole KeyValue (its mod revision is the key's revision), a delete
 * only the key. Layout: kind (1) | key length (4) | key | [create (8) | version (8) | lease (8) | value].
 */
export function encodeChange(key: string, kv: KeyValue | null): Buffer {
  const keyLength = Buffer.byteLength(key, 'latin1');
  if (kv === null) {
    const record = Buffer.allocUnsafe(5 + keyLength);
    record[0] = RECORD_DELETE;
    record.writeUInt32BE(keyLength, 1);
    record.write(key, 5, 'latin1');
    return record;
  }
  const valueLength = Buffer.byteLength(kv.value, 'latin1');
  const record = Buffer.allocUnsafe(5 + keyLength + 24 + valueLength);
  record[0] = RECORD_PUT;
  record.writeUInt32BE(keyLength, 1);
  record.write(key, 5, 'latin1');
  let offset = 5 + keyLength;
  writeUint64(record, kv.createRevision, offset);
  writeUint64(record, kv.version, offset + 8);
  record.writeBigInt64BE(kv.lease, offset + 16);
  offset += 24;
  record.write(kv.value, offset, 'latin1');
  return record;
}

/** A decoded change: the key, and the KeyValue for a put or null for a delete. */
export interface StoredChange {
  readonly key: string;
  readonly kv: KeyValue | null;
}

/** Decodes a record written by encodeChange at `revision`. */
export function decodeChange(revision: Revision, record: Buffer): StoredChange {
  const keyLength = record.readUInt32BE(1);
  const key = record.toString('latin1', 5, 5 + keyLength);
  if (record[0] === RECORD_DELETE) return { key, kv: null };
  assert(record[0] === RECORD_PUT, `unknown change record kind ${record[0]}`);
  const offset = 5 + keyLength;
  return {
    key,
    kv: {
      key,
      value: record.toString('latin1', offset + 24),
      createRevision: readUint64(record, offset),
      modRevision: revision.main,
      version: readUint64(record, offset + 8),
      lease: record.readBigInt64BE(offset + 16),
    },
  };
}

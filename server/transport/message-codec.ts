import type { ConfState, Entry, EntryType, Message, MessageType, Snapshot } from '../raft/index.js';
import { ByteReader, ByteWriter, utf8Bytes } from './wire-bytes.js';

/**
 * The binary encoding of Raft messages (wire version 1, fixed by the subprotocol `synod-peer.v1`).
 * All integers are big-endian; "u64" is a non-negative safe integer in 8 bytes; strings are UTF-8 with a
 * length prefix (u16 for ids, u32 for the context); byte fields have a u32 length.
 *
 *     message  = type:u8 from:str16 to:str16 term:u64 logTerm:u64 index:u64 commit:u64
 *                reject:u8 rejectHint:u64 entryCount:u32 entry* hasSnapshot:u8 [snapshot] context:str32
 *     entry    = term:u64 index:u64 type:u8 data:bytes32
 *     snapshot = index:u64 term:u64 voters:ids votersOutgoing:ids learners:ids learnersNext:ids
 *                autoLeave:u8 data:bytes32          ids = count:u32 str16*
 *     batch    = count:u32 message*                  (count >= 1)
 *
 * Decoding copies every byte field out of the frame, checks every length against the bytes left, and
 * refuses unknown codes, non-boolean flags, unsafe integers, invalid UTF-8 and trailing bytes with a
 * `TransportError('frame_malformed')`. Invariant: `decode(encode(m))` deep-equals `m`.
 */

/** Wire codes of message types; never renumber one (append new types at the end). */
const MESSAGE_TYPE_CODES: Readonly<Record<MessageType, number>> = {
  hup: 1,
  beat: 2,
  prop: 3,
  app: 4,
  appResp: 5,
  vote: 6,
  voteResp: 7,
  snap: 8,
  heartbeat: 9,
  heartbeatResp: 10,
  unreachable: 11,
  snapStatus: 12,
  checkQuorum: 13,
  transferLeader: 14,
  timeoutNow: 15,
  readIndex: 16,
  readIndexResp: 17,
  preVote: 18,
  preVoteResp: 19,
  forgetLeader: 20,
};

const MESSAGE_TYPE_BY_CODE: ReadonlyMap<number, MessageType> = new Map(
  Object.entries(MESSAGE_TYPE_CODES).map(([type, code]) => [code, type as MessageType]),
);

const ENTRY_TYPE_CODES: Readonly<Record<EntryType, number>> = { normal: 0, confChange: 1 };
const ENTRY_TYPE_BY_CODE: ReadonlyMap<number, EntryType> = new Map(
  Object.entries(ENTRY_TYPE_CODES).map(([type, code]) => [code, type as EntryType]),
);

/** Smallest encoded message: no entries, no snapshot, empty ids and context. */
const MESSAGE_BYTES_MIN = 1 + 2 + 2 + 4 * 8 + 1 + 8 + 4 + 1 + 4;
const ENTRY_BYTES_MIN = 8 + 8 + 1 + 4;
const ID_BYTES_MIN = 2;

function idListBytes(ids: readonly string[]): number {
  let total = 4;
  for (const id of ids) total += 2 + utf8Bytes(id);
  return total;
}

function snapshotBytes(snapshot: Snapshot): number {
  const confState = snapshot.metadata.confState;
  return (
    8 +
    8 +
    idListBytes(confState.voters) +
    idListBytes(confState.votersOutgoing) +
    idListBytes(confState.learners) +
    idListBytes(confState.learnersNext) +
    1 +
    4 +
    snapshot.data.byteLength
  );
}

/** The exact number of bytes `writeMessage` produces for `message`. */
export function messageBytes(message: Message): number {
  let total = MESSAGE_BYTES_MIN + utf8Bytes(message.from) + utf8Bytes(message.to) + utf8Bytes(message.context);
  for (const entry of message.entries) total += ENTRY_BYTES_MIN + entry.data.byteLength;
  if (message.snapshot !== null) total += snapshotBytes(message.snapshot);
  return total;
}

function writeIds(writer: ByteWriter, ids: readonly string[], field: string): void {
  writer.u32(ids.length);
  for (const id of ids) writer.shortString(id, field);
}

/** Writes `message` (exactly `messageBytes(message)` bytes). Asserts integers are non-negative safe integers. */
export function writeMessage(writer: ByteWriter, message: Message): void {
  writer.u8(MESSAGE_TYPE_CODES[message.type]);
  writer.shortString(message.from, 'from');
  writer.shortString(message.to, 'to');
  writer.u64(message.term, 'term');
  writer.u64(message.logTerm, 'logTerm');
  writer.u64(message.index, 'index');
  writer.u64(message.commit, 'commit');
  writer.u8(message.reject ? 1 : 0);
  writer.u64(message.rejectHint, 'rejectHint');
  writer.u32(message.entries.length);
  for (const entry of message.entries) {
    writer.u64(entry.term, 'entry term');
    writer.u64(entry.index, 'entry index');
    writer.u8(ENTRY_TYPE_CODES[entry.type]);
    writer.bytes(entry.data);
  }
  const snapshot = message.snapshot;
  writer.u8(snapshot === null ? 0 : 1);
  if (snapshot !== null) {
    const { index, term, confState } = snapshot.metadata;
    writer.u64(index, 'snapshot index');
    writer.u64(term, 'snapshot term');
    writeIds(writer, confState.voters, 'voter');
    writeIds(writer, confState.votersOutgoing, 'outgoing voter');
    writeIds(writer, confState.learners, 'learner');
    writeIds(writer, confState.learnersNext, 'next learner');
    writer.u8(confState.autoLeave ? 1 : 0);
    writer.bytes(snapshot.data);
  }
  writer.longString(message.context);
}

function readIds(reader: ByteReader, field: string): string[] {
  const count = reader.count(`${field} count`, ID_BYTES_MIN);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(reader.shortString(field));
  return ids;
}

function readEntry(reader: ByteReader): Entry {
  const term = reader.u64('entry term');
  const index = reader.u64('entry index');
  const typeCode = reader.u8('entry type');
  const type = ENTRY_TYPE_BY_CODE.get(typeCode);
  if (type === undefined) reader.fail('entry type', `unknown code ${typeCode}`);
  return { term, index, type, data: reader.bytesField('entry data') };
}

function readSnapshot(reader: ByteReader): Snapshot {
  const index = reader.u64('snapshot index');
  const term = reader.u64('snapshot term');
  const confState: ConfState = {
    voters: readIds(reader, 'voter'),
    votersOutgoing: readIds(reader, 'outgoing voter'),
    learners: readIds(reader, 'learner'),
    learnersNext: readIds(reader, 'next learner'),
    autoLeave: reader.boolean('autoLeave'),
  };
  return { metadata: { index, term, confState }, data: reader.bytesField('snapshot data') };
}

/** Reads one message written by `writeMessage`; throws `TransportError('frame_malformed')` on bad input. */
export function readMessage(reader: ByteReader): Message {
  const typeCode = reader.u8('message type');
  const type = MESSAGE_TYPE_BY_CODE.get(typeCode);
  if (type === undefined) reader.fail('message type', `unknown code ${typeCode}`);
  const from = reader.shortString('from');
  const to = reader.shortString('to');
  const term = reader.u64('term');
  const logTerm = reader.u64('logTerm');
  const index = reader.u64('index');
  const commit = reader.u64('commit');
  const reject = reader.boolean('reject');
  const rejectHint = reader.u64('rejectHint');
  const entryCount = reader.count('entry count', ENTRY_BYTES_MIN);
  const entries: Entry[] = [];
  for (let i = 0; i < entryCount; i++) entries.push(readEntry(reader));
  const snapshot = reader.boolean('hasSnapshot') ? readSnapshot(reader) : null;
  const context = reader.longString('context');
  return { type, from, to, term, logTerm, index, entries, commit, reject, rejectHint, snapshot, context };
}

/** Bytes of a batch holding messages of the given encoded sizes. */
export function batchBytes(messageSizes: readonly number[]): number {
  let total = 4;
  for (const size of messageSizes) total += size;
  return total;
}

/** Writes a batch: the count, then each message. */
export function writeMessageBatch(writer: ByteWriter, messages: readonly Message[]): void {
  writer.u32(messages.length);
  for (const message of messages) writeMessage(writer, message);
}

/** Reads a non-empty batch written by `writeMessageBatch` up to the end of the reader. */
export function readMessageBatch(reader: ByteReader): Message[] {
  const count = reader.count('message count', MESSAGE_BYTES_MIN);
  if (count === 0) reader.fail('message count', 'an empty batch');
  const messages: Message[] = [];
  for (let i = 0; i < count; i++) messages.push(readMessage(reader));
  reader.end('message batch');
  return messages;
}

/** Encodes a batch of messages on its own (no frame kind byte). */
export function encodeMessageBatch(messages: readonly Message[]): Buffer {
  const writer = new ByteWriter(batchBytes(messages.map(messageBytes)));
  writeMessageBatch(writer, messages);
  return writer.finish();
}

/** Decodes a batch encoded by `encodeMessageBatch`; throws `TransportError('frame_malformed')` on bad input. */
export function decodeMessageBatch(bytes: Uint8Array): Message[] {
  return readMessageBatch(new ByteReader(bytes));
}

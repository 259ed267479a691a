import type { Message, NodeId } from '../raft/index.js';
import { batchBytes, messageBytes, readMessage, readMessageBatch, writeMessage, writeMessageBatch } from './message-codec.js';
import { ByteReader, ByteWriter, utf8Bytes } from './wire-bytes.js';

/**
 * The frames peers exchange: one binary ws message each, its first byte the frame kind.
 *
 *     hello          0x01 connection:u8 (1 stream, 2 snapshot) clusterId:str16 from:str16 to:str16
 *     helloOk        0x02 clusterId:str16 id:str16
 *     messages       0x03 batch                      (message-codec.ts)
 *     snapshotHeader 0x10 message                    (the 'snap' message)
 *     snapshotChunk  0x11 bytes...                   (the rest of the frame)
 *     snapshotEnd    0x12 totalBytes:u64 sha256:32 bytes
 *     snapshotAck    0x13 ok:u8 reason:str32
 */

/** The ws subprotocol of peer connections; an incompatible change of any frame gets a new name. */
export const PEER_SUBPROTOCOL = 'synod-peer.v1';
/** The HTTP path peer connections upgrade on. */
export const PEER_PATH = '/synod/peer';
/** Answers 200 while the listener is up. */
export const PEER_HEALTH_PATH = '/synod/peer/health';

/** A stream connection carries message batches; a snapshot connection carries one snapshot. */
export type ConnectionKind = 'stream' | 'snapshot';

/** One decoded peer frame. */
export type PeerFrame =
  | { kind: 'hello'; connection: ConnectionKind; clusterId: string; from: NodeId; to: NodeId }
  | { kind: 'helloOk'; clusterId: string; id: NodeId }
  | { kind: 'messages'; messages: Message[] }
  | { kind: 'snapshotHeader'; message: Message }
  | { kind: 'snapshotChunk'; data: Uint8Array }
  | { kind: 'snapshotEnd'; totalBytes: number; sha256: Uint8Array }
  | { kind: 'snapshotAck'; ok: boolean; reason: string };

const FRAME_KIND_CODES = {
  hello: 0x01,
  helloOk: 0x02,
  messages: 0x03,
  snapshotHeader: 0x10,
  snapshotChunk: 0x11,
  snapshotEnd: 0x12,
  snapshotAck: 0x13,
} as const satisfies Record<PeerFrame['kind'], number>;

const CONNECTION_KIND_CODES = { stream: 1, snapshot: 2 } as const satisfies Record<ConnectionKind, number>;
const SHA256_BYTES = 32;
/** Bytes a messages frame adds around its messages: the kind byte and the count. */
const MESSAGES_FRAME_OVERHEAD_BYTES = 1 + 4;
/** Bytes a chunk frame adds to its payload. */
export const CHUNK_FRAME_OVERHEAD_BYTES = 1;

/** Encodes any frame. */
export function encodeFrame(frame: PeerFrame): Buffer {
  switch (frame.kind) {
    case 'hello': {
      const writer = new ByteWriter(2 + 6 + utf8Bytes(frame.clusterId) + utf8Bytes(frame.from) + utf8Bytes(frame.to));
      writer.u8(FRAME_KIND_CODES.hello);
      writer.u8(CONNECTION_KIND_CODES[frame.connection]);
      writer.shortString(frame.clusterId, 'clusterId');
      writer.shortString(frame.from, 'from');
      writer.shortString(frame.to, 'to');
      return writer.finish();
    }
    case 'helloOk': {
      const writer = new ByteWriter(1 + 4 + utf8Bytes(frame.clusterId) + utf8Bytes(frame.id));
      writer.u8(FRAME_KIND_CODES.helloOk);
      writer.shortString(frame.clusterId, 'clusterId');
      writer.shortString(frame.id, 'id');
      return writer.finish();
    }
    case 'messages': {
      const writer = new ByteWriter(1 + batchBytes(frame.messages.map(messageBytes)));
      writer.u8(FRAME_KIND_CODES.messages);
      writeMessageBatch(writer, frame.messages);
      return writer.finish();
    }
    case 'snapshotHeader': {
      const writer = new ByteWriter(1 + messageBytes(frame.message));
      writer.u8(FRAME_KIND_CODES.snapshotHeader);
      writeMessage(writer, frame.message);
      return writer.finish();
    }
    case 'snapshotChunk': {
      const writer = new ByteWriter(CHUNK_FRAME_OVERHEAD_BYTES + frame.data.byteLength);
      writer.u8(FRAME_KIND_CODES.snapshotChunk);
      writer.raw(frame.data);
      return writer.finish();
    }
    case 'snapshotEnd': {
      const writer = new ByteWriter(1 + 8 + SHA256_BYTES);
      writer.u8(FRAME_KIND_CODES.snapshotEnd);
      writer.u64(frame.totalBytes, 'totalBytes');
      writer.raw(frame.sha256);
      return writer.finish();
    }
    case 'snapshotAck': {
      const writer = new ByteWriter(2 + 4 + utf8Bytes(frame.reason));
      writer.u8(FRAME_KIND_CODES.snapshotAck);
      writer.u8(frame.ok ? 1 : 0);
      writer.longString(frame.reason);
      return writer.finish();
    }
  }
}

/**
 * Decodes a frame; throws `TransportError('frame_malformed')` on anything malformed. A chunk frame's
 * `data` is a view of `bytes` (not a copy): the caller owns the received buffer.
 */
export function decodeFrame(bytes: Uint8Array): PeerFrame {
  const reader = new ByteReader(bytes);
  const kind = reader.u8('frame kind');
  switch (kind) {
    case FRAME_KIND_CODES.hello: {
      const connectionCode = reader.u8('connection kind');
      const connection = connectionCode === 1 ? 'stream' : connectionCode === 2 ? 'snapshot' : reader.fail('connection kind', `unknown code ${connectionCode}`);
      const frame: PeerFrame = { kind: 'hello', connection, clusterId: reader.shortString('clusterId'), from: reader.shortString('from'), to: reader.shortString('to') };
      reader.end('hello');
      return frame;
    }
    case FRAME_KIND_CODES.helloOk: {
      const frame: PeerFrame = { kind: 'helloOk', clusterId: reader.shortString('clusterId'), id: reader.shortString('id') };
      reader.end('helloOk');
      return frame;
    }
    case FRAME_KIND_CODES.messages:
      return { kind: 'messages', messages: readMessageBatch(reader) };
    case FRAME_KIND_CODES.snapshotHeader: {
      const frame: PeerFrame = { kind: 'snapshotHeader', message: readMessage(reader) };
      reader.end('snapshotHeader');
      return frame;
    }
    case FRAME_KIND_CODES.snapshotChunk:
      return { kind: 'snapshotChunk', data: bytes.subarray(CHUNK_FRAME_OVERHEAD_BYTES) };
    case FRAME_KIND_CODES.snapshotEnd: {
      const frame: PeerFrame = { kind: 'snapshotEnd', totalBytes: reader.u64('totalBytes'), sha256: reader.raw(SHA256_BYTES, 'sha256') };
      reader.end('snapshotEnd');
      return frame;
    }
    case FRAME_KIND_CODES.snapshotAck: {
      const frame: PeerFrame = { kind: 'snapshotAck', ok: reader.boolean('ok'), reason: reader.longString('reason') };
      reader.end('snapshotAck');
      return frame;
    }
    default:
      return reader.fail('frame kind', `unknown code ${kind}`);
  }
}

/** The result of packing messages into frames of bounded size. */
export interface PackedFrames {
  /** Encoded messages frames, in order; each at most `frameBytesMax` bytes. */
  readonly frames: Buffer[];
  /** Messages that alone exceed `frameBytesMax` (they cannot be sent at all). */
  readonly oversized: Message[];
}

/**
 * Packs messages, in order, into as few messages frames as fit under `frameBytesMax` (all of them in one
 * frame when they fit together).
 */
export function packMessageFrames(messages: readonly Message[], frameBytesMax: number): PackedFrames {
  const frames: Buffer[] = [];
  const oversized: Message[] = [];
  let pending: Message[] = [];
  let pendingBytes = MESSAGES_FRAME_OVERHEAD_BYTES;
  const flush = (): void => {
    if (pending.length > 0) frames.push(encodeFrame({ kind: 'messages', messages: pending }));
    pending = [];
    pendingBytes = MESSAGES_FRAME_OVERHEAD_BYTES;
  };
  for (const message of messages) {
    const size = messageBytes(message);
    if (MESSAGES_FRAME_OVERHEAD_BYTES + size > frameBytesMax) {
      oversized.push(message);
      continue;
    }
    if (pendingBytes + size > frameBytesMax) flush();
    pending.push(message);
    pendingBytes += size;
  }
  flush();
  return { frames, oversized };
}

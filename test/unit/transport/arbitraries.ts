import fc from 'fast-check';
import type { ConfState, Entry, Message, MessageType, Snapshot } from '../../../server/raft/index.js';

/** Every message type, local ones included: the codec carries any of them (the receiver filters). */
export const ALL_MESSAGE_TYPES: readonly MessageType[] = [
  'hup', 'beat', 'prop', 'app', 'appResp', 'vote', 'voteResp', 'snap', 'heartbeat', 'heartbeatResp', 'unreachable',
  'snapStatus', 'checkQuorum', 'transferLeader', 'timeoutNow', 'readIndex', 'readIndexResp', 'preVote', 'preVoteResp',
  'forgetLeader',
];

/** Any well-formed string: every code point, BOM and NUL included. */
export const anyString = (maxLength: number): fc.Arbitrary<string> => fc.string({ unit: 'binary', maxLength });

/** Safe integers with the edges (0, 2^32 boundaries, 2^53 - 1) drawn often. */
export const safeNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, 1, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER),
  fc.maxSafeNat(),
);

/** Records with Object.prototype, like the Raft core builds them (deep equality compares prototypes). */
const plain = { noNullPrototype: true } as const;

const bytes = fc.uint8Array({ maxLength: 48 });

const entry: fc.Arbitrary<Entry> = fc.record({
  term: safeNumber,
  index: safeNumber,
  type: fc.constantFrom('normal' as const, 'confChange' as const),
  data: bytes,
}, plain);

const ids = fc.array(anyString(6), { maxLength: 4 });
const confState: fc.Arbitrary<ConfState> = fc.record({ voters: ids, votersOutgoing: ids, learners: ids, learnersNext: ids, autoLeave: fc.boolean() }, plain);

const snapshot: fc.Arbitrary<Snapshot> = fc.record({
  metadata: fc.record({ index: safeNumber, term: safeNumber, confState }, plain),
  data: bytes,
}, plain);

/** Any Message the codec must carry exactly. */
export const anyMessage: fc.Arbitrary<Message> = fc.record({
  type: fc.constantFrom(...ALL_MESSAGE_TYPES),
  from: anyString(8),
  to: anyString(8),
  term: safeNumber,
  logTerm: safeNumber,
  index: safeNumber,
  entries: fc.array(entry, { maxLength: 4 }),
  commit: safeNumber,
  reject: fc.boolean(),
  rejectHint: safeNumber,
  snapshot: fc.option(snapshot, { nil: null }),
  context: anyString(12),
}, plain);

/** A non-empty batch of messages. */
export const anyBatch: fc.Arbitrary<Message[]> = fc.array(anyMessage, { minLength: 1, maxLength: 4 });

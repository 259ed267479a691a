import assert from 'node:assert/strict';
import { Bitset } from './bitset.js';
import { EntryList, type Entry } from './entry-list.js';
import { kvModel, type KvOperation, type KvState } from './kv-model.js';
import { searchPartition } from './search.js';
import { checkOperations } from './checker.js';
import { toKvOperations } from './history.js';
import { get, put } from './history-builder.js';

function listOrder(list: EntryList): string[] {
  const order: string[] = [];
  for (let entry: Entry | null = list.first; entry !== null; entry = entry.next) {
    order.push(`${entry.kind === 'call' ? 'c' : 'r'}${entry.opIndex}`);
  }
  return order;
}

describe('checker: building blocks', () => {
  describe('Bitset', () => {
    it('gives equal sets equal hashes whatever the insertion order', () => {
      const a = new Bitset(100);
      const b = new Bitset(100);
      [3, 64, 99, 0].forEach((bit) => a.set(bit));
      [0, 99, 3, 64].forEach((bit) => b.set(bit));
      assert.ok(a.equals(b));
      assert.equal(a.hash, b.hash);
      assert.equal(a.count, 4);
      b.clear(64);
      assert.ok(!a.equals(b));
      assert.ok(!b.has(64) && b.has(99));
    });

    it('refuses double sets, double clears and out-of-range bits', () => {
      const set = new Bitset(8);
      set.set(1);
      assert.throws(() => set.set(1));
      assert.throws(() => set.clear(2));
      assert.throws(() => set.has(8), RangeError);
    });

    it('clones independently', () => {
      const set = new Bitset(40);
      set.set(33);
      const copy = set.clone();
      set.clear(33);
      assert.ok(copy.has(33) && !set.has(33));
    });
  });

  describe('EntryList', () => {
    it('orders by time with calls before returns at equal times, unknown returns last', () => {
      const list = EntryList.fromIntervals([
        { call: 0, return: 5 },
        { call: 5, return: 6 },
        { call: 1, return: Infinity },
      ]);
      assert.deepEqual(listOrder(list), ['c0', 'c2', 'c1', 'r0', 'r1', 'r2']);
    });

    it('lifts and unlifts operations in LIFO order, restoring the list exactly', () => {
      const list = EntryList.fromIntervals([
        { call: 0, return: 1 },
        { call: 0, return: 3 },
        { call: 2, return: 4 },
      ]);
      const before = listOrder(list);
      list.lift(list.calls[1]!);
      list.lift(list.calls[0]!);
      assert.deepEqual(listOrder(list), ['c2', 'r2']);
      assert.throws(() => list.unlift(list.calls[1]!), /LIFO/);
      list.unlift(list.calls[0]!);
      list.unlift(list.calls[1]!);
      assert.deepEqual(listOrder(list), before);
    });

    it('rejects an interval that returns before its call', () => {
      assert.throws(() => EntryList.fromIntervals([{ call: 2, return: 1 }]), RangeError);
    });
  });

  describe('searchPartition', () => {
    it('returns a linearization order that respects real time and the model', () => {
      const operations = toKvOperations([put('x', 'a', [0, 10]), put('x', 'b', [1, 2]), get('x', 'a', [11, 12])]);
      const outcome = searchPartition(kvModel, operations, { stepsMax: 1000 });
      assert.equal(outcome.kind, 'linearizable');
      assert.deepEqual(outcome.kind === 'linearizable' && outcome.order, [1, 0, 2]);
    });

    it('stops with unknown after exactly stepsMax steps', () => {
      const operations: KvOperation[] = toKvOperations(
        Array.from({ length: 12 }, (_, i) => put('x', `v${i}`, [0, 100])).concat([get('x', 'nobody', [101, 102])]),
      );
      const outcome = searchPartition(kvModel, operations, { stepsMax: 50 });
      assert.deepEqual(outcome, { kind: 'unknown', steps: 50 });
    });

    it('prunes repeated configurations with the memo cache', () => {
      // n concurrent writes of the same value: every order reaches the same state, so memoization
      // keeps the search to the 2^n subsets (a few steps each) instead of n! orders before the bad
      // read fails.
      const n = 10;
      const records = Array.from({ length: n }, () => put('x', 'same', [0, 100]));
      const operations = toKvOperations([...records, get('x', 'other', [101, 102])]);
      const outcome = searchPartition(kvModel, operations, { stepsMax: 1_000_000 });
      assert.equal(outcome.kind, 'violation');
      assert.ok(outcome.steps <= 3 * (n + 2) * 2 ** n, `steps ${outcome.steps}`);
    });

    it('is deterministic: the same history takes the same number of steps', () => {
      const operations = toKvOperations(Array.from({ length: 8 }, (_, i) => put('x', `v${i % 3}`, [i, i + 5])));
      const first = searchPartition(kvModel, operations, { stepsMax: 100_000 });
      const second = searchPartition(kvModel, operations, { stepsMax: 100_000 });
      assert.deepEqual(first, second);
    });
  });

  describe('kvModel', () => {
    const empty: KvState = kvModel.init();

    it('forks an unknown write into "applied" and "not applied"', () => {
      const result = kvModel.step(empty, { op: 'put', key: 'x', value: 'a' }, { unknown: true });
      assert.ok(result.ok && 'states' in result);
      assert.deepEqual(result.states.map((state) => kvModel.describeState(state)), ['every key absent', '"x" = "a"']);
    });

    it('does not fork an unknown cas whose comparison fails', () => {
      const result = kvModel.step(empty, { op: 'cas', key: 'x', expected: 'a', value: 'b' }, { unknown: true });
      assert.deepEqual(result, { ok: true, states: [empty] });
    });

    it('hashes and compares states by content', () => {
      const a = kvModel.step(empty, { op: 'put', key: 'x', value: 'a' }, {});
      const b = kvModel.step(empty, { op: 'put', key: 'x', value: 'a' }, {});
      assert.ok(a.ok && 'state' in a && b.ok && 'state' in b);
      assert.ok(kvModel.equal(a.state, b.state) && kvModel.hash(a.state) === kvModel.hash(b.state));
      assert.ok(!kvModel.equal(a.state, empty) && kvModel.hash(a.state) !== kvModel.hash(empty));
    });

    it('describes operations for reports', () => {
      const describe = (record: Parameters<typeof toKvOperations>[0][number]) => {
        const [operation] = toKvOperations([record]);
        return kvModel.describeOperation(operation!.input, operation!.output);
      };
      assert.equal(describe(get('k', null, [0, 1])), 'get("k") -> null');
      assert.equal(describe(put('k', 'v', [0, null])), 'put("k", "v") -> unknown');
    });
  });

  describe('checkOperations', () => {
    it('shares one step budget across partitions and names the partition it ran out in', () => {
      const operations = toKvOperations([put('a', '1', [0, 1]), put('b', '1', [0, 1]), get('b', '1', [2, 3])]);
      const stepsForA = checkOperations(kvModel, operations.slice(0, 1)).steps;
      const result = checkOperations(kvModel, operations, { stepsMax: stepsForA + 1 });
      assert.equal(result.verdict, 'unknown');
      assert.equal(result.verdict === 'unknown' && result.partitionKey, 'b');
      assert.equal(result.steps, stepsForA + 1);
    });
  });
});

import assert from 'node:assert/strict';
import { toKvOperations, type KvHistoryRecord } from './history.js';
import { cas, del, get, put } from './history-builder.js';
import { kvModel } from './kv-model.js';
import { dropUnobservableUnknownWrites } from './kv-simplify.js';
import { checkOperations } from './checker.js';

function keptIds(records: KvHistoryRecord[]): number[] {
  return dropUnobservableUnknownWrites(toKvOperations(records)).map((operation) => operation.id);
}

describe('checker: KV simplification and read-only pruning', () => {
  it('drops a timed-out put whose value nobody read', () => {
    assert.deepEqual(keptIds([put('x', 'a', [0, 1]), put('x', 'lost', [2, null]), get('x', 'a', [3, 4])]), [0, 2]);
  });

  it('keeps a timed-out put whose value was read or compared', () => {
    assert.deepEqual(keptIds([put('x', 'seen', [0, null]), get('x', 'seen', [3, 4])]), [0, 1]);
    assert.deepEqual(keptIds([put('x', 'seen', [0, null]), cas('x', 'seen', 'b', false, [3, 4])]), [0, 1]);
  });

  it('keeps every timed-out write of a key with a failed cas or a reported delete', () => {
    // Either could be explained by the timed-out write making the value different or present.
    assert.deepEqual(keptIds([put('x', 'a', [0, null]), cas('x', 'z', 'b', false, [3, 4])]), [0, 1]);
    assert.deepEqual(keptIds([put('x', 'a', [0, null]), del('x', [3, 4], true)]), [0, 1]);
  });

  it('drops a timed-out delete unless absence was observed', () => {
    assert.deepEqual(keptIds([put('x', 'a', [0, 1]), del('x', [2, null]), get('x', 'a', [3, 4])]), [0, 2]);
    assert.deepEqual(keptIds([put('x', 'a', [0, 1]), del('x', [2, null]), get('x', null, [3, 4])]), [0, 1, 2]);
  });

  it('repeats until nothing changes: a dropped timed-out cas no longer observes its expected value', () => {
    const records = [put('x', 'a', [0, null]), cas('x', 'a', 'b', true, [1, null]), get('x', null, [2, 3])];
    assert.deepEqual(keptIds(records), [2]);
  });

  it('declares reads, failed cas and "not found" deletes read-only, and nothing with an unknown outcome', () => {
    const readOnly = (record: KvHistoryRecord) => {
      const [operation] = toKvOperations([record]);
      return kvModel.readOnly!(operation!.input, operation!.output);
    };
    assert.deepEqual(
      [get('x', 'a', [0, 1]), cas('x', 'a', 'b', false, [0, 1]), del('x', [0, 1], false)].map(readOnly),
      [true, true, true],
    );
    assert.deepEqual(
      [put('x', 'a', [0, 1]), cas('x', 'a', 'b', true, [0, 1]), del('x', [0, 1]), del('x', [0, 1], true), put('x', 'a', [0, null])].map(readOnly),
      [false, false, false, false, false],
    );
  });

  it('takes matching concurrent reads without branching on them', () => {
    // Twelve reads overlap two writes; without the read-only rule the search branches on their order.
    const records = [
      put('x', 'a', [0, 1]),
      put('x', 'b', [2, 30]),
      ...Array.from({ length: 12 }, (_, i) => get('x', i % 2 === 0 ? 'a' : 'b', [3 + i, 40 + i])),
      get('x', 'wrong', [100, 101]),
    ];
    const operations = toKvOperations(records);
    const withRule = checkOperations(kvModel, operations, { minimise: false });
    assert.equal(withRule.verdict, 'violation');
    assert.ok(withRule.steps < 200, `steps ${withRule.steps}`);
    const plain = checkOperations({ ...kvModel, readOnly: undefined }, operations, { minimise: false, stepsMax: 5_000_000 });
    assert.equal(plain.verdict, 'violation');
    assert.ok(plain.steps > 50 * withRule.steps, `${plain.steps} vs ${withRule.steps}`);
  });
});

import assert from 'node:assert/strict';
import { checkKvHistory, type KvHistoryRecord } from './history.js';
import { cas, del, failed, get, put, timedOut } from './history-builder.js';
import type { CheckResult, CheckViolation } from './checker.js';
import type { KvInput, KvOutput } from './kv-model.js';

function check(records: KvHistoryRecord[]): CheckResult<KvInput, KvOutput> {
  return checkKvHistory(records, { stepsMax: 100_000 });
}

function assertLinearizable(records: KvHistoryRecord[]): void {
  const result = check(records);
  assert.equal(result.verdict, 'ok', result.verdict === 'violation' ? result.explanation : JSON.stringify(result));
}

/** Asserts a violation whose minimised witness is exactly the records at `witnessIndices`. */
function assertViolation(records: KvHistoryRecord[], witnessIndices?: number[]): CheckViolation<KvInput, KvOutput> {
  const result = check(records);
  assert.equal(result.verdict, 'violation', JSON.stringify(result));
  if (result.verdict !== 'violation') throw new Error('unreachable');
  assert.equal(result.minimal, true);
  if (witnessIndices !== undefined) {
    assert.deepEqual(result.operations.map((operation) => operation.id).sort((a, b) => a - b), witnessIndices);
  }
  return result;
}

describe('checker: hand-made KV histories', () => {
  it('accepts the empty history in zero steps', () => {
    assert.deepEqual(check([]), { ok: true, verdict: 'ok', steps: 0, partitions: 0 });
  });

  it('accepts a sequential put, get, delete, get', () => {
    assertLinearizable([put('x', 'a', [0, 1]), get('x', 'a', [2, 3]), del('x', [4, 5], true), get('x', null, [6, 7])]);
  });

  it('reads an absent key as null', () => {
    assertLinearizable([get('x', null, [0, 1])]);
    assertViolation([get('x', 'a', [0, 1])], [0]);
  });

  describe('stale reads', () => {
    it('rejects reading an overwritten value, and keeps the writers in the witness', () => {
      const result = assertViolation(
        [put('x', 'a', [0, 1]), put('x', 'b', [2, 3]), get('x', 'b', [4, 5]), get('x', 'a', [6, 7]), put('x', 'c', [8, 9])],
        [0, 1, 3],
      );
      assert.match(result.explanation, /#3 get\("x"\) -> "a" is illegal from "x" = "b"/);
    });

    it('rejects a read that sees a write from the future', () => {
      assertViolation([get('x', 'a', [0, 1]), put('x', 'a', [2, 3])], [0]);
    });

    it('rejects a read that goes back in time after another client saw the new value', () => {
      // The write is still in flight, so each read alone is fine; together they are not.
      assertViolation([put('x', 'a', [0, 1]), put('x', 'b', [2, 20]), get('x', 'b', [3, 4]), get('x', 'a', [5, 6])], [0, 1, 2, 3]);
    });

    it('accepts either value while the write is in flight', () => {
      assertLinearizable([put('x', 'a', [0, 1]), put('x', 'b', [2, 20]), get('x', 'a', [3, 4]), get('x', 'b', [5, 6])]);
    });
  });

  describe('lost writes', () => {
    it('rejects an acknowledged write that a later read does not see', () => {
      assertViolation([put('x', 'a', [0, 1]), get('x', null, [2, 3])], [0, 1]);
    });

    it('rejects two completed concurrent writes whose final value flips between reads', () => {
      assertViolation(
        [put('x', 'a', [0, 10]), put('x', 'b', [0, 10]), get('x', 'a', [11, 12]), get('x', 'b', [13, 14])],
        [0, 1, 2, 3],
      );
    });
  });

  describe('concurrent writes', () => {
    it('accepts both orders of two concurrent writes', () => {
      assertLinearizable([put('x', 'a', [0, 10]), put('x', 'b', [0, 10]), get('x', 'a', [11, 12])]);
      assertLinearizable([put('x', 'a', [0, 10]), put('x', 'b', [0, 10]), get('x', 'b', [11, 12])]);
    });

    it('does not treat a write of the current value as a no-op that could move earlier', () => {
      // put "v" #2 changes nothing right after #0, but it must come after put "w" for the read.
      assertLinearizable([put('x', 'v', [0, 1]), put('x', 'w', [2, 10]), put('x', 'v', [3, 10]), get('x', 'v', [11, 12])]);
    });

    it('treats touching intervals as concurrent (closed intervals)', () => {
      assertLinearizable([put('x', 'a', [0, 5]), get('x', null, [5, 6])]);
      assertViolation([put('x', 'a', [0, 5]), get('x', null, [6, 7])], [0, 1]);
    });
  });

  describe('compare-and-swap', () => {
    it('accepts a successful cas and one that lost a race', () => {
      assertLinearizable([
        put('x', 'v0', [0, 1]),
        cas('x', 'v0', 'a', true, [2, 6]),
        cas('x', 'v0', 'b', false, [3, 5]),
        get('x', 'a', [7, 8]),
      ]);
    });

    it('rejects two successful cas from the same expected value', () => {
      assertViolation([put('x', 'v0', [0, 1]), cas('x', 'v0', 'a', true, [2, 5]), cas('x', 'v0', 'b', true, [2, 5])], [0, 1, 2]);
    });

    it('rejects a cas that failed although the value matched throughout', () => {
      assertViolation([put('x', 'a', [0, 1]), cas('x', 'a', 'b', false, [2, 3])], [0, 1]);
    });

    it('rejects a cas that succeeded against a value that was not there', () => {
      assertViolation([put('x', 'a', [0, 1]), cas('x', 'z', 'b', true, [2, 3])]);
    });

    it('treats expected null as "key absent"', () => {
      assertLinearizable([cas('x', null, 'a', true, [0, 1]), cas('x', null, 'b', false, [2, 3]), get('x', 'a', [4, 5])]);
      assertViolation([put('x', 'a', [0, 1]), cas('x', null, 'b', true, [2, 3])], [0, 1]);
    });

    it('rejects a read of a value whose cas reported failure', () => {
      assertViolation([put('x', 'v0', [0, 1]), cas('x', 'v1', 'a', false, [2, 3]), get('x', 'a', [4, 5])]);
    });
  });

  describe('delete', () => {
    it('rejects a read of the old value after the delete returned', () => {
      assertViolation([put('x', 'a', [0, 1]), del('x', [2, 3]), get('x', 'a', [4, 5])], [0, 1, 2]);
    });

    it('checks the deleted flag when it is reported', () => {
      assertLinearizable([del('x', [0, 1], false), put('x', 'a', [2, 3]), del('x', [4, 5], true)]);
      assertViolation([put('x', 'a', [0, 1]), del('x', [2, 3], false)], [0, 1]);
      assertViolation([del('x', [0, 1], true)], [0]);
    });
  });

  describe('operations with an unknown outcome', () => {
    it('assumes a timed-out write applied when a later read shows it', () => {
      assertLinearizable([put('x', 'a', [0, null]), get('x', 'a', [5, 6])]);
    });

    it('assumes a timed-out write not applied when reads never show it', () => {
      assertLinearizable([put('x', 'a', [0, null]), get('x', null, [5, 6]), put('x', 'b', [7, 8]), get('x', 'b', [9, 10])]);
    });

    it('lets a timed-out write take effect after the client gave up', () => {
      assertLinearizable([timedOut(put('x', 'a', [0, 5])), get('x', null, [6, 7]), get('x', 'a', [8, 9])]);
    });

    it('never lets a timed-out write take effect before its call', () => {
      assertViolation([get('x', 'a', [0, 1]), put('x', 'a', [2, null])], [0]);
    });

    it('lets a timed-out write take effect at most once', () => {
      assertViolation(
        [put('x', 'a', [0, null]), put('x', 'b', [2, 3]), get('x', 'a', [4, 5]), get('x', 'b', [6, 7])],
        [0, 1, 2, 3],
      );
    });

    it('applies a timed-out cas only if its comparison can succeed', () => {
      assertLinearizable([put('x', 'v0', [0, 1]), cas('x', 'v0', 'a', true, [2, null]), get('x', 'a', [6, 7])]);
      assertViolation([put('x', 'v0', [0, 1]), put('x', 'v1', [2, 3]), cas('x', 'v0', 'a', true, [4, null]), get('x', 'a', [6, 7])]);
    });

    it('allows a timed-out delete to be applied or not', () => {
      assertLinearizable([put('x', 'a', [0, 1]), del('x', [2, null]), get('x', 'a', [3, 4]), get('x', null, [5, 6])]);
      assertViolation([put('x', 'a', [0, 1]), del('x', [2, null]), get('x', null, [3, 4]), get('x', 'a', [5, 6])]);
    });

    it('ignores a timed-out read whatever it would have returned', () => {
      assertLinearizable([put('x', 'a', [0, 1]), get('x', 'zzz', [2, null])]);
    });

    it('treats a failed write as definitely not applied', () => {
      assertLinearizable([failed(put('x', 'a', [0, 1])), get('x', null, [2, 3])]);
      assertViolation([failed(put('x', 'a', [0, 1])), get('x', 'a', [2, 3])], [1]);
    });
  });

  describe('minimised witnesses', () => {
    it('report a read of a value nobody wrote alone, not the operations its removal breaks', () => {
      const records = [
        del('c', [5, 5], false),
        put('c', 'v1', [15, 15]),
        get('c', 'never-written', [25, 25]),
        del('c', [35, 35], true),
        get('c', null, [45, 45]),
      ];
      assertViolation(records, [2]);
    });

    it('keep a failed cas together with the write that made it fail', () => {
      assertViolation([put('x', 'a', [0, 1]), put('x', 'b', [2, 3]), cas('x', 'b', 'c', false, [4, 5]), get('x', 'b', [6, 7])], [0, 1, 2]);
    });
  });

  describe('partitions', () => {
    const linearizableX = [put('x', 'a', [0, 1]), get('x', 'a', [2, 3])];
    const staleY = [put('y', 'a', [0, 1]), put('y', 'b', [2, 3]), get('y', 'a', [4, 5])];

    it('checks each key on its own and reports the violating key only', () => {
      const result = assertViolation([...linearizableX, ...staleY], [2, 3, 4]);
      assert.equal(result.partitionKey, 'y');
      assert.ok(result.operations.every((operation) => operation.input.key === 'y'));
    });

    it('counts the partitions of a linearizable history', () => {
      const result = check([...linearizableX, put('y', 'a', [0, 1]), get('z', null, [0, 1])]);
      assert.equal(result.verdict, 'ok');
      assert.equal(result.verdict === 'ok' && result.partitions, 3);
    });

    it('reaches the same verdicts without partitioning', () => {
      const whole = (records: KvHistoryRecord[]) => checkKvHistory(records, { partition: false }).verdict;
      assert.equal(whole([...linearizableX, ...staleY]), 'violation');
      assert.equal(whole([...linearizableX, put('y', 'a', [0, 1])]), 'ok');
    });

    it('does not let a value of one key explain a read of another', () => {
      assertViolation([put('x', 'a', [0, 1]), get('y', 'a', [2, 3])], [1]);
    });
  });
});

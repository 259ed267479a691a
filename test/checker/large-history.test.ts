import assert from 'node:assert/strict';
import { checkKvHistory, type KvHistoryRecord } from './history.js';
import { generateLinearizableHistory, type GeneratorOptions } from './history-generator.js';

/**
 * 10,000 operations from 12 clients on 6 keys, about 1 % timeouts: per key roughly 1,700 operations
 * with 2 to 5 in flight at once, the shape of a busy etcd-style run. Seeded, so the verdict and the
 * step counts are exact; the bounds leave room for harmless changes to the search order.
 */
const shape: Partial<GeneratorOptions> = {
  seed: 7,
  operations: 10_000,
  clients: 12,
  keys: 6,
  latencyTicksMax: 20,
  thinkTicksMax: 5,
  unknownPerMille: 10,
};

/** Bounds on search steps, about 20 % above the figures measured (README.md). */
const linearizableStepsMax = 60_000;
const violationStepsMax = 1_300_000;
/** Budget for the violation: the enumerating search gets a fifth, then the deferring one the rest. */
const violationBudget = 1_500_000;

/**
 * Mean number of operations on the same key in flight when an operation with a known outcome is
 * called, itself included (operations with unknown outcomes are left out: the checker sees them as
 * in flight until the end).
 */
function meanInFlightPerKey(records: readonly KvHistoryRecord[]): number {
  const known = records.filter((record) => !('unknown' in record.output));
  const ends = new Map<string, number[]>();
  let total = 0;
  for (const record of [...known].sort((a, b) => a.call - b.call)) {
    const open = (ends.get(record.key) ?? []).filter((end) => end >= record.call);
    open.push(record.return!);
    ends.set(record.key, open);
    total += open.length;
  }
  return total / known.length;
}

describe('checker: a generated 10,000-operation history', function () {
  this.timeout(20_000);
  let history: KvHistoryRecord[];

  before(() => {
    history = generateLinearizableHistory(shape);
  });

  it('has the intended shape: every client and key, concurrency and timeouts', () => {
    assert.equal(history.length, 10_000);
    assert.equal(new Set(history.map((record) => record.clientId)).size, 12);
    assert.equal(new Set(history.map((record) => record.key)).size, 6);
    const unknown = history.filter((record) => 'unknown' in record.output).length;
    assert.ok(unknown > 50 && unknown < 200, `${unknown} unknown outcomes`);
    const inFlight = meanInFlightPerKey(history);
    assert.ok(inFlight > 1.5 && inFlight < 6, `${inFlight} operations in flight per key`);
  });

  it('is linearizable, within a bounded number of search steps', () => {
    const result = checkKvHistory(history);
    assert.equal(result.verdict, 'ok', JSON.stringify(result).slice(0, 500));
    assert.equal(result.verdict === 'ok' && result.partitions, 6);
    assert.ok(result.steps <= linearizableStepsMax, `${result.steps} steps`);
  });

  it('finds one stale read among the 10,000 operations and reduces it to a handful', () => {
    // Pick a read late in the history and make it return a value that a later, completed write had
    // already replaced before the read began.
    const readIndex = history.findIndex(
      (record, i) => i > 8_000 && record.op === 'get' && 'value' in record.output && record.output.value !== null,
    );
    const read = history[readIndex]!;
    const overwritten = history.find(
      (writer) =>
        writer.op === 'put' &&
        writer.key === read.key &&
        writer.return !== null &&
        !('unknown' in writer.output) &&
        history.some(
          (later) =>
            later.op === 'put' &&
            later.key === read.key &&
            !('unknown' in later.output) &&
            later.return !== null &&
            writer.return! < later.call &&
            later.return < read.call,
        ),
    )!;
    const corrupted = history.map((record, i) => (i === readIndex ? { ...record, output: { value: overwritten.value! } } : record));
    const result = checkKvHistory(corrupted, { stepsMax: violationBudget });
    assert.equal(result.verdict, 'violation', JSON.stringify(result).slice(0, 500));
    if (result.verdict !== 'violation') return;
    assert.ok(result.steps <= violationStepsMax, `${result.steps} steps`);
    assert.equal(result.partitionKey, read.key);
    // The witness is the write the read returned, a write that definitely replaced it, and the read.
    const [first, replacement, last] = result.operations;
    assert.equal(result.operations.length, 3, result.explanation);
    assert.deepEqual([first!.id, last!.id], [history.indexOf(overwritten), readIndex]);
    assert.equal(replacement!.input.op, 'put');
    assert.ok(overwritten.return! < replacement!.call && replacement!.return < read.call);
    assert.ok(result.minimal);
    assert.ok(result.minimiseSteps < 5_000, `${result.minimiseSteps} steps to minimise`);
  });
});

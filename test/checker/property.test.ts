import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bruteForceLinearizable } from './brute-force-oracle.js';
import { checkKvHistory, toKvOperations, type KvHistoryRecord } from './history.js';
import { partitionOperations } from './checker.js';
import { kvModel } from './kv-model.js';
import { searchPartition, type SearchOptions } from './search.js';
import { applyToStore } from './history-generator.js';
import type { KvInput, KvOutput } from './kv-model.js';

/** Fixed by default so CI is reproducible; set FC_SEED to explore other cases. */
const seed = Number(process.env['FC_SEED'] ?? 20240601);
const runs = (numRuns: number) => ({ seed, numRuns });

// ---- Small arbitrary histories, compared with the brute-force oracle. ----

const smallValue = fc.constantFrom('1', '2', '3');
const smallRecord: fc.Arbitrary<KvHistoryRecord> = fc
  .record({
    op: fc.constantFrom('put', 'get', 'cas', 'delete'),
    key: fc.constantFrom('a', 'b'),
    value: smallValue,
    expected: fc.constantFrom(null, '1', '2'),
    read: fc.constantFrom(null, '1', '2', '3'),
    ok: fc.boolean(),
    deleted: fc.constantFrom(undefined, true, false),
    call: fc.integer({ min: 0, max: 20 }),
    duration: fc.integer({ min: 0, max: 8 }),
    outcome: fc.constantFrom('known', 'known', 'known', 'known', 'known', 'unknown', 'unknown', 'failed'),
    client: fc.integer({ min: 0, max: 3 }),
  })
  .map((r) => {
    const known: KvOutput =
      r.op === 'get' ? { value: r.read } : r.op === 'cas' ? { ok: r.ok } : r.op === 'delete' && r.deleted !== undefined ? { deleted: r.deleted } : {};
    const output = r.outcome === 'unknown' ? { unknown: true as const } : r.outcome === 'failed' ? { failed: true as const } : known;
    return {
      clientId: r.client,
      op: r.op,
      key: r.key,
      ...(r.op === 'put' || r.op === 'cas' ? { value: r.value } : {}),
      ...(r.op === 'cas' ? { expected: r.expected } : {}),
      call: r.call,
      return: r.outcome === 'unknown' && r.duration % 2 === 0 ? null : r.call + r.duration,
      output,
    };
  });

/** The verdict of one search mode alone, bypassing the portfolio of `decidePartition`. */
function verdictWith(records: readonly KvHistoryRecord[], unknownOutcomes: SearchOptions['unknownOutcomes']): boolean {
  return partitionOperations(kvModel, toKvOperations(records)).every(([, operations]) => {
    const outcome = searchPartition(kvModel, kvModel.simplify!(operations), { stepsMax: 1_000_000, unknownOutcomes });
    assert.notEqual(outcome.kind, 'unknown');
    return outcome.kind === 'linearizable';
  });
}

// ---- Linearizable-by-construction histories from a sequential reference execution. ----

interface PlannedOp {
  readonly op: 'put' | 'get' | 'cas' | 'delete';
  readonly key: string;
  readonly casMatches: boolean;
  readonly before: number;
  readonly after: number;
  readonly outcome: 'known' | 'unknown-applied' | 'unknown-lost' | 'failed';
}

const plannedOp: fc.Arbitrary<PlannedOp> = fc.record({
  op: fc.constantFrom('put', 'get', 'get', 'cas', 'delete'),
  key: fc.constantFrom('a', 'b', 'c'),
  casMatches: fc.boolean(),
  before: fc.integer({ min: 0, max: 30 }),
  after: fc.integer({ min: 0, max: 30 }),
  outcome: fc.constantFrom('known', 'known', 'known', 'known', 'known', 'known', 'unknown-applied', 'unknown-lost', 'failed'),
});

/**
 * Operation i takes effect at time 10 i + 5, inside an interval stretched by `before` and `after`,
 * so the intervals overlap heavily while the sequential order stays a valid linearization.
 * Written values are unique (`v<i>`).
 */
function buildHistory(plan: readonly PlannedOp[]): KvHistoryRecord[] {
  const store = new Map<string, string>();
  return plan.map((step, i) => {
    const point = 10 * i + 5;
    const current = store.get(step.key) ?? null;
    const input: KvInput =
      step.op === 'get'
        ? { op: 'get', key: step.key }
        : step.op === 'delete'
          ? { op: 'delete', key: step.key }
          : step.op === 'put'
            ? { op: 'put', key: step.key, value: `v${i}` }
            : { op: 'cas', key: step.key, expected: step.casMatches ? current : `never-${i}`, value: `v${i}` };
    const takesEffect = step.outcome === 'known' || step.outcome === 'unknown-applied';
    const output = takesEffect ? applyToStore(store, input) : {};
    const base = { clientId: i % 5, ...input, call: point - step.before };
    if (step.outcome === 'known') return { ...base, return: point + step.after, output };
    if (step.outcome === 'failed') return { ...base, return: point + step.after, output: { failed: true } };
    return { ...base, return: step.after % 3 === 0 ? null : point + step.after, output: { unknown: true } };
  });
}

function knownRecord(record: KvHistoryRecord): boolean {
  return !('unknown' in record.output) && !('failed' in record.output) && record.return !== null;
}

/**
 * Values a read can definitely not return, given unique written values: never written; written only
 * by an operation called after the read returned; or written by a known write that a later known
 * write or delete of the same key definitely followed, before the read was called.
 */
function unexplainableValues(records: readonly KvHistoryRecord[], readIndex: number): string[] {
  const read = records[readIndex]!;
  const sameKey = records.filter((record) => record.key === read.key);
  const writers = sameKey.filter((record) => record.op === 'put' || record.op === 'cas');
  const overwrites = sameKey.filter(
    (record) => knownRecord(record) && (record.op === 'put' || record.op === 'delete' || (record.op === 'cas' && 'ok' in record.output && record.output.ok)),
  );
  const future = writers.filter((writer) => writer.call > read.return!).map((writer) => writer.value!);
  const stale = writers
    .filter((writer) => knownRecord(writer) && !(writer.op === 'cas' && 'ok' in writer.output && !writer.output.ok))
    .filter((writer) => overwrites.some((later) => writer.return! < later.call && later.return! < read.call))
    .map((writer) => writer.value!);
  return ['never-written', ...future, ...stale];
}

describe('checker: properties', function () {
  this.timeout(30_000);

  it('agrees with a brute-force oracle on small random histories', () => {
    let linearizable = 0;
    let total = 0;
    fc.assert(
      fc.property(fc.array(smallRecord, { maxLength: 7 }), (records) => {
        const expected = bruteForceLinearizable(records);
        const result = checkKvHistory(records, { stepsMax: 1_000_000 });
        assert.equal(result.verdict, expected ? 'ok' : 'violation');
        assert.equal(checkKvHistory(records, { partition: false, minimise: false }).verdict, result.verdict);
        assert.equal(verdictWith(records, 'defer'), expected, 'deferring search');
        assert.equal(verdictWith(records, 'enumerate'), expected, 'enumerating search');
        if (result.verdict === 'violation') {
          assert.equal(bruteForceLinearizable(result.operations.map((op) => records[op.id]!)), false, 'witness must fail');
        }
        total += 1;
        if (expected) linearizable += 1;
      }),
      runs(1500),
    );
    // Both verdicts must be well represented, or the comparison proves little.
    assert.ok(linearizable > total * 0.2 && linearizable < total * 0.8, `${linearizable} of ${total} linearizable`);
  });

  it('accepts concurrent histories built from a sequential execution', () => {
    fc.assert(
      fc.property(fc.array(plannedOp, { minLength: 1, maxLength: 60 }), (plan) => {
        const records = buildHistory(plan);
        const result = checkKvHistory(records, { stepsMax: 1_000_000 });
        assert.equal(result.verdict, 'ok', result.verdict === 'violation' ? result.explanation : undefined);
        assert.ok(verdictWith(records, 'defer'));
      }),
      runs(300),
    );
  });

  it('rejects such a history once one read is corrupted beyond explanation, and points at it', () => {
    const corruption = fc.record({
      plan: fc.array(plannedOp, { minLength: 1, maxLength: 60 }),
      readPick: fc.nat(),
      valuePick: fc.nat(),
    });
    fc.assert(
      fc.property(corruption, ({ plan, readPick, valuePick }) => {
        const records = buildHistory(plan);
        const reads = records.flatMap((record, index) => (record.op === 'get' && knownRecord(record) ? [index] : []));
        fc.pre(reads.length > 0);
        const readIndex = reads[readPick % reads.length]!;
        const candidates = unexplainableValues(records, readIndex);
        const value = candidates[valuePick % candidates.length]!;
        const corrupted = records.map((record, index) => (index === readIndex ? { ...record, output: { value } } : record));
        const result = checkKvHistory(corrupted, { stepsMax: 1_000_000 });
        assert.equal(result.verdict, 'violation');
        assert.ok(!verdictWith(corrupted, 'defer'));
        if (result.verdict !== 'violation') return;
        assert.equal(result.partitionKey, records[readIndex]!.key);
        assert.ok(result.minimal);
        assert.ok(result.operations.some((op) => op.id === readIndex), 'the witness contains the corrupted read');
        assert.equal(checkKvHistory(result.operations.map((op) => corrupted[op.id]!)).verdict, 'violation');
      }),
      runs(300),
    );
  });
});

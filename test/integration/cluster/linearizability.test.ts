import assert from 'node:assert/strict';
import { checkKvHistory, type KvHistoryRecord } from '../../checker/history.js';
import { checkWriteOutcomes, runLinearizabilityScenario, saveFailure, summarise, type LinearizabilityOutcome } from '../helpers/linearizability-scenario.js';

/** The seed of this run (SYNOD_SEED overrides it); `npm run chaos -- --minutes N` tries many. */
const SEED = Number(process.env['SYNOD_SEED'] ?? 20_260_101);
const TRAFFIC_MS = 30_000;

/** True for a write that completed with a known effect: a put, or a cas that swapped. */
function knownWriteOf(record: KvHistoryRecord): string | null {
  if (record.return === null) return null;
  if (record.op === 'put' && !('unknown' in record.output) && !('failed' in record.output)) return record.value!;
  if (record.op === 'cas' && 'ok' in record.output && record.output.ok === true) return record.value!;
  return null;
}

/**
 * Finds a read that can be turned into a stale read which no linearization explains: a read `g` of
 * value X whose write W_X completed before `g` was called, and an older write W_O (value O) that
 * completed before W_X was called. Values are unique, so O exists only from W_O, which precedes W_X,
 * which precedes g: reading O in g is impossible. Returns the index of g and the stale value O.
 */
export function findStaleReadCorruption(history: readonly KvHistoryRecord[]): { index: number; staleValue: string } | null {
  const writerOf = new Map<string, KvHistoryRecord>();
  for (const record of history) {
    const value = knownWriteOf(record);
    if (value !== null) writerOf.set(`${record.key}\u0000${value}`, record);
  }
  for (let index = history.length - 1; index >= 0; index--) {
    const read = history[index]!;
    const seen = read.op === 'get' && 'value' in read.output ? read.output.value : null;
    if (typeof seen !== 'string') continue;
    const writer = writerOf.get(`${read.key}\u0000${seen}`);
    if (writer === undefined || writer.return! >= read.call) continue;
    const older = history.find((record) => record.key === read.key && knownWriteOf(record) !== null && record.return! < writer.call && knownWriteOf(record) !== seen);
    if (older !== undefined) return { index, staleValue: knownWriteOf(older)! };
  }
  return null;
}

describe('cluster: linearizability under faults (real processes, nemesis)', function () {
  this.timeout(240_000);
  let outcome: LinearizabilityOutcome | undefined;

  it('put / get / cas / delete through every member, while members are killed, paused, isolated and cut one way, give a linearizable history', async () => {
    outcome = await runLinearizabilityScenario({ seed: SEED, trafficMs: TRAFFIC_MS });
    console.log(`      ${summarise(outcome)}`);
    const report = (): string => saveFailure(outcome!, `SYNOD_SEED=${SEED} npm test -- --grep linearizability   or   npm run chaos -- --seed ${SEED}`);
    assert.equal(outcome.result.verdict, 'ok', report());
    assert.deepEqual(outcome.problems, [], report());
    // The run must have done something worth checking.
    assert.ok(outcome.faultsInjected >= 5, `only ${outcome.faultsInjected} faults injected`);
    assert.ok(outcome.stats.ok >= 500, `only ${outcome.stats.ok} operations completed`);
    assert.ok(outcome.stats.casSucceeded >= 20, `only ${outcome.stats.casSucceeded} cas succeeded`);
    assert.ok(outcome.applied.length > outcome.stats.casSucceeded, 'the applied history was read');
  });

  it('the checker rejects a copy of that real history in which one read answered an older value', () => {
    assert.ok(outcome !== undefined, 'the history of the previous test is needed');
    const corruption = findStaleReadCorruption(outcome.history);
    assert.ok(corruption !== null, 'the recorded history has a read that can be made stale');
    const corrupted = outcome.history.map((record, i) => (i === corruption.index ? { ...record, output: { value: corruption.staleValue } } : record));
    const result = checkKvHistory(corrupted);
    if (result.verdict !== 'violation') assert.fail(`the checker missed a stale read at record ${corruption.index}: ${result.verdict}`);
    assert.equal(result.partitionKey, outcome.history[corruption.index]!.key);
    assert.ok(result.operations.some((operation) => operation.id === corruption.index), 'the witness contains the corrupted read');
  });

  it('the write-outcome check rejects that real history with a write applied twice, or with an applied write recorded as failed', () => {
    assert.ok(outcome !== undefined, 'the history of the previous test is needed');
    assert.deepEqual(checkWriteOutcomes(outcome.history, outcome.applied), []);
    const index = outcome.history.findIndex((record) => record.op === 'put' && record.return !== null && !('failed' in record.output) && !('unknown' in record.output));
    assert.ok(index >= 0, 'the history has an acknowledged put');
    const put = outcome.history[index]!;
    const last = outcome.applied.at(-1)!;
    const twice = [...outcome.applied, { revision: last.revision + 1, events: [{ type: 'put' as const, key: put.key, value: put.value!, createRevision: 1, version: 1 }] }];
    assert.ok(checkWriteOutcomes(outcome.history, twice).some((problem) => problem.includes(`${put.key}=${put.value!} was applied 2 times`)));
    const failed = outcome.history.map((record, i) => (i === index ? { ...record, output: { failed: true as const } } : record));
    assert.ok(checkWriteOutcomes(failed, outcome.applied).some((problem) => problem.includes('recorded as definitely failed but applied')));
  });
});

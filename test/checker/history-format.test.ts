import assert from 'node:assert/strict';
import {
  HistoryFormatError,
  parseKvHistory,
  toJsonLines,
  toKvOperations,
  toKvRecord,
  validateKvHistory,
  type KvHistoryRecord,
} from './history.js';
import { cas, del, failed, get, put, timedOut } from './history-builder.js';
import { createLogicalClock, HistoryRecorder } from './recorder.js';

const sample: KvHistoryRecord[] = [
  put('x', 'a', [0, 1], 'c1'),
  get('x', 'a', [2, 3], 'c2'),
  cas('x', null, 'b', false, [4, 5], 3),
  del('x', [6, null], undefined, 4),
];

describe('checker: history format and recorder', () => {
  it('parses a JSON array and JSON lines to the same records', () => {
    assert.deepEqual(parseKvHistory(JSON.stringify(sample)), sample);
    assert.deepEqual(parseKvHistory(`\n${toJsonLines(sample)}\n\n`), sample);
  });

  it('reports every problem of a file at once, with record numbers', () => {
    const bad = [
      { clientId: 1, op: 'put', key: 'x', call: 0, return: 1, output: {} },
      { clientId: 1, op: 'get', key: 'x', call: 5, return: 4, output: { value: 3 } },
      { clientId: true, op: 'incr', key: 7, call: 0.5, return: null, output: {} },
      { clientId: 1, op: 'cas', key: 'x', value: 'b', call: 0, return: 1, output: { ok: true } },
    ];
    try {
      validateKvHistory(bad);
      assert.fail('expected a HistoryFormatError');
    } catch (error) {
      assert.ok(error instanceof HistoryFormatError);
      assert.deepEqual(error.problems, [
        'record 0: put needs value: string',
        'record 1: return is before call',
        'record 1: get output needs value: string | null',
        'record 2: clientId must be a number or string',
        'record 2: op must be one of put, get, cas, delete',
        'record 2: key must be a string',
        'record 2: call must be an integer',
        'record 2: return: null needs output { unknown: true }',
        'record 3: cas needs expected: string | null',
      ]);
    }
  });

  it('reports unparsable JSON lines by line number', () => {
    assert.throws(() => parseKvHistory('{"clientId":1}\n{oops\n'), (error: unknown) => {
      return error instanceof HistoryFormatError && /^line 2: not valid JSON/.test(error.problems[0] ?? '');
    });
  });

  it('turns unknown outcomes into open intervals and drops what constrains nothing', () => {
    const records = [put('x', 'a', [0, 1]), timedOut(put('x', 'b', [2, 9])), get('x', 'q', [3, null]), failed(del('x', [4, 5]))];
    const operations = toKvOperations(records);
    assert.deepEqual(
      operations.map((operation) => [operation.id, operation.return, operation.output]),
      [
        [0, 1, {}],
        [1, Infinity, { unknown: true }],
      ],
    );
    assert.deepEqual(toKvRecord(operations[1]!), { ...records[1]!, return: null });
  });

  describe('HistoryRecorder', () => {
    it('records calls and outcomes with the given clock, pending ones as unknown', () => {
      const recorder = new HistoryRecorder({ clock: createLogicalClock() });
      const write = recorder.invoke('c1', { op: 'put', key: 'x', value: 'a' });
      const read = recorder.invoke('c2', { op: 'get', key: 'x' });
      write.ok();
      read.ok({ value: 'a' });
      recorder.invoke('c3', { op: 'cas', key: 'x', expected: 'a', value: 'b' }).unknown();
      recorder.invoke('c4', { op: 'delete', key: 'x' }).fail();
      recorder.invoke('c5', { op: 'put', key: 'x', value: 'never answered' });
      assert.deepEqual(recorder.records(), [
        { clientId: 'c1', op: 'put', key: 'x', value: 'a', call: 1, return: 3, output: {} },
        { clientId: 'c2', op: 'get', key: 'x', call: 2, return: 4, output: { value: 'a' } },
        { clientId: 'c3', op: 'cas', key: 'x', expected: 'a', value: 'b', call: 5, return: 6, output: { unknown: true } },
        { clientId: 'c4', op: 'delete', key: 'x', call: 7, return: 8, output: { failed: true } },
        { clientId: 'c5', op: 'put', key: 'x', value: 'never answered', call: 9, return: null, output: { unknown: true } },
      ]);
      assert.deepEqual(parseKvHistory(recorder.toJsonLines()), recorder.records());
      assert.equal(recorder.check().verdict, 'ok');
    });

    it('refuses to settle an operation twice', () => {
      const recorder = new HistoryRecorder({ clock: createLogicalClock() });
      const pending = recorder.invoke(1, { op: 'get', key: 'x' });
      pending.ok({ value: null });
      assert.throws(() => pending.unknown(), /settled twice/);
    });

    it('enforces operationsMax', () => {
      const recorder = new HistoryRecorder({ operationsMax: 1 });
      recorder.invoke(1, { op: 'get', key: 'x' });
      assert.throws(() => recorder.invoke(1, { op: 'get', key: 'x' }), RangeError);
      assert.equal(recorder.size, 1);
    });

    it('uses an integer monotonic clock by default', () => {
      const recorder = new HistoryRecorder();
      recorder.invoke(1, { op: 'get', key: 'x' }).ok({ value: null });
      const [record] = recorder.records();
      assert.ok(Number.isSafeInteger(record!.call) && record!.return !== null && record!.return >= record!.call);
    });

    it('records a history the checker rejects when the store misbehaves', () => {
      const recorder = new HistoryRecorder({ clock: createLogicalClock() });
      recorder.invoke(1, { op: 'put', key: 'x', value: 'a' }).ok();
      recorder.invoke(2, { op: 'get', key: 'x' }).ok({ value: null });
      assert.equal(recorder.check().verdict, 'violation');
    });
  });
});

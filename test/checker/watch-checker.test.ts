import assert from 'node:assert/strict';
import {
  buildReference,
  checkAcknowledgedDelivered,
  checkAcknowledgedInReference,
  checkWatchStream,
  formatWatchViolations,
  prefixRange,
  type ReferenceRevision,
  type StreamItem,
  type WatchReference,
  type WatchStream,
  type WatchViolationKind,
} from './watch-checker.js';

/**
 * The history the streams below are checked against:
 *   2: put a/1=x        3: put a/2=y      4: txn { put a/1=z, put b/1=w }
 *   5: delete a/2       6: put a/2=v      7: txn { delete a/1, put a/3=u }
 */
const history: ReferenceRevision[] = [
  { revision: 2, events: [{ type: 'put', key: 'a/1', value: 'x', createRevision: 2, version: 1 }] },
  { revision: 3, events: [{ type: 'put', key: 'a/2', value: 'y', createRevision: 3, version: 1 }] },
  {
    revision: 4,
    events: [
      { type: 'put', key: 'a/1', value: 'z', createRevision: 2, version: 2 },
      { type: 'put', key: 'b/1', value: 'w', createRevision: 4, version: 1 },
    ],
  },
  { revision: 5, events: [{ type: 'delete', key: 'a/2', value: '', createRevision: 0, version: 0 }] },
  { revision: 6, events: [{ type: 'put', key: 'a/2', value: 'v', createRevision: 6, version: 1 }] },
  {
    revision: 7,
    events: [
      { type: 'delete', key: 'a/1', value: '', createRevision: 0, version: 0 },
      { type: 'put', key: 'a/3', value: 'u', createRevision: 7, version: 1 },
    ],
  },
];

const reference: WatchReference = buildReference(history);

/** The stream item of the event of `revision` on `key`, as the history has it (prevKv from the history). */
function event(revision: number, key: string, batch?: number, withPrev = false): StreamItem {
  const found = reference.find(revision, key);
  assert.ok(found, `no event ${revision} ${key} in the test history`);
  const { type, value, createRevision, version } = found;
  return { kind: 'event', type, key, value, createRevision, version, revision, ...(withPrev ? { prevKv: found.prev } : {}), ...(batch === undefined ? {} : { batch }) };
}

function progress(revision: number): StreamItem {
  return { kind: 'progress', revision };
}

/** A prefix watcher on a/ from revision 2 (no prevKv) receiving `items`. */
function prefixStream(items: StreamItem[], extra: Partial<WatchStream> = {}): WatchStream {
  return { id: 'w', range: prefixRange('a/'), startRevision: 2, prevKv: false, items, ...extra };
}

/** Every a/ event of the history in order, one batch per revision. */
const goodPrefixItems = (): StreamItem[] => [event(2, 'a/1', 2), event(3, 'a/2', 3), event(4, 'a/1', 4), event(5, 'a/2', 5), event(6, 'a/2', 6), event(7, 'a/1', 7), event(7, 'a/3', 7)];

function kinds(stream: WatchStream): WatchViolationKind[] {
  return checkWatchStream(reference, stream).map((violation) => violation.kind);
}

function assertClean(stream: WatchStream): void {
  const violations = checkWatchStream(reference, stream);
  assert.deepEqual(violations, [], formatWatchViolations(violations));
}

describe('checker: watch guarantees on hand-made streams', () => {
  describe('the reference history', () => {
    it('accepts a contiguous history whose versions and create revisions replay', () => {
      assert.deepEqual(reference.problems, []);
      assert.equal(reference.lastRevision, 7);
    });

    it('reports a missing revision, a revision going back, and versions the history does not give', () => {
      const broken = buildReference([
        history[0]!,
        history[2]!,
        { revision: 3, events: [{ type: 'put', key: 'c', value: '1', createRevision: 3, version: 2 }] },
      ]);
      const messages = broken.problems.map((problem) => problem.message);
      assert.equal(broken.problems.length, 3, messages.join('\n'));
      assert.ok(messages.some((m) => /revisions 3\.\.3 are missing/.test(m)));
      assert.ok(messages.some((m) => /revision 3 follows 4/.test(m)));
      assert.ok(messages.some((m) => /put of c at 3 has create revision 3 and version 2/.test(m)));
    });

    it('matches acknowledged writes against the history, txn events in order', () => {
      assert.deepEqual(checkAcknowledgedInReference(reference, [{ revision: 4, events: [{ type: 'put', key: 'a/1', value: 'z' }, { type: 'put', key: 'b/1', value: 'w' }] }]), []);
      const wrong = checkAcknowledgedInReference(reference, [
        { revision: 4, events: [{ type: 'put', key: 'b/1', value: 'w' }, { type: 'put', key: 'a/1', value: 'z' }] },
        { revision: 9, events: [{ type: 'put', key: 'a/9', value: 'q' }] },
      ]);
      assert.deepEqual(wrong.map((v) => v.revision), [4, 9]);
      assert.match(wrong[1]!.message, /missing/);
    });
  });

  describe('good streams', () => {
    it('a prefix watcher that got every event of its range once, in order, each revision in one batch', () => {
      assertClean(prefixStream(goodPrefixItems()));
    });

    it('a single-key watcher with prevKv, from a past start revision, with bookmarks', () => {
      assertClean({
        id: 'k',
        range: { key: 'a/2' },
        startRevision: 4,
        prevKv: true,
        items: [progress(4), event(5, 'a/2', undefined, true), progress(5), event(6, 'a/2', undefined, true), progress(7)],
      });
    });

    it('several revisions in one batch (a delivery may hold many revisions)', () => {
      assertClean(prefixStream(goodPrefixItems().map((item) => ({ ...item, batch: 1 }))));
    });

    it('a stream that only covers part of the history, when that is all it claims to cover', () => {
      assertClean(prefixStream(goodPrefixItems().slice(0, 3)));
      assertClean(prefixStream(goodPrefixItems().slice(0, 3), { coveredRevision: 4 }));
    });
  });

  describe('bad streams', () => {
    it('reordered: a later revision before an earlier one', () => {
      const items = goodPrefixItems();
      [items[1], items[2]] = [items[2]!, items[1]!];
      assert.deepEqual(kinds(prefixStream(items)), ['reordered']);
    });

    it('reordered: the events of one txn out of operation order', () => {
      const items = goodPrefixItems();
      [items[5], items[6]] = [items[6]!, items[5]!];
      assert.deepEqual(kinds(prefixStream(items)), ['reordered']);
    });

    it('duplicated: an event delivered again (e.g. a resumed watch restarting one revision too early)', () => {
      const items = goodPrefixItems();
      items.splice(4, 0, event(4, 'a/1', 4));
      assert.deepEqual(kinds(prefixStream(items)), ['duplicate']);
    });

    it('gap: a revision of the range missing in the middle', () => {
      const items = goodPrefixItems().filter((item) => item.revision !== 5);
      const violations = checkWatchStream(reference, prefixStream(items));
      assert.deepEqual(violations.map((v) => [v.kind, v.revision]), [['gap', 5]]);
    });

    it('gap: events missing at the end of what the stream claims to cover', () => {
      assert.deepEqual(kinds(prefixStream(goodPrefixItems().slice(0, 4), { coveredRevision: 7 })), ['gap', 'gap']);
    });

    it('gap: a watcher that should start at its start revision but starts later', () => {
      assert.deepEqual(kinds(prefixStream(goodPrefixItems().slice(1))), ['gap']);
    });

    it('split revision: only part of a txn delivered', () => {
      const items = goodPrefixItems().filter((item) => !(item.revision === 7 && item.kind === 'event' && item.key === 'a/3'));
      const violations = checkWatchStream(reference, prefixStream(items, { coveredRevision: 7 }));
      assert.deepEqual(violations.map((v) => [v.kind, v.revision]), [['split-revision', 7]]);
    });

    it('split revision: a txn delivered whole but in two deliveries', () => {
      const items = goodPrefixItems();
      items[6] = { ...items[6]!, batch: 8 };
      assert.deepEqual(kinds(prefixStream(items)), ['split-revision']);
    });

    it('bad bookmark: a progress notification before an event it claims was delivered', () => {
      const items = goodPrefixItems();
      items.splice(3, 0, progress(5));
      assert.deepEqual(kinds(prefixStream(items)), ['bad-bookmark', 'bad-bookmark']);
    });

    it('bad bookmark: a progress notification behind an event already delivered, or beyond the history', () => {
      const behind = goodPrefixItems();
      behind.splice(3, 0, progress(2));
      assert.deepEqual(kinds(prefixStream(behind)), ['bad-bookmark']);
      assert.deepEqual(kinds(prefixStream([...goodPrefixItems(), progress(9)])), ['bad-bookmark']);
    });

    it('an event outside the range, before the start revision, or one the history never had', () => {
      assert.deepEqual(kinds(prefixStream([event(4, 'b/1', 4), ...goodPrefixItems().slice(2)], { startRevision: 4 })), ['out-of-range']);
      assert.deepEqual(kinds(prefixStream(goodPrefixItems(), { startRevision: 3 })), ['before-start']);
      const phantom: StreamItem = { kind: 'event', type: 'put', key: 'a/9', value: 'q', createRevision: 8, version: 1, revision: 8 };
      assert.deepEqual(kinds(prefixStream([...goodPrefixItems(), phantom])), ['unknown-event']);
    });

    it('an event whose content or prevKv differs from the history', () => {
      const items = goodPrefixItems();
      items[2] = { ...(items[2] as Extract<StreamItem, { kind: 'event' }>), value: 'zz', version: 1 };
      assert.deepEqual(kinds(prefixStream(items)), ['mismatch']);
      const withPrev = goodPrefixItems().map((item) => (item.kind === 'event' ? event(item.revision, item.key, item.batch, true) : item));
      assertClean(prefixStream(withPrev, { prevKv: true }));
      withPrev[3] = { ...(withPrev[3] as Extract<StreamItem, { kind: 'event' }>), prevKv: null };
      assert.deepEqual(kinds(prefixStream(withPrev, { prevKv: true })), ['bad-prev-kv']);
    });
  });

  describe('acknowledged writes', () => {
    const writes = [
      { revision: 3, events: [{ type: 'put' as const, key: 'a/2', value: 'y' }] },
      { revision: 4, events: [{ type: 'put' as const, key: 'a/1', value: 'z' }, { type: 'put' as const, key: 'b/1', value: 'w' }] },
    ];

    it('are each delivered exactly once to a watcher of their keys', () => {
      assert.deepEqual(checkAcknowledgedDelivered(prefixStream(goodPrefixItems()), writes), []);
    });

    it('a missing or repeated acknowledged write is reported', () => {
      const missing = goodPrefixItems().filter((item) => item.revision !== 3);
      assert.deepEqual(checkAcknowledgedDelivered(prefixStream(missing), writes).map((v) => v.kind), ['gap']);
      const repeated = [...goodPrefixItems().slice(0, 3), event(4, 'a/1', 4), ...goodPrefixItems().slice(3)];
      assert.deepEqual(checkAcknowledgedDelivered(prefixStream(repeated), writes).map((v) => v.kind), ['duplicate']);
    });
  });
});

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkTxn, putRequest, rangeRequest, type MvccStore, type RangeRequest } from '../../../server/mvcc/index.js';
import { SynodError } from '../../../server/errors.js';
import { action, keys, pick, type Action } from './arbitraries.js';
import { Harness } from './helpers.js';
import { ReferenceModel } from './reference-model.js';

/** A call's answer or its error code and details, so that answers and failures compare alike. */
async function settle(call: () => unknown): Promise<unknown> {
  try {
    return { ok: await call() };
  } catch (error) {
    if (error instanceof SynodError) return { error: error.code, details: error.details };
    throw error;
  }
}

/** Reads compared at every revision once a history is written. */
const sweep: RangeRequest[] = [
  rangeRequest({ key: '\x00', rangeEnd: '\x00' }),
  rangeRequest({ key: 'a', rangeEnd: 'c', sortTarget: 'MOD', sortOrder: 'DESCEND', limit: 2 }),
  ...keys.map((key) => rangeRequest({ key })),
];

async function step(h: Harness, model: ReferenceModel, next: Action): Promise<void> {
  const both = async (label: string, store: () => unknown, reference: () => unknown): Promise<void> => {
    assert.deepEqual(await settle(store), await settle(reference), `${label}: ${JSON.stringify(next, replacer)}`);
  };
  switch (next.kind) {
    case 'put': {
      const { key, value, ...fields } = next.request;
      return both('put', () => h.put(key, value, fields), () => model.put(next.request));
    }
    case 'del': {
      const { key, rangeEnd, ...fields } = next.request;
      return both('delete', () => h.del(key, rangeEnd, fields), () => model.deleteRange(next.request));
    }
    case 'txn':
      // The apply layer only proposes txns that pass validation.
      if (!isValid(next.request)) return;
      return both('txn', () => h.txn(next.request), () => model.txn(next.request));
    case 'compact': {
      const revision = pick(next.at, 0, model.currentRevision + 1);
      return both('compact', () => h.compact(revision) >= 0, () => (model.compact(revision), true));
    }
    case 'read': {
      const request = { ...next.request, revision: pick(next.at, -1, model.currentRevision + 1) };
      return both('read', () => h.store.range(request), () => model.range(request));
    }
  }
}

function isValid(request: Parameters<typeof checkTxn>[0]): boolean {
  try {
    checkTxn(request, 128);
    return true;
  } catch {
    return false;
  }
}

/** Every sweep read at every revision from the compact revision to one past the current. */
async function compareAllReads(store: MvccStore, model: ReferenceModel): Promise<void> {
  assert.equal(store.currentRevision, model.currentRevision);
  assert.equal(store.compactRevision, model.compactRevision);
  for (let revision = Math.max(0, model.compactRevision - 1); revision <= model.currentRevision + 1; revision++) {
    for (const read of sweep) {
      const request = { ...read, revision };
      assert.deepEqual(await settle(() => store.range(request)), await settle(() => model.range(request)), `at ${revision}`);
    }
  }
}

const replacer = (_: string, value: unknown): unknown => (typeof value === 'bigint' ? `${value}n` : value);

describe('mvcc store against a reference model', () => {
  it('answers random puts, deletes, txns, compactions and reads exactly like the model', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 40 }), async (actions) => {
        const h = new Harness();
        h.leases.ids.add(1n);
        const model = new ReferenceModel(h.leases);
        for (const next of actions) {
          await step(h, model, next);
          assert.equal(h.store.currentRevision, model.currentRevision);
        }
        await compareAllReads(h.store, model);
      }),
      { numRuns: 150 },
    );
  });

  it('rebuilds from what storage holds into a store that answers the same', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 40 }), async (actions) => {
        const h = new Harness();
        h.leases.ids.add(1n);
        const model = new ReferenceModel(h.leases);
        for (const next of actions) await step(h, model, next);
        const restored = h.restore();
        await compareAllReads(restored, model);
        // The restored store goes on writing where the original stopped.
        assert.deepEqual(restored.current('a'), h.store.current('a'));
        assert.equal(restored.beginWrite(h.leases).main, model.currentRevision + 1);
      }),
      { numRuns: 60 },
    );
  });

  it('keeps the model honest: it does differ from the store when the store is wrong', async () => {
    // A store whose put forgot to bump the version must not pass: guards against a vacuous comparison.
    const h = new Harness();
    const model = new ReferenceModel(h.leases);
    await step(h, model, { kind: 'put', request: putRequest({ key: 'k', value: 'v' }) });
    h.store.index.recordPut({ ...h.store.current('k')!, modRevision: 3, version: 1 }, 0);
    await assert.rejects(compareAllReads(h.store, model));
  });
});

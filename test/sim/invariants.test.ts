import assert from 'node:assert/strict';
import { MemoryStorage, makeMessage, type Entry, type HardState } from '../../server/raft/index.js';
import { SimDisk } from './disk.js';
import { InvariantChecker, SimViolation, type CheckedMember, type ViolationKind } from './invariants.js';
import { SimRng } from './rng.js';

const te = new TextEncoder();
const ent = (term: number, index: number, data = ''): Entry => ({ term, index, type: 'normal', data: te.encode(data) });

/** A member whose live and durable logs are both `entries`, at term `term`. */
function member(id: string, entries: Entry[], hs: HardState = { term: 1, vote: '', commit: 0 }, incarnation = 0): CheckedMember {
  const storage = new MemoryStorage();
  storage.append(entries);
  storage.setHardState(hs);
  return { id, incarnation, live: storage, durable: storage };
}

function violates(kind: ViolationKind, fn: () => void): void {
  assert.throws(fn, (err: unknown) => err instanceof SimViolation && err.kind === kind);
}

/** A checker that never fails proves nothing: each check is shown failing on a hand-made history. */
describe('sim: invariant checks fail on violating input', () => {
  it('election safety: two leaders in one term', () => {
    const inv = new InvariantChecker({ durabilityCheck: true });
    inv.onLeader(member('1', [ent(2, 1)]), 2);
    violates('electionSafety', () => inv.onLeader(member('2', [ent(2, 1)]), 2));
  });

  it('a write declared lost in a leader change is never applied, before or after the declaration', () => {
    const inv = new InvariantChecker({ durabilityCheck: true });
    inv.onWriteApplied(member('1', []), '2.1');
    inv.onWriteDeclaredLost(member('2', []), '2.2');
    violates('lostWriteApplied', () => inv.onWriteApplied(member('3', []), '2.2'));
    violates('lostWriteApplied', () => inv.onWriteDeclaredLost(member('2', []), '2.1'));
  });

  it('one vote per term, across restarts', () => {
    const inv = new InvariantChecker({ durabilityCheck: true });
    inv.onPersisted(member('1', []), [], { term: 3, vote: '1', commit: 0 }, null);
    violates('doubleVote', () => inv.onPersisted(member('1', [], undefined, 1), [], { term: 3, vote: '2', commit: 0 }, null));
  });

  it('log matching: one (index, term), two contents', () => {
    const inv = new InvariantChecker({ durabilityCheck: true });
    inv.onPersisted(member('1', [ent(1, 1, 'a')]), [ent(1, 1, 'a')], null, null);
    violates('logMatching', () => inv.onPersisted(member('2', [ent(1, 1, 'b')]), [ent(1, 1, 'b')], null, null));
  });

  it('leader completeness: a leader without a committed entry', () => {
    const inv = new InvariantChecker({ durabilityCheck: true });
    inv.onPersisted(member('1', [ent(1, 1), ent(1, 2)]), [], { term: 1, vote: '', commit: 2 }, null);
    violates('leaderCompleteness', () => inv.onLeader(member('2', [ent(1, 1)]), 2));
  });

  it('a member never replaces an entry it holds that is committed', () => {
    const inv = new InvariantChecker({ durabilityCheck: true });
    const m = member('1', [ent(1, 1), ent(1, 2)]);
    inv.onPersisted(m, [], { term: 1, vote: '', commit: 2 }, null);
    violates('committedOverwritten', () => inv.beforePersist(m, [ent(3, 2)]));
    // A member that never held it may append another entry there: it is not committed.
    inv.beforePersist(member('2', [ent(1, 1)]), [ent(3, 2)]);
  });

  it('state-machine safety: two entries applied at one index', () => {
    const inv = new InvariantChecker({ durabilityCheck: true });
    inv.onApply(member('1', []), ent(1, 1, 'x'));
    violates('stateMachineSafety', () => inv.onApply(member('2', []), ent(1, 1, 'y')));
  });

  it('commit never goes back within an incarnation', () => {
    const inv = new InvariantChecker({ durabilityCheck: true });
    const m = member('1', [ent(1, 1), ent(1, 2)]);
    inv.onPersisted(m, [], { term: 1, vote: '', commit: 2 }, null);
    violates('monotonicity', () => inv.onPersisted(m, [], { term: 1, vote: '', commit: 1 }, null));
  });

  it('durability: a granted vote must be durable before the response leaves', () => {
    const inv = new InvariantChecker({ durabilityCheck: true });
    const durable = new MemoryStorage();
    durable.setHardState({ term: 1, vote: '', commit: 0 });
    const disk = new SimDisk(durable);
    disk.write({ kind: 'hardState', hardState: { term: 2, vote: '3', commit: 0 } });
    const m: CheckedMember = { id: '1', incarnation: 0, live: disk.live, durable: disk.durable };
    const grant = makeMessage({ type: 'voteResp', from: '1', to: '3', term: 2 });
    violates('durability', () => inv.onSend(m, grant));
    disk.sync();
    inv.onSend({ ...m, durable: disk.durable }, grant);
  });
});

describe('sim: disk', () => {
  it('a crash keeps a prefix of the unsynced writes and nothing after a lost one', () => {
    const kept = new Set<number>();
    for (let seed = 1; seed <= 40; seed++) {
      const durable = new MemoryStorage();
      durable.setHardState({ term: 1, vote: '', commit: 0 });
      const disk = new SimDisk(durable);
      disk.write({ kind: 'append', entries: [ent(1, 1), ent(1, 2)] });
      disk.sync();
      for (let c = 1; c <= 2; c++) disk.write({ kind: 'hardState', hardState: { term: 1, vote: '', commit: c } });
      disk.crash(new SimRng(seed));
      assert.equal(disk.live.lastIndex(), 2, 'synced entries survive');
      kept.add(disk.live.initialState().hardState.commit);
    }
    assert.deepEqual([...kept].sort(), [0, 1, 2], 'every prefix of the unsynced writes occurs');
  });
});

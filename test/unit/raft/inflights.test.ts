import assert from 'node:assert/strict';
import { Inflights } from '../../../server/raft/tracker/inflights.js';

describe('inflights', () => {
  it('fills up to its message capacity and frees acknowledged messages in order', () => {
    const inf = new Inflights(3, 0);
    inf.add(1, 10);
    inf.add(2, 10);
    inf.add(5, 10);
    assert.equal(inf.full(), true);
    assert.throws(() => inf.add(6, 10), /full inflights/);
    inf.freeLE(2);
    assert.equal(inf.count(), 1);
    assert.equal(inf.bytes(), 10);
    inf.freeLE(4);
    assert.equal(inf.count(), 1, 'message ending at 5 is still in flight');
    inf.freeLE(5);
    assert.equal(inf.count(), 0);
  });

  it('wraps around its ring buffer without losing order', () => {
    const inf = new Inflights(4, 0);
    let next = 1;
    let freed = 0;
    for (let round = 0; round < 50; round++) {
      while (!inf.full()) inf.add(next++, 1);
      freed += 2;
      inf.freeLE(freed);
      assert.equal(inf.count(), next - 1 - freed);
    }
  });

  it('is full once the byte budget is reached', () => {
    const inf = new Inflights(100, 25);
    inf.add(1, 10);
    inf.add(2, 10);
    assert.equal(inf.full(), false);
    inf.add(3, 10);
    assert.equal(inf.full(), true);
    inf.freeLE(1);
    assert.equal(inf.full(), false);
  });

  it('reset forgets everything in flight', () => {
    const inf = new Inflights(2, 0);
    inf.add(1, 5);
    inf.add(2, 5);
    inf.reset();
    assert.equal(inf.count(), 0);
    assert.equal(inf.bytes(), 0);
    inf.freeLE(100);
    assert.equal(inf.count(), 0);
  });
});

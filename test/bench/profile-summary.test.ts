import { strict as assert } from 'node:assert';
import { profileText, summarizeProfile } from './profile-summary.js';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

/** root -> apply (store.js) -> encode (codec.js), plus (idle) and a recursive walk under root. */
const PROFILE = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 4, 5] },
    { id: 2, callFrame: frame('apply', 'file:///w/dist/server/store.js', 9), children: [3] },
    { id: 3, callFrame: frame('encode', 'file:///w/dist/server/codec.js', 19) },
    { id: 4, callFrame: frame('(idle)') },
    { id: 5, callFrame: frame('walk', 'file:///w/dist/server/tree.js', 0), children: [6] },
    { id: 6, callFrame: frame('walk', 'file:///w/dist/server/tree.js', 0) },
  ],
  // Sample i is charged timeDeltas[i] µs.
  samples: [3, 3, 2, 4, 6],
  timeDeltas: [1000, 1000, 2000, 5000, 3000],
};

describe('bench profile summary', () => {
  it('charges each sample to its function (self) and once to every function on its stack (total)', () => {
    const summary = summarizeProfile(PROFILE);
    assert.equal(summary.sampledMs, 12);
    assert.equal(summary.idleMs, 5);
    const fn = (name: string) => summary.functions.find((f) => f.name === name);
    assert.deepEqual(fn('encode server/codec.js:20'), { name: 'encode server/codec.js:20', selfMs: 2, totalMs: 2 });
    assert.deepEqual(fn('apply server/store.js:10'), { name: 'apply server/store.js:10', selfMs: 2, totalMs: 4 });
    // A recursive function's total counts each sample once.
    assert.deepEqual(fn('walk server/tree.js:1'), { name: 'walk server/tree.js:1', selfMs: 3, totalMs: 3 });
    assert.deepEqual(summary.files.find((f) => f.name === 'server/store.js'), { name: 'server/store.js', selfMs: 2, totalMs: 4 });
  });

  it('lists by self time with percentages of busy (non-idle) time, leaving out idle and root', () => {
    const text = profileText(summarizeProfile(PROFILE), 10);
    assert.match(text, /busy 0\.0 s/);
    const lines = text.split('\n');
    const first = lines.findIndex((line) => line.includes('function'));
    assert.match(lines[first + 1]!, /3\s+42\.9%\s+3\s+42\.9%\s+walk server\/tree\.js:1/);
    assert.ok(!text.includes('(idle)') && !text.includes('(root)'));
  });
});

import assert from 'node:assert/strict';

describe('toolchain', () => {
  it('compiles TypeScript with await using', async () => {
    const released: string[] = [];
    {
      await using _r = { async [Symbol.asyncDispose]() { released.push('r'); } };
    }
    assert.deepEqual(released, ['r']);
  });
});

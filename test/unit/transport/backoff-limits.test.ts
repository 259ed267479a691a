import assert from 'node:assert/strict';
import { Backoff } from '../../../server/transport/backoff.js';
import { PEER_TRANSPORT_DEFAULTS, resolveLimits } from '../../../server/transport/limits.js';

describe('transport/backoff', () => {
  it('doubles from the minimum up to the cap, each delay in [d/2, d]', () => {
    const low = new Backoff(25, 1000, () => 0);
    const high = new Backoff(25, 1000, () => 1);
    const lows = Array.from({ length: 8 }, () => low.nextDelayMs());
    const highs = Array.from({ length: 8 }, () => high.nextDelayMs());
    assert.deepEqual(highs, [25, 50, 100, 200, 400, 800, 1000, 1000]);
    assert.deepEqual(lows, [13, 25, 50, 100, 200, 400, 500, 500]);
  });

  it('starts again from the minimum after reset, and never overflows after many failures', () => {
    const backoff = new Backoff(10, 5000, () => 1);
    for (let i = 0; i < 10_000; i++) assert.ok(backoff.nextDelayMs() <= 5000);
    backoff.reset();
    assert.equal(backoff.nextDelayMs(), 10);
  });
});

describe('transport/limits', () => {
  it('applies overrides on top of the defaults and freezes the result', () => {
    const limits = resolveLimits({ dialTimeoutMs: 5 });
    assert.equal(limits.dialTimeoutMs, 5);
    assert.equal(limits.snapshotChunkBytesMax, PEER_TRANSPORT_DEFAULTS.snapshotChunkBytesMax);
    assert.ok(Object.isFrozen(limits));
  });

  it('reports every invalid value at once', () => {
    assert.throws(
      () => resolveLimits({ dialTimeoutMs: 0, closeGraceMs: 1.5, redialBackoffMsMin: 100, redialBackoffMsMax: 10, keepaliveIntervalMs: 500, keepaliveTimeoutMs: 400 }),
      (error: Error) =>
        error instanceof RangeError &&
        ['dialTimeoutMs must be a positive integer', 'closeGraceMs must be a positive integer', 'redialBackoffMsMax must be >= redialBackoffMsMin', 'keepaliveTimeoutMs must be > keepaliveIntervalMs'].every((part) =>
          error.message.includes(part),
        ),
    );
  });
});

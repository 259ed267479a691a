import assert from 'node:assert/strict';
import { Client, LockLostError, Semaphore, Session, SynodError, TimeoutError, type LockGuard } from '../../../client-sdk/index.js';
import { ServerProcess } from '../helpers/server-process.js';
import { serverForSuite } from '../helpers/suite-server.js';
import { abortedSignal } from '../helpers/signals.js';
import { waitForKeys } from './queue-helpers.js';

describe('Semaphore (real server process)', function () {
  this.timeout(60_000);
  let server: ServerProcess;
  let client: Client;
  serverForSuite((s, c) => ((server = s), (client = c)));

  it('lets at most N sessions hold at once, and every hold gets its own growing fencing token', async () => {
    const sessions = await Promise.all(Array.from({ length: 6 }, () => Session.create(client, { ttlSeconds: 30 })));
    let holders = 0;
    let maxHolders = 0;
    const tokens: bigint[] = [];
    await Promise.all(sessions.map(async (session) => {
      for (let round = 0; round < 2; round++) {
        await using permit = await new Semaphore(session, 'sem/bounded', { permits: 2 }).acquire();
        holders++;
        maxHolders = Math.max(maxHolders, holders);
        tokens.push(permit.fencingToken);
        await client.put('sem/bounded-work', `${round}`);
        await client.put('sem/bounded-work', `${round}`);
        holders--;
      }
    }));
    assert.equal(maxHolders, 2);
    assert.equal(new Set(tokens).size, 12);
    await Promise.all(sessions.map((session) => session.close()));
  });

  it('grants permits in arrival order, and a waiter takes the permit an older holder frees (not only the newest)', async () => {
    const [a, b, c, d] = await Promise.all([1, 2, 3, 4].map(() => Session.create(client)));
    const older = await new Semaphore(a!, 'sem/fifo', { permits: 2 }).acquire();
    const newer = await new Semaphore(b!, 'sem/fifo', { permits: 2 }).acquire();
    const order: string[] = [];
    const waitC = new Semaphore(c!, 'sem/fifo', { permits: 2 }).acquire().then((guard) => (order.push('c'), guard));
    await waitForKeys(client, 'sem/fifo/', 3);
    const waitD = new Semaphore(d!, 'sem/fifo', { permits: 2 }).acquire().then((guard) => (order.push('d'), guard));
    await waitForKeys(client, 'sem/fifo/', 4);
    await older.unlock();
    const permitC = await waitC;
    assert.deepEqual(order, ['c'], 'd stays behind c');
    assert.ok(newer.held);
    await newer.unlock();
    const permitD = await waitD;
    assert.deepEqual(order, ['c', 'd']);
    assert.ok(permitC.fencingToken < permitD.fencingToken);
    await Promise.all([a, b, c, d].map((s) => s!.close()));
  });

  it('tryAcquire returns null when full; a different permit count is refused; a timeout leaves no key behind', async () => {
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => Session.create(client)));
    const held = await new Semaphore(a!, 'sem/try', { permits: 1 }).acquire();
    assert.equal(await new Semaphore(b!, 'sem/try', { permits: 1 }).tryAcquire(), null);
    await assert.rejects(new Semaphore(c!, 'sem/try', { permits: 3 }).acquire(), (error: unknown) => error instanceof SynodError && error.code === 'invalid_argument');
    await assert.rejects(new Semaphore(b!, 'sem/try', { permits: 1 }).acquire({ timeoutMs: 300 }), (error: unknown) => error instanceof TimeoutError);
    assert.equal((await client.get('sem/try/', { prefix: true })).count, 1n);
    await held.unlock();
    const taken = await new Semaphore(b!, 'sem/try', { permits: 1 }).tryAcquire();
    assert.ok(taken !== null);
    assert.throws(() => new Semaphore(a!, 'sem/try', { permits: 0 }), RangeError);
    await Promise.all([a, b, c].map((s) => s!.close()));
  });

  it('reports a permit lost when its session ends, and fails a waiter whose session ends', async () => {
    const [a, b] = await Promise.all([1, 2].map(() => Session.create(client)));
    const held: LockGuard = await new Semaphore(a!, 'sem/lost', { permits: 1 }).acquire();
    const waiting = new Semaphore(b!, 'sem/lost', { permits: 1 }).acquire();
    await waitForKeys(client, 'sem/lost/', 2);
    await client.lease.revoke(b!.leaseId);
    await assert.rejects(waiting, (error: unknown) => error instanceof LockLostError);
    await client.lease.revoke(a!.leaseId);
    const reason = await held.lost;
    assert.ok(reason instanceof LockLostError);
    assert.ok((await abortedSignal(held.signal)) instanceof LockLostError);
    assert.equal(held.held, false);
  });

  it('a waiter behind several permits fails at once when its own key is deleted', async () => {
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => Session.create(client)));
    const holds = [await new Semaphore(a!, 'sem/gone', { permits: 2 }).acquire(), await new Semaphore(b!, 'sem/gone', { permits: 2 }).acquire()];
    const waiting = new Semaphore(c!, 'sem/gone', { permits: 2 }).acquire();
    await waitForKeys(client, 'sem/gone/', 3);
    await client.delete(`sem/gone/${c!.leaseHex}`);
    await assert.rejects(waiting, (error: unknown) => error instanceof LockLostError);
    for (const hold of holds) assert.ok(hold.held);
    await Promise.all([a, b, c].map((s) => s!.close()));
  });
});

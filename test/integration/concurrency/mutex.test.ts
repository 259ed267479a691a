import assert from 'node:assert/strict';
import { Client, LockLostError, Mutex, Session, SynodError, TimeoutError } from '../../../client-sdk/index.js';
import { ServerProcess } from '../helpers/server-process.js';
import { serverForSuite } from '../helpers/suite-server.js';
import { abortedSignal } from '../helpers/signals.js';

describe('Mutex (real server process)', function () {
  this.timeout(60_000);
  let server: ServerProcess;
  let client: Client;
  serverForSuite((s, c) => ((server = s), (client = c)));

  it('excludes: concurrent holders never overlap, and fencing tokens grow with each hold', async () => {
    const sessions = await Promise.all(Array.from({ length: 5 }, () => Session.create(client, { ttlSeconds: 30 })));
    let holders = 0;
    let maxHolders = 0;
    const tokens: bigint[] = [];
    await Promise.all(sessions.map(async (session) => {
      for (let round = 0; round < 3; round++) {
        await using guard = await new Mutex(session, 'locks/exclusive').lock();
        holders++;
        maxHolders = Math.max(maxHolders, holders);
        tokens.push(guard.fencingToken);
        await client.put('locks/exclusive-counter', String(round));
        holders--;
      }
    }));
    assert.equal(maxHolders, 1);
    assert.equal(tokens.length, 15);
    assert.deepEqual(tokens, [...tokens].sort((a, b) => (a < b ? -1 : 1)), 'tokens increase in acquisition order');
    assert.equal(new Set(tokens).size, 15);
    await Promise.all(sessions.map((session) => session.close()));
  });

  it('grants the lock in arrival order (FIFO)', async () => {
    const owner = await Session.create(client);
    const first = await new Mutex(owner, 'locks/fifo').lock();
    const order: number[] = [];
    const waiters = await Promise.all([1, 2, 3].map(() => Session.create(client)));
    const pending: Promise<void>[] = [];
    for (const [i, session] of waiters.entries()) {
      pending.push(new Mutex(session, 'locks/fifo').lock().then(async (guard) => {
        order.push(i);
        await guard.unlock();
      }));
      // Each waiter is queued (its key created) before the next one starts.
      await waitForKeys(client, 'locks/fifo/', i + 2);
    }
    await first.unlock();
    await Promise.all(pending);
    assert.deepEqual(order, [0, 1, 2]);
    await Promise.all([owner, ...waiters].map((s) => s.close()));
  });

  it('tryLock returns null while held, and leaves no key behind', async () => {
    const a = await Session.create(client);
    const b = await Session.create(client);
    const held = await new Mutex(a, 'locks/try').lock();
    assert.equal(await new Mutex(b, 'locks/try').tryLock(), null);
    assert.equal((await client.get('locks/try/', { prefix: true })).count, 1n);
    await held.unlock();
    const taken = await new Mutex(b, 'locks/try').tryLock();
    assert.ok(taken !== null);
    await taken.unlock();
    await a.close();
    await b.close();
  });

  it('gives up on timeout without leaving its key in the queue', async () => {
    const a = await Session.create(client);
    const b = await Session.create(client);
    const held = await new Mutex(a, 'locks/timeout').lock();
    await assert.rejects(new Mutex(b, 'locks/timeout').lock({ timeoutMs: 300 }), (error: unknown) => error instanceof TimeoutError);
    assert.equal((await client.get('locks/timeout/', { prefix: true })).count, 1n);
    await held.unlock();
    await a.close();
    await b.close();
  });

  it('a stale unlock never releases a newer hold of the same session', async () => {
    const session = await Session.create(client);
    const mutex = new Mutex(session, 'locks/stale');
    const old = await mutex.lock();
    await old.unlock();
    const current = await mutex.lock();
    await old.unlock();
    assert.equal((await client.get(current.key)).count, 1n, 'the newer hold is still there');
    assert.ok(current.held);
    const write = await client.txn().if(current.guard()).then({ wire: { request_put: { key: Buffer.from('guarded').toString('base64') } } }).commit();
    assert.equal(write.succeeded, true);
    await current.unlock();
    const stale = await client.txn().if(current.guard()).then({ wire: { request_put: { key: Buffer.from('guarded').toString('base64') } } }).commit();
    assert.equal(stale.succeeded, false, 'the guard refuses a write after unlock');
    await session.close();
  });

  it('reports the hold lost when the session ends, and a waiter whose session ends fails instead of winning', async () => {
    const a = await Session.create(client);
    const b = await Session.create(client);
    const held = await new Mutex(a, 'locks/lost').lock();
    const waiting = new Mutex(b, 'locks/lost').lock();
    await waitForKeys(client, 'locks/lost/', 2);
    await client.lease.revoke(b.leaseId);
    await assert.rejects(waiting, (error: unknown) => error instanceof LockLostError || (error instanceof SynodError && error.code === 'lease_not_found'));
    await client.lease.revoke(a.leaseId);
    const reason = await abortedSignal(held.signal);
    assert.ok(reason instanceof LockLostError);
    await a.close().catch(() => undefined);
    await b.close().catch(() => undefined);
  });
});

async function waitForKeys(client: Client, prefix: string, count: number): Promise<void> {
  const watch = client.watch(prefix, { prefix: true });
  await watch.ready();
  if ((await client.get(prefix, { prefix: true, countOnly: true })).count >= BigInt(count)) {
    await watch.cancel();
    return;
  }
  for await (const event of watch) {
    void event;
    if ((await client.get(prefix, { prefix: true, countOnly: true })).count >= BigInt(count)) break;
  }
}

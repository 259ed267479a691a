import assert from 'node:assert/strict';
import { Client, LockLostError, ReadWriteLock, Session, SynodError, TimeoutError } from '../../../client-sdk/index.js';
import { ServerProcess } from '../helpers/server-process.js';
import { serverForSuite } from '../helpers/suite-server.js';
import { waitForKeys } from './queue-helpers.js';

describe('ReadWriteLock (real server process)', function () {
  this.timeout(60_000);
  let server: ServerProcess;
  let client: Client;
  serverForSuite((s, c) => ((server = s), (client = c)));

  it('readers share; a writer excludes readers and other writers', async () => {
    const sessions = await Promise.all(Array.from({ length: 6 }, () => Session.create(client, { ttlSeconds: 30 })));
    let readers = 0;
    let writers = 0;
    let maxReaders = 0;
    const violations: string[] = [];
    await Promise.all(sessions.map(async (session, i) => {
      const lock = new ReadWriteLock(session, 'rw/mixed');
      for (let round = 0; round < 3; round++) {
        if ((i + round) % 3 === 0) {
          await using guard = await lock.writeLock();
          void guard;
          writers++;
          if (writers > 1 || readers > 0) violations.push(`writer with ${writers - 1} writers and ${readers} readers`);
          await client.put('rw/mixed-data', `w${i}`);
          writers--;
        } else {
          await using guard = await lock.readLock();
          void guard;
          readers++;
          maxReaders = Math.max(maxReaders, readers);
          if (writers > 0) violations.push('reader with a writer');
          await client.get('rw/mixed-data');
          await client.get('rw/mixed-data');
          readers--;
        }
      }
    }));
    assert.deepEqual(violations, []);
    await Promise.all(sessions.map((session) => session.close()));
  });

  it('is fair: a writer waits for earlier readers only, and a later reader waits for the waiting writer', async () => {
    const [r1, w, r2] = await Promise.all([1, 2, 3].map(() => Session.create(client)));
    const read1 = await new ReadWriteLock(r1!, 'rw/fair').readLock();
    const order: string[] = [];
    const write = new ReadWriteLock(w!, 'rw/fair').writeLock().then((guard) => (order.push('w'), guard));
    await waitForKeys(client, 'rw/fair/', 2);
    const read2 = new ReadWriteLock(r2!, 'rw/fair').readLock().then((guard) => (order.push('r2'), guard));
    await waitForKeys(client, 'rw/fair/', 3);
    assert.equal(await new ReadWriteLock(r2!, 'rw/other').tryReadLock().then((g) => g !== null), true, 'other names are independent');
    await read1.unlock();
    const writeGuard = await write;
    assert.deepEqual(order, ['w']);
    await writeGuard.unlock();
    const read2Guard = await read2;
    assert.deepEqual(order, ['w', 'r2']);
    assert.ok(read1.fencingToken < writeGuard.fencingToken && writeGuard.fencingToken < read2Guard.fencingToken);
    await Promise.all([r1, w, r2].map((s) => s!.close()));
  });

  it('refuses an upgrade from read to write in one session instead of deadlocking', async () => {
    const session = await Session.create(client);
    const lock = new ReadWriteLock(session, 'rw/upgrade');
    const read = await lock.readLock();
    await assert.rejects(lock.writeLock(), (error: unknown) => error instanceof SynodError && error.code === 'invalid_argument');
    assert.ok(read.held, 'the read hold is untouched');
    assert.equal((await client.get('rw/upgrade/', { prefix: true })).count, 1n);
    await read.unlock();
    await session.close();
  });

  it('try variants return null when blocked; timeouts and lost sessions leave no key and report loss', async () => {
    const [a, b] = await Promise.all([1, 2].map(() => Session.create(client)));
    const write = await new ReadWriteLock(a!, 'rw/try').writeLock();
    assert.equal(await new ReadWriteLock(b!, 'rw/try').tryReadLock(), null);
    assert.equal(await new ReadWriteLock(b!, 'rw/try').tryWriteLock(), null);
    await assert.rejects(new ReadWriteLock(b!, 'rw/try').readLock({ timeoutMs: 300 }), (error: unknown) => error instanceof TimeoutError);
    assert.equal((await client.get('rw/try/', { prefix: true })).count, 1n);
    await client.lease.revoke(a!.leaseId);
    assert.ok((await write.lost) instanceof LockLostError);
    const read = await new ReadWriteLock(b!, 'rw/try').tryReadLock();
    assert.ok(read !== null);
    await b!.close();
  });
});

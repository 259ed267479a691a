import { LockLostError, Mutex, Session, type LockGuard } from '../../client-sdk/index.js';
import { FencedStore, FencedStoreClient } from '../shared/fenced-store.js';
import { log, parseLine } from '../shared/log.js';
import { clientFor, intOption, parseOptions, shutdownSignal, sleep, stringOption, type OptionSpec } from '../shared/options.js';
import { startRole, type Recipe } from '../shared/recipe.js';
import { storeRole } from '../shared/store-role.js';

const RESOURCE = 'counter';
const LOCK_NAME_DEFAULT = 'recipes/fenced-lock/counter';

const workerOptions: OptionSpec = {
  store: { type: 'string', description: 'URL of the fenced store (required)' },
  id: { type: 'string', default: `w${process.pid}`, description: 'this worker\'s name, for the logs' },
  increments: { type: 'string', default: '10', description: 'how many increments to make' },
  ttl: { type: 'string', default: '5', description: 'session TTL in seconds' },
  'work-ms': { type: 'string', default: '20', description: 'time spent between reading and writing the counter' },
  lock: { type: 'string', default: LOCK_NAME_DEFAULT, description: 'lock name' },
};

/**
 * `worker`: increments the store's counter `--increments` times, each under the lock: lock, read the
 * counter with the fencing token, work, write counter+1 with the token. A write the store refuses
 * (a newer holder came while this one was paused) is not counted and is tried again under a new hold.
 */
async function runWorker(argv: readonly string[]): Promise<void> {
  const { values } = parseOptions(argv, workerOptions);
  const id = stringOption(values, 'id');
  const increments = intOption(values, 'increments');
  const ttlSeconds = intOption(values, 'ttl', 1);
  const workMs = intOption(values, 'work-ms');
  const lockName = stringOption(values, 'lock');
  const store = new FencedStoreClient(stringOption(values, 'store'));
  const stop = shutdownSignal();
  const client = clientFor(values);
  let session: Session | null = null;
  let done = 0;
  try {
    while (done < increments && !stop.aborted) {
      if (session === null || !session.alive) {
        session = await Session.create(client, { ttlSeconds });
        log('session', { worker: id, lease: session.leaseHex });
      }
      let guard: LockGuard;
      try {
        guard = await new Mutex(session, lockName).lock({ signal: stop });
      } catch (error) {
        if (error instanceof LockLostError) continue; // the session ended while waiting: start a new one
        throw error;
      }
      const token = guard.fencingToken.toString();
      log('locked', { worker: id, token });
      try {
        const read = await store.send(RESOURCE, { op: 'read', token, writer: id });
        if (!read.ok) {
          log('rejected', { worker: id, token, op: 'read', highest: read.highestToken });
          continue;
        }
        const value = Number(read.value ?? 0);
        log('read', { worker: id, token, value });
        // The critical section's work. A pause here (GC, SIGSTOP, a slow disk) longer than the TTL
        // lets another worker take the lock: only the store's token check keeps the count exact.
        await sleep(workMs);
        const write = await store.send(RESOURCE, { op: 'write', token, writer: id, value: value + 1 });
        if (write.ok) {
          done++;
          log('incremented', { worker: id, token, value: value + 1 });
        } else {
          log('rejected', { worker: id, token, op: 'write', highest: write.highestToken });
        }
      } finally {
        await guard.unlock().catch(() => undefined);
      }
    }
    log('done', { worker: id, increments: done });
  } finally {
    await session?.close().catch(() => undefined);
    await client.close();
  }
}

const demoOptions: OptionSpec = {
  workers: { type: 'string', default: '3', description: 'how many worker processes' },
  increments: { type: 'string', default: '10', description: 'increments per worker' },
  ttl: { type: 'string', default: '3', description: 'session TTL in seconds' },
};

/**
 * `demo`: a store and `--workers` worker processes; the first worker is paused (SIGSTOP) in the middle
 * of its critical section until a newer holder has used the store, then resumed. Its stale write is
 * refused, and the final count is exactly workers x increments.
 */
async function runDemo(argv: readonly string[]): Promise<void> {
  const { values } = parseOptions(argv, demoOptions);
  const workers = intOption(values, 'workers', 1);
  const increments = intOption(values, 'increments', 1);
  const ttl = String(intOption(values, 'ttl', 1));
  const store = await FencedStore.start();
  const lock = `recipes/fenced-lock/demo-${process.pid}`;
  const endpoints = ['--endpoints', String(values['endpoints'])];
  try {
    const slow = startRole('fenced-lock', 'worker', [...endpoints, '--store', store.url, '--id', 'w1', '--increments', String(increments), '--ttl', ttl, '--work-ms', '1000', '--lock', lock], 'w1');
    const token = await slow.waitFor((line) => (parseLine(line).event === 'read' ? parseLine(line).fields['token'] : undefined));
    slow.child.kill('SIGSTOP');
    log('paused', { worker: 'w1', token, note: 'SIGSTOP inside the critical section' });
    const others = Array.from({ length: workers - 1 }, (_, i) =>
      startRole('fenced-lock', 'worker', [...endpoints, '--store', store.url, '--id', `w${i + 2}`, '--increments', String(increments), '--ttl', ttl, '--lock', lock], `w${i + 2}`),
    );
    // Once another worker's read was accepted, the store's highest token is above w1's.
    await Promise.any(others.map((worker) => worker.waitFor((line) => (parseLine(line).event === 'read' ? true : undefined))));
    slow.child.kill('SIGCONT');
    log('resumed', { worker: 'w1' });
    await Promise.all([slow, ...others].map((worker) => worker.exited()));
    const state = store.state(RESOURCE);
    log('result', { counter: String(state.value), expected: workers * increments, rejected: state.rejected.length });
    if (Number(state.value) !== workers * increments) throw new Error('the counter is not exact');
  } finally {
    await store.close();
  }
}

export const fencedLockRecipe: Recipe = {
  name: 'fenced-lock',
  summary: 'workers increment a counter under a lock; a fenced store refuses stale holders',
  roles: {
    demo: { summary: 'a store, several workers, one of them paused past its TTL', options: demoOptions, run: runDemo },
    store: storeRole,
    worker: { summary: 'increments the counter under the lock, with fenced requests', options: workerOptions, run: runWorker },
  },
};

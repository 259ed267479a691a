import { Election, Session, type Leadership } from '../../client-sdk/index.js';
import { FencedStore, FencedStoreClient } from '../shared/fenced-store.js';
import { log, parseLine } from '../shared/log.js';
import { clientFor, intOption, parseOptions, shutdownSignal, sleep, stringOption, type OptionSpec } from '../shared/options.js';
import { startRole, type Recipe } from '../shared/recipe.js';
import { storeRole } from '../shared/store-role.js';

const RESOURCE = 'jobs';
const ELECTION_DEFAULT = 'recipes/scheduler/leader';

const schedulerOptions: OptionSpec = {
  store: { type: 'string', description: 'URL of the fenced store the jobs write to (required)' },
  id: { type: 'string', default: `s${process.pid}`, description: 'this scheduler\'s name (its campaign value)' },
  ttl: { type: 'string', default: '5', description: 'session TTL in seconds: how long a dead leader blocks the next one' },
  'interval-ms': { type: 'string', default: '500', description: 'time between two job runs' },
  'job-ms': { type: 'string', default: '50', description: 'how long one job works before it records its result' },
  election: { type: 'string', default: ELECTION_DEFAULT, description: 'election name' },
};

/**
 * `scheduler`: campaigns; while leader, runs a job every `--interval-ms`. Each job records its result
 * in the fenced store with the leadership's fencing token, so a deposed leader (paused, partitioned)
 * that still believes it leads has its result refused. After losing leadership it campaigns again.
 */
async function runScheduler(argv: readonly string[]): Promise<void> {
  const { values } = parseOptions(argv, schedulerOptions);
  const id = stringOption(values, 'id');
  const ttlSeconds = intOption(values, 'ttl', 1);
  const intervalMs = intOption(values, 'interval-ms');
  const jobMs = intOption(values, 'job-ms');
  const electionName = stringOption(values, 'election');
  const store = new FencedStoreClient(stringOption(values, 'store'));
  const stop = shutdownSignal();
  const client = clientFor(values);
  let session: Session | null = null;
  let seq = 0;
  try {
    while (!stop.aborted) {
      if (session === null || !session.alive) session = await Session.create(client, { ttlSeconds });
      log('campaigning', { id, lease: session.leaseHex });
      let leadership: Leadership;
      try {
        leadership = await new Election(session, electionName).campaign(id, { signal: stop });
      } catch (error) {
        if (stop.aborted) break;
        log('campaign-failed', { id, error: (error as Error).message });
        continue;
      }
      const token = leadership.fencingToken.toString();
      log('leader', { id, token });
      while (leadership.isLeader && !stop.aborted) {
        seq++;
        log('job-start', { id, token, seq });
        await sleep(jobMs);
        const result = await store.send(RESOURCE, { op: 'append', token, writer: id, value: { id, seq } });
        if (!result.ok) {
          log('job-rejected', { id, token, seq, highest: result.highestToken });
          break;
        }
        log('job-done', { id, token, seq });
        await sleep(intervalMs, AbortSignal.any([leadership.signal, stop]));
      }
      const reason = leadership.isLeader ? (stop.aborted ? 'stopping' : 'a newer leader acted') : (leadership.signal.reason as Error).message;
      await leadership.resign().catch(() => undefined);
      log('follower', { id, reason });
    }
  } finally {
    await session?.close().catch(() => undefined);
    await client.close();
  }
}

const demoOptions: OptionSpec = {
  schedulers: { type: 'string', default: '3', description: 'how many scheduler processes' },
  ttl: { type: 'string', default: '3', description: 'session TTL in seconds' },
};

/** `demo`: a store and several schedulers; the leader is killed (SIGKILL) twice; the job log shows who ran what. */
async function runDemo(argv: readonly string[]): Promise<void> {
  const { values } = parseOptions(argv, demoOptions);
  const count = intOption(values, 'schedulers', 2);
  const ttl = String(intOption(values, 'ttl', 1));
  const store = await FencedStore.start();
  const election = `recipes/scheduler/demo-${process.pid}`;
  const args = ['--endpoints', String(values['endpoints']), '--store', store.url, '--ttl', ttl, '--interval-ms', '300', '--election', election];
  const schedulers = new Map(Array.from({ length: count }, (_, i) => [`s${i + 1}`, startRole('scheduler', 'scheduler', [...args, '--id', `s${i + 1}`], `s${i + 1}`)]));
  try {
    let leaderId = await firstLeader([...schedulers.values()]);
    for (let kill = 0; kill < Math.min(2, count - 1); kill++) {
      await sleep(1500);
      log('killing', { leader: leaderId, note: `SIGKILL; the next leader starts within the TTL (${ttl} s)` });
      const leader = schedulers.get(leaderId)!;
      const killedAt = performance.now();
      leader.child.kill('SIGKILL');
      await leader.exited();
      schedulers.delete(leaderId);
      leaderId = await firstLeader([...schedulers.values()]);
      log('failed-over', { leader: leaderId, afterMs: Math.round(performance.now() - killedAt) });
    }
    await sleep(1500);
  } finally {
    for (const scheduler of schedulers.values()) scheduler.child.kill('SIGTERM');
    await Promise.all([...schedulers.values()].map((scheduler) => scheduler.exited()));
    const state = store.state(RESOURCE);
    const runs = state.log.map((record) => `${record.writer}@${record.token}`);
    log('result', { jobs: state.log.length, rejected: state.rejected.length, runs: runs.join(',') });
    await store.close();
  }
}

/** The id of the first of `schedulers` to report `leader` from now on. */
function firstLeader(schedulers: ReturnType<typeof startRole>[]): Promise<string> {
  return Promise.race(schedulers.map((scheduler) => scheduler.waitFor((line) => (parseLine(line).event === 'job-done' ? parseLine(line).fields['id'] : undefined))));
}

export const schedulerRecipe: Recipe = {
  name: 'scheduler',
  summary: 'only the elected leader runs jobs; a killed leader is replaced within its TTL',
  roles: {
    demo: { summary: 'a store and several schedulers; the leader is killed', options: demoOptions, run: runDemo },
    scheduler: { summary: 'campaigns, and runs fenced jobs while leader', options: schedulerOptions, run: runScheduler },
    store: storeRole,
  },
};

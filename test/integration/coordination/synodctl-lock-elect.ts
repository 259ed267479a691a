import assert from 'node:assert/strict';
import { Election, Mutex, Session, type Client } from '../../../client-sdk/index.js';
import { RecipeProcess } from '../helpers/recipe-process.js';
import { SYNODCTL_BIN } from '../helpers/server-process.js';
import { runCtl } from '../helpers/synodctl.js';
import { waitForKeys } from '../concurrency/queue-helpers.js';
import type { ScenarioContext } from './context.js';

/** `synodctl lock` and `synodctl elect` against SDK locks and campaigns (server/cli/SYNODCTL.md). */
export function synodctlLockElectScenario(context: () => ScenarioContext): void {
  const running: RecipeProcess[] = [];
  let client: Client;
  const ctl = (args: readonly string[], label: string): RecipeProcess => {
    const started = RecipeProcess.startScript(SYNODCTL_BIN, ['--endpoints', context().endpoints, ...args], label);
    running.push(started);
    return started;
  };
  beforeEach(() => {
    client = context().cluster.client();
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.error(running.map((p) => p.transcript()).join('\n'));
    await Promise.all(running.map((p) => p.stop()));
    running.length = 0;
    await client.close();
  });

  it('synodctl lock (holding until SIGINT) and SDK locks exclude each other', async () => {
    const held = ctl(['lock', 'ctl/lock1'], 'synodctl lock');
    const keyLine = await held.waitForLine('key', (line) => line.text.startsWith('ctl/lock1/'));
    await held.waitForLine('empty value', (line) => line.index === keyLine.index + 1 && line.text === '');
    const ctlKey = (await client.get(keyLine.text)).kvs[0]!;
    await using session = await Session.create(client);
    assert.equal(await new Mutex(session, 'ctl/lock1').tryLock(), null, 'the SDK cannot take a lock synodctl holds');
    const sdkLock = new Mutex(session, 'ctl/lock1').lock();
    await waitForKeys(client, 'ctl/lock1/', 2);
    held.kill('SIGINT');
    assert.equal((await held.exited()).code, 0);
    const guard = await sdkLock;
    assert.ok(guard.fencingToken > ctlKey.createRevision, 'the next holder has a larger fencing token');
    assert.deepEqual(held.lines.map((line) => line.text), [keyLine.text, '']);
    await guard.unlock();
  });

  it('synodctl lock <name> <command> waits for an SDK holder, then runs the command with ETCD_LOCK_KEY/REV and releases', async () => {
    await using session = await Session.create(client);
    const sdkGuard = await new Mutex(session, 'ctl/lock2').lock();
    const script = 'console.log(process.env.ETCD_LOCK_KEY + " " + process.env.ETCD_LOCK_REV)';
    const waiting = ctl(['lock', 'ctl/lock2', '--', process.execPath, '-e', script], 'synodctl lock cmd');
    await waitForKeys(client, 'ctl/lock2/', 2);
    assert.equal(waiting.lines.length, 0, 'the command does not run while the SDK holds the lock');
    const queued = (await client.get('ctl/lock2/', { prefix: true, sortTarget: 'create', sortOrder: 'ascend' })).kvs[1]!;
    await sdkGuard.unlock();
    assert.equal((await waiting.exited()).code, 0);
    assert.deepEqual(waiting.lines.map((line) => line.text), [`${queued.key.toString()} ${queued.createRevision}`]);
    assert.equal((await client.get('ctl/lock2/', { prefix: true })).count, 0n, 'released after the command');
  });

  it('synodctl lock reports the command\'s failure as etcdctl does', async () => {
    const { endpoints } = context();
    const failed = await runCtl(['--endpoints', endpoints, 'lock', 'ctl/lock3', '--', process.execPath, '-e', 'process.exit(3)']);
    assert.equal(failed.code, 1);
    assert.equal(failed.stderr, 'Error: exit status 3\n');
    const missing = await runCtl(['--endpoints', endpoints, 'lock', 'ctl/lock3', 'no-such-command-synod']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'Error: exec: "no-such-command-synod": executable file not found in $PATH\n');
    const noName = await runCtl(['--endpoints', endpoints, 'lock']);
    assert.equal(noName.code, 128);
    assert.equal(noName.stderr, 'Error: lock takes a lock name argument and an optional command to execute\n');
    assert.equal((await client.get('ctl/lock3/', { prefix: true })).count, 0n);
  });

  it('synodctl elect -l prints each leader of SDK campaigns and each write of its key, in -w json as etcdctl does', async () => {
    const observer = ctl(['elect', '-l', 'ctl/elect1'], 'synodctl elect -l');
    const jsonObserver = ctl(['elect', '-l', 'ctl/elect1', '-w', 'json'], 'synodctl elect -l -w json');
    const jsonValue = (line: { text: string }): string => Buffer.from((JSON.parse(line.text) as { kvs: { value: string }[] }).kvs[0]!.value, 'base64').toString();
    const printed = async (value: string, from: number): Promise<number> => {
      const line = await observer.waitForLine(value, (l) => l.text === value && l.index >= from);
      await jsonObserver.waitForLine(value, (l) => jsonValue(l) === value && l.index >= from / 2);
      return line.index + 1;
    };
    await using a = await Session.create(client);
    await using b = await Session.create(client);
    // Whether the observers start before or after this campaign, they print the current leader first.
    const leadA = await new Election(a, 'ctl/elect1').campaign('a');
    let next = await printed('a', 0);
    await leadA.proclaim('a2');
    next = await printed('a2', next);
    await leadA.proclaim('a2'); // etcd's Observe reports every write of the leader's key
    next = await printed('a2', next);
    const pendingB = new Election(b, 'ctl/elect1').campaign('b');
    await waitForKeys(client, 'ctl/elect1/', 2);
    await leadA.resign();
    const leadB = await pendingB;
    await printed('b', next);
    await leadB.resign();
    observer.kill('SIGINT');
    jsonObserver.kill('SIGINT');
    assert.equal((await observer.exited()).code, 0);
    assert.equal((await jsonObserver.exited()).code, 0);
    const keyA = `ctl/elect1/${a.leaseHex}`;
    const keyB = `ctl/elect1/${b.leaseHex}`;
    assert.deepEqual(observer.lines.map((line) => line.text), [keyA, 'a', keyA, 'a2', keyA, 'a2', keyB, 'b']);
    // etcd prints a made-up range response: the header at the change's revision, the key-value, no count.
    const answers = jsonObserver.lines.map((line) => JSON.parse(line.text) as { header: Record<string, unknown>; kvs: { key: string; mod_revision: number }[]; count?: unknown });
    assert.deepEqual(answers.map((answer) => Buffer.from(answer.kvs[0]!.key, 'base64').toString()), [keyA, keyA, keyA, keyB]);
    for (const proclaimed of [answers[1]!, answers[2]!]) assert.equal(proclaimed.header['revision'], proclaimed.kvs[0]!.mod_revision);
    for (const answer of answers) assert.ok(Number(answer.header['revision']) >= answer.kvs[0]!.mod_revision);
    assert.ok(answers.every((answer) => answer.count === undefined && typeof answer.header['member_id'] === 'number'));
  });

  it('synodctl elect campaigns against SDK candidates, and the SDK observes it lead and resign', async () => {
    await using session = await Session.create(client);
    const sdkLead = await new Election(session, 'ctl/elect2').campaign('sdk');
    const seen: (string | null)[] = [];
    const observing = (async () => {
      for await (const leader of new Election(session, 'ctl/elect2').observe()) {
        seen.push(leader === null ? null : leader.value.toString());
        if (seen.length === 3) return;
      }
    })();
    const candidate = ctl(['elect', 'ctl/elect2', 'from-ctl'], 'synodctl elect');
    await waitForKeys(client, 'ctl/elect2/', 2);
    assert.equal(candidate.lines.length, 0, 'not elected while the SDK leads');
    await sdkLead.resign();
    await candidate.waitForLine('proposal', (line) => line.text === 'from-ctl');
    candidate.kill('SIGINT');
    assert.equal((await candidate.exited()).code, 0);
    await observing;
    assert.deepEqual(seen, ['sdk', 'from-ctl', null]);
    assert.equal(candidate.lines[0]?.text.startsWith('ctl/elect2/'), true);
  });
}

import assert from 'node:assert/strict';
import { Client } from '../../client-sdk/index.js';
import { ServerProcess } from './helpers/server-process.js';
import { loggedIdentity } from './helpers/synodctl.js';
import { CtlProcess } from './helpers/synodctl-process.js';
import { waitFor } from './helpers/wait-for.js';
import { parseGoJson } from './synodctl-cluster-helpers.js';

const b64 = (text: string): string => Buffer.from(text).toString('base64');

describe('synodctl watch against a real server', function () {
  this.timeout(60_000);
  let server: ServerProcess;
  let client: Client;
  const running: CtlProcess[] = [];

  /** Starts `synodctl --endpoints <server> watch ...args`. */
  const watch = (args: readonly string[], env: Readonly<Record<string, string>> = {}): CtlProcess => {
    const process = CtlProcess.start(['--endpoints', server.endpoint, 'watch', ...args], env);
    running.push(process);
    return process;
  };
  /** The revision the next write will get. */
  const nextRevision = async (): Promise<bigint> => (await client.get('any')).header.revision + 1n;
  /** Sends SIGINT and checks the clean exit etcdctl users expect from Ctrl-C. */
  const interrupt = async (process: CtlProcess, signal: NodeJS.Signals = 'SIGINT'): Promise<void> => {
    process.signal(signal);
    assert.deepEqual(await process.exited(), { code: 0, signal: null });
    assert.equal(process.stderr, '');
  };

  before(async () => {
    server = await ServerProcess.start({ args: ['--watch-progress-notify-interval-ms', '200'] });
    client = new Client({ endpoints: [server.endpoint] });
  });
  after(async () => {
    await Promise.all(running.map((process) => process.cleanup()));
    await client.close();
    await server.cleanup();
  });

  it('prints PUT/DELETE, key and value lines (the previous pair first with --prev-kv) from --rev on; SIGINT exits 0', async () => {
    const from = await nextRevision();
    const watcher = watch(['w1/', '--prefix', '--prev-kv', '--rev', String(from)]);
    await client.put('w1/a', '1');
    await client.put('w1/a', '2');
    await client.put('w1/b', 'x y');
    await client.delete('w1/a');
    await client.put('w1/c', '');
    const expected = 'PUT\nw1/a\n1\nPUT\nw1/a\n1\nw1/a\n2\nPUT\nw1/b\nx y\nDELETE\nw1/a\n2\nw1/a\n\nPUT\nw1/c\n\n';
    await watcher.waitForOutput('five events', (stdout) => stdout.length >= expected.length);
    assert.equal(watcher.stdout, expected);
    await interrupt(watcher);
  });

  it('without --rev, sees every change after it started: -w json prints etcdctl\'s WatchResponse per response', async () => {
    const watcher = watch(['w2/k', '-w', 'json']);
    // Nothing says when the watch is in place: write until the first change shows up.
    let written = 0;
    await waitFor('the watch to see a put', async () => {
      await client.put('w2/k', String(++written));
      return watcher.stdout.includes('\n') ? true : undefined;
    });
    const deleted = await client.delete('w2/k');
    await watcher.waitForLines(/"type":1/, 1);
    const responses = watcher.stdout.trimEnd().split('\n').map(parseGoJson);
    // Every put from the first one seen on, in order, then the delete: one response per revision.
    const values = responses.slice(0, -1).flatMap((seen) => seen.Events.map((event: { kv: { value: string } }) => Number(Buffer.from(event.kv.value, 'base64').toString())));
    assert.ok(values.length > 0);
    assert.deepEqual(values, Array.from({ length: written - values[0] + 1 }, (_, index) => values[0] + index));
    assert.equal(values.at(-1), written);
    const identity = loggedIdentity(server.logLines);
    const response = responses.at(-1);
    assert.deepEqual(Object.keys(response), ['Header', 'Events', 'CompactRevision', 'Canceled', 'Created']);
    assert.deepEqual(response.Header, {
      cluster_id: identity.clusterId,
      member_id: identity.memberId,
      revision: Number(deleted.header.revision),
      raft_term: Number(deleted.header.raftTerm),
    });
    assert.deepEqual(response.Events, [{ type: 1, kv: { key: b64('w2/k'), mod_revision: Number(deleted.header.revision) } }]);
    assert.deepEqual([response.CompactRevision, response.Canceled, response.Created], [0, false, false]);
    await interrupt(watcher, 'SIGTERM');
  });

  it('replays history in one response from --rev, then prints a compaction as etcdctl does and exits 5', async () => {
    const first = await client.put('w3/k', '1');
    const second = await client.put('w3/k', '2');
    const replay = watch(['w3/k', '--rev', String(first.header.revision), '-w', 'json']);
    const [line] = await replay.waitForLines(/^\{/, 1);
    assert.deepEqual(parseGoJson(line!).Events.map((event: { kv: { value: string } }) => event.kv.value), [b64('1'), b64('2')]);
    await interrupt(replay);
    await client.compact(second.header.revision);
    const compacted = watch(['w3/k', '--rev', String(first.header.revision)]);
    assert.deepEqual(await compacted.exited(), { code: 5, signal: null });
    assert.equal(compacted.stdout, '');
    assert.equal(compacted.stderr, 'watch was canceled (mvcc: required revision has been compacted)\nError: watch is canceled by the server\n');
    const json = watch(['w3/k', '--rev', String(first.header.revision), '-w', 'json']);
    assert.equal((await json.exited()).code, 5);
    const canceled = parseGoJson(json.stdout);
    assert.deepEqual([canceled.Events, canceled.CompactRevision, canceled.Canceled], [[], Number(second.header.revision), true]);
  });

  it('runs the command after -- for each event with the ETCD_WATCH_* variables, and stops at one that fails (exit 1)', async () => {
    const from = await nextRevision();
    const script = 'const e = process.env; console.log([e.ETCD_WATCH_REVISION, e.ETCD_WATCH_EVENT_TYPE, e.ETCD_WATCH_KEY, e.ETCD_WATCH_VALUE].join(" "))';
    const runner = watch(['w4/', '--prefix', '--rev', String(from), '--', process.execPath, '-e', script]);
    const put = await client.put('w4/a', 'say "hi"');
    // One event per response: ETCD_WATCH_REVISION is the response's revision, shared by its events.
    await runner.waitForLines(/"PUT" "w4\/a"/, 1);
    const deleted = await client.delete('w4/a');
    await runner.waitForLines(/"DELETE" "w4\/a"/, 1);
    assert.equal(
      runner.stdout,
      `PUT\nw4/a\nsay "hi"\n${put.header.revision} "PUT" "w4/a" "say \\"hi\\""\nDELETE\nw4/a\n\n${deleted.header.revision} "DELETE" "w4/a" ""\n`,
    );
    await interrupt(runner);
    const failing = watch(['w4/', '--prefix', '--rev', String(from), '--', process.execPath, '-e', 'process.exit(3)']);
    assert.deepEqual(await failing.exited(), { code: 1, signal: null });
    // Both events come back in one response from history: both are printed, then the first command fails.
    assert.ok(failing.stdout.startsWith('PUT\nw4/a\nsay "hi"\n'), failing.stdout);
    assert.equal(failing.stderr, `command [${JSON.stringify(process.execPath)} "-e" "process.exit(3)"] error (exit status 3)\n`);
  });

  it('--progress-notify prints "progress notify: <revision>" while idle; the key and range end can come from the environment', async () => {
    const notified = watch(['--progress-notify', '-w', 'fields'], { SYNODCTL_WATCH_KEY: 'w5/a', SYNODCTL_WATCH_RANGE_END: 'w5/c' });
    const revision = (await client.get('w5')).header.revision;
    const [line] = await notified.waitForLines(/^progress notify: /, 1);
    assert.ok(BigInt(line!.slice('progress notify: '.length)) >= revision);
    const put = await client.put('w5/b', 'in range');
    await client.put('w5/c', 'out of range');
    await notified.waitForOutput('the put in range', (stdout) => stdout.includes('"Key" : "w5/b"'));
    assert.match(notified.stdout, new RegExp(`"Revision" : ${put.header.revision}\n"RaftTerm" : \\d+\n"Type" : PUT\n"Key" : "w5/b"\n`));
    await interrupt(notified);
    assert.ok(!notified.stdout.includes('w5/c'));
  });

  it('-i reads watch and progress lines from stdin, each watch with its own flags; bad lines are reported and skipped', async () => {
    const from = await nextRevision();
    const interactive = watch(['-i']);
    interactive.write(`watch w6/a --rev ${from}\nbogus line\nwatch --prefix w6/b --prev-kv --rev ${from}\nwatch\n`);
    await client.put('w6/a', '1');
    await client.put('w6/b/x', '2');
    await client.put('w6/b/x', '3');
    // The two watches print in either order; each event's lines come whole.
    const expected = JSON.stringify(['w6/a\n1\n', 'w6/b/x\n2\n', 'w6/b/x\n2\nw6/b/x\n3\n']);
    await interactive.waitForOutput('three events', (stdout) => JSON.stringify(stdout.split('PUT\n').slice(1).sort()) === expected);
    interactive.write('progress\n');
    await interactive.waitForLines(/^progress notify: \d+$/, 2);
    interactive.signal('SIGINT');
    assert.deepEqual(await interactive.exited(), { code: 0, signal: null });
    assert.equal(interactive.stderr, 'Invalid command bogus line (only support watch)\nInvalid command watch (command type or key is not provided)\n');
  });

  it('keeps watching across a server restart, without losing or repeating an event', async () => {
    const from = await nextRevision();
    const watcher = watch(['w7/', '--prefix', '--rev', String(from)]);
    await client.put('w7/a', 'before');
    await watcher.waitForOutput('the event before the restart', (stdout) => stdout === 'PUT\nw7/a\nbefore\n');
    server = await server.restart();
    await client.put('w7/a', 'after');
    const expected = 'PUT\nw7/a\nbefore\nPUT\nw7/a\nafter\n';
    await watcher.waitForOutput('the event after the restart', (stdout) => stdout.length >= expected.length);
    assert.equal(watcher.stdout, expected);
    await interrupt(watcher);
  });
});

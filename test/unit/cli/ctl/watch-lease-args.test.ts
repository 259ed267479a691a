import assert from 'node:assert/strict';
import type { ResponseHeader, Watch, WatchEvent } from '../../../../client-sdk/index.js';
import { parseCommandLine } from '../../../../server/cli/ctl/flags.js';
import { parseWatchLine } from '../../../../server/cli/ctl/watch-interactive.js';
import { WATCH_FLAGS, watchRequest } from '../../../../server/cli/ctl/watch-request.js';
import { watchResponses } from '../../../../server/cli/ctl/watch-responses.js';
import { ctl, refused } from './in-process.js';

const flags = (argv: string[]) => parseCommandLine(argv, WATCH_FLAGS).flags;

describe('synodctl watch and lease argument checks (in-process, etcdctl 3.4 messages and exit codes)', () => {
  it('watch: refuses bad argument counts, a separator without a command and conflicting environment keys (exit 128)', async () => {
    await refused(['watch'], 128, 'bad number of arguments');
    await refused(['watch', '--', 'echo', 'hi'], 128, 'bad number of arguments');
    await refused(['watch', 'a', '--'], 128, 'bad number of arguments (found separator --, but no commands)');
    await refused(['watch', 'a', '--prefix', 'b'], 128, '`range_end` and `--prefix` are mutually exclusive');
    await refused(['watch', 'k'], 128, 'bad number of arguments (found conflicting environment key)', { env: { SYNODCTL_WATCH_KEY: 'k' } });
    await refused(['watch'], 128, 'SYNODCTL_WATCH_KEY is empty but got SYNODCTL_WATCH_RANGE_END="k"', { env: { SYNODCTL_WATCH_RANGE_END: 'k' } });
    await refused(['watch', 'a', '--rev', 'abc'], 1, 'invalid argument "abc" for "--rev" flag: strconv.ParseInt: parsing "abc": invalid syntax');
    await refused(['watch', 'a', '-w', 'table'], 4, 'table not supported as output format');
    await refused(['watch', '-i'], 3, 'Error reading watch request line: EOF');
  });

  it('watch: a range end only with exactly two keys, the empty prefix as every key, --rev only when positive', () => {
    const bytes = (...args: string[]): Buffer[] => args.map((arg) => Buffer.from(arg));
    assert.deepEqual(watchRequest(bytes('a', 'c'), flags([])).options, { rangeEnd: Buffer.from('c'), prevKv: false, progressNotify: false });
    assert.deepEqual(watchRequest(bytes('a', 'b', 'c'), flags(['--rev', '7', '--prev-kv'])), {
      key: Buffer.from('a'),
      options: { startRevision: 7n, prevKv: true, progressNotify: false },
    });
    assert.deepEqual(watchRequest(bytes(''), flags(['--prefix', '--progress-notify'])), {
      key: Buffer.of(0),
      options: { fromKey: true, prevKv: false, progressNotify: true },
    });
    assert.deepEqual(watchRequest(bytes('p/'), flags(['--prefix', '--rev', '0'])).options, { prefix: true, prevKv: false, progressNotify: false });
  });

  it('watch -i lines: their own flags, an exec command after --, and etcdctl\'s "Invalid command" reasons', () => {
    const line = parseWatchLine('watch --prefix "a b" --prev-kv -- sh -c "echo $ETCD_WATCH_KEY"', []);
    assert.equal(line.kind, 'watch');
    assert.deepEqual(line.kind === 'watch' && [line.request.key.toString(), line.request.options.prefix, line.request.options.prevKv, line.exec], [
      'a b',
      true,
      true,
      ['sh', '-c', 'echo $ETCD_WATCH_KEY'],
    ]);
    assert.deepEqual(parseWatchLine('progress', []), { kind: 'progress' });
    assert.deepEqual(parseWatchLine('', []), { kind: 'invalid', label: 'Invalid command: ', why: 'watch and progress supported' });
    assert.deepEqual(parseWatchLine('get a', []), { kind: 'invalid', label: 'Invalid command ', why: 'only support watch' });
    assert.deepEqual(parseWatchLine('watch', []), { kind: 'invalid', label: 'Invalid command ', why: 'command type or key is not provided' });
    assert.deepEqual(parseWatchLine('watch a b --prefix', []), { kind: 'invalid', label: 'Invalid command ', why: '`range_end` and `--prefix` are mutually exclusive' });
    const fromEnvironment = parseWatchLine('watch --rev 3', ['env/key']);
    assert.deepEqual(fromEnvironment.kind === 'watch' && [fromEnvironment.request.key.toString(), fromEnvironment.request.options.startRevision], ['env/key', 3n]);
    assert.throws(() => parseWatchLine('watch --rev x y', []), { exitCode: 128, message: 'invalid argument "x" for "--rev" flag: strconv.ParseInt: parsing "x": invalid syntax' });
    assert.throws(() => parseWatchLine('watch a --', []), { exitCode: 128, message: 'bad number of arguments (found separator --, but no commands)' });
    assert.throws(() => parseWatchLine('watch a', ['env/key']), { exitCode: 128, message: 'bad number of arguments (found conflicting environment key)' });
  });

  it('lease: refuses missing or extra arguments, and TTLs and ids etcdctl cannot parse (exit 128)', async () => {
    await refused(['lease', 'grant'], 128, 'lease grant command needs TTL argument');
    await refused(['lease', 'grant', '1', '2'], 128, 'lease grant command needs TTL argument');
    await refused(['lease', 'grant', 'abc'], 128, 'bad TTL (strconv.ParseInt: parsing "abc": invalid syntax)');
    await refused(['lease', 'grant', '0x10'], 128, 'bad TTL (strconv.ParseInt: parsing "0x10": invalid syntax)');
    await refused(['lease', 'revoke'], 128, 'lease revoke command needs 1 argument');
    await refused(['lease', 'revoke', '1', '2'], 128, 'lease revoke command needs 1 argument');
    await refused(['lease', 'revoke', 'zz'], 128, 'bad lease ID arg (strconv.ParseInt: parsing "zz": invalid syntax), expecting ID in Hex');
    await refused(['lease', 'revoke', 'ffffffffffffffffff'], 128, 'bad lease ID arg (strconv.ParseInt: parsing "ffffffffffffffffff": value out of range), expecting ID in Hex');
    await refused(['lease', 'timetolive'], 128, 'lease timetolive command needs lease ID as argument');
    await refused(['lease', 'keep-alive'], 128, 'lease keep-alive command needs lease ID as argument');
    await refused(['lease', 'keep-alive', 'qq'], 128, 'bad lease ID arg (strconv.ParseInt: parsing "qq": invalid syntax), expecting ID in Hex');
    await refused(['lease', 'list', '-w', 'table'], 4, 'table not supported as output format');
    await refused(['lease', 'grant', '10', '-w', 'table'], 4, 'table not supported as output format');
  });

  it('lease: a server that cannot be reached is exit 1 for grant and revoke (wrapped), exit 2 for the others', async () => {
    const grant = await ctl(['lease', 'grant', '10']);
    assert.equal(grant.code, 1);
    assert.match(grant.stderr, /^Error: failed to grant lease \(no endpoint is reachable: .*\)\n$/);
    const revoke = await ctl(['lease', 'revoke', '1']);
    assert.match(revoke.stderr, /^Error: failed to revoke lease \(/);
    for (const argv of [['lease', 'timetolive', '1'], ['lease', 'list'], ['lease', 'keep-alive', '--once', '1']]) {
      const run = await ctl(argv);
      assert.equal(run.code, 2, argv.join(' '));
      assert.match(run.stderr, /^Error: no endpoint is reachable: /);
    }
  });
});

describe('watchResponses: events regrouped into the responses the member sent', () => {
  const header = (revision: bigint): ResponseHeader => ({ clusterId: 1n, memberId: 2n, revision, raftTerm: 3n });
  const change = (revision: bigint, delivered: ResponseHeader): WatchEvent => {
    const kv = { key: Buffer.from(`k${revision}`), value: Buffer.from('v'), createRevision: revision, modRevision: revision, version: 1n, lease: 0n };
    return { type: 'put', kv, prevKv: null, revision, header: delivered };
  };

  /** A stand-in Watch yielding `batches`, each queued at once (as the SDK queues one response). */
  function fakeWatch(batches: WatchEvent[][], failure?: Error): Watch & { canceled: boolean } {
    const fake = {
      canceled: false,
      async *[Symbol.asyncIterator](): AsyncGenerator<WatchEvent> {
        for (const batch of batches) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          yield* batch;
        }
        if (failure !== undefined) throw failure;
      },
      async cancel(): Promise<void> {
        fake.canceled = true;
      },
    };
    return fake as unknown as Watch & { canceled: boolean };
  }

  it('keeps the events of one response together, splits at a new header or a progress event, and passes a failure on last', async () => {
    const first = header(5n);
    const second = header(5n); // equal fields, another response
    const progress: WatchEvent = { type: 'progress', revision: 6n, header: header(6n) };
    const failure = new Error('compacted');
    const watch = fakeWatch([[change(4n, first), change(5n, first), change(5n, second)], [progress], [change(7n, header(7n))]], failure);
    const seen: string[] = [];
    await assert.rejects(async () => {
      for await (const response of watchResponses(watch)) seen.push(`${response.header.revision}:${response.events.map((event) => event.revision).join(',')}`);
    }, failure);
    assert.deepEqual(seen, ['5:4,5', '5:5', '6:', '7:7']);
    assert.equal(watch.canceled, true, 'the watch is canceled when the iteration ends');
  });
});

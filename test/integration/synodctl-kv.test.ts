import assert from 'node:assert/strict';
import { Client } from '../../client-sdk/index.js';
import { ServerProcess } from './helpers/server-process.js';
import { ctlFor, expectFailure, expectOk, loggedIdentity, type CtlRun } from './helpers/synodctl.js';

type Ctl = ReturnType<typeof ctlFor>;

const b64 = (text: string): string => Buffer.from(text).toString('base64');

interface JsonKv {
  key: string;
  create_revision: number;
  mod_revision: number;
  version: number;
  value?: string;
  lease?: number;
}

describe('synodctl put/get/del against a real server', function () {
  this.timeout(30_000);
  let server: ServerProcess;
  let ctl: Ctl;
  let identity: { clusterId: string; memberId: string };
  // Sets up data where the CLI's own put is not what a test is about, saving a process per key.
  let client: Client;

  before(async () => {
    server = await ServerProcess.start();
    ctl = ctlFor(server.endpoint);
    identity = loggedIdentity(server.logLines);
    client = new Client({ endpoints: [server.endpoint] });
  });
  after(async () => {
    await client.close();
    await server.cleanup();
  });

  it('puts and gets in simple format: OK, then key and value lines, prev kv after OK', async () => {
    assert.equal(expectOk(await ctl(['put', 'simple/a', 'one'])).stdout, 'OK\n');
    assert.equal(expectOk(await ctl(['put', 'simple/a', 'two', '--prev-kv'])).stdout, 'OK\nsimple/a\none\n');
    assert.equal(expectOk(await ctl(['put', 'simple/b', '--', '-dash'])).stdout, 'OK\n');
    const [one, all, keys, values, missing] = await Promise.all([
      ctl(['get', 'simple/a']),
      ctl(['get', 'simple/', '--prefix']),
      ctl(['get', 'simple/', '--prefix', '--keys-only']),
      ctl(['get', 'simple/', '--prefix', '--print-value-only']),
      ctl(['get', 'simple/none']),
    ]);
    assert.equal(expectOk(one).stdout, 'simple/a\ntwo\n');
    assert.equal(expectOk(all).stdout, 'simple/a\ntwo\nsimple/b\n-dash\n');
    assert.equal(expectOk(keys).stdout, 'simple/a\n\nsimple/b\n\n');
    assert.equal(expectOk(values).stdout, 'two\n-dash\n');
    assert.equal(expectOk(missing).stdout, '');
  });

  it('takes the value from stdin when it is omitted, byte for byte, and refuses an empty stdin (exit 128)', async () => {
    const bytes = Buffer.from([0x61, 0x00, 0xff, 0x0a, 0x62, 0x0a]);
    expectOk(await ctl(['put', 'stdin/a'], { stdin: bytes }));
    const got = expectOk(await ctl(['get', 'stdin/a', '--print-value-only']));
    assert.deepEqual(got.stdoutBytes, Buffer.concat([bytes, Buffer.from('\n')]));
    const [json, hex] = await Promise.all([ctl(['get', 'stdin/a', '-w', 'json']), ctl(['get', 'stdin/a', '--hex'])]);
    assert.equal((JSON.parse(expectOk(json).stdout) as { kvs: JsonKv[] }).kvs[0]!.value, bytes.toString('base64'));
    assert.equal(expectOk(hex).stdout, '\\x73\\x74\\x64\\x69\\x6e\\x2f\\x61\n\\x61\\x00\\xff\\x0a\\x62\\x0a\n');
    expectFailure(await ctl(['put', 'stdin/b']), 128, 'put command needs 1 argument and input from stdin or 2 arguments');
  });

  it('prints get -w json as etcdctl: exact uint64 ids as numbers, base64 bytes, zero fields left out', async () => {
    await client.put('json/a', '1');
    await client.put('json/a', '2');
    await client.put('json/b', '3');
    const run = expectOk(await ctl(['get', 'json/', '--prefix', '--limit', '1', '-w', 'json']));
    assert.ok(run.stdout.endsWith('}\n') && !run.stdout.slice(0, -1).includes('\n'), 'one line');
    // The ids pass 2^53: check the digits in the text, since JSON.parse would round them.
    assert.match(run.stdout, new RegExp(`^\\{"header":\\{"cluster_id":${identity.clusterId},"member_id":${identity.memberId},"revision":\\d+,"raft_term":\\d+\\},"kvs":`));
    const parsed = JSON.parse(run.stdout) as { header: Record<string, unknown>; kvs: JsonKv[]; more: boolean; count: number };
    assert.deepEqual(Object.keys(parsed), ['header', 'kvs', 'more', 'count']);
    for (const field of ['cluster_id', 'member_id', 'revision', 'raft_term']) assert.equal(typeof parsed.header[field], 'number', field);
    const [kv] = parsed.kvs;
    assert.deepEqual(Object.keys(kv!), ['key', 'create_revision', 'mod_revision', 'version', 'value'], 'lease 0 is left out');
    assert.equal(kv!.key, b64('json/a'));
    assert.equal(kv!.value, b64('2'));
    assert.equal(kv!.version, 2);
    assert.equal(kv!.mod_revision, kv!.create_revision + 1);
    assert.equal(parsed.more, true);
    assert.equal(parsed.count, 2);
    const none = JSON.parse(expectOk(await ctl(['get', 'json/none', '-w', 'json'])).stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(none), ['header'], 'no kvs, count 0 and more false are all left out');
    const keysOnly = JSON.parse(expectOk(await ctl(['get', 'json/b', '--keys-only', '-w', 'json'])).stdout) as { kvs: JsonKv[] };
    assert.equal(keysOnly.kvs[0]!.value, undefined);
  });

  it('prints -w fields as etcdctl: quoted keys and values, More and Count, prev kv with the Prev prefix', async () => {
    const put = expectOk(await ctl(['put', 'fields/a', 'x\ty', '-w', 'fields']));
    assert.match(put.stdout, new RegExp(`^"ClusterID" : ${identity.clusterId}\n"MemberID" : ${identity.memberId}\n"Revision" : \\d+\n"RaftTerm" : \\d+\n$`));
    const again = expectOk(await ctl(['put', 'fields/a', 'z', '--prev-kv', '-w', 'fields']));
    assert.match(again.stdout, /\n"PrevKey" : "fields\/a"\n"PrevCreateRevision" : (\d+)\n"PrevModRevision" : \1\n"PrevVersion" : 1\n"PrevValue" : "x\\ty"\n"PrevLease" : 0\n$/);
    const get = expectOk(await ctl(['get', 'fields/a', '-w', 'fields']));
    assert.match(get.stdout, /\n"Key" : "fields\/a"\n"CreateRevision" : \d+\n"ModRevision" : \d+\n"Version" : 2\n"Value" : "z"\n"Lease" : 0\n"More" : false\n"Count" : 1\n$/);
    const count = expectOk(await ctl(['get', 'fields/', '--prefix', '--count-only', '-w', 'fields']));
    assert.match(count.stdout, /"RaftTerm" : \d+\n"More" : false\n"Count" : 1\n$/);
  });

  it('selects ranges: prefix, from-key, [key, range_end), limit, revision, sort and consistency', async () => {
    for (const [key, value] of [['range/b', '2'], ['range/a', '3'], ['range/c', '1']]) await client.put(key!, value!);
    const first = await client.get('range/a');
    await client.put('range/a', '4');
    const keys = (run: CtlRun): string => expectOk(run).stdout.split('\n').filter((_, index) => index % 2 === 0).join(' ').trim();
    const runs = await Promise.all([
      ctl(['get', 'range/', '--prefix']),
      ctl(['get', 'range/b', '--from-key', '--limit', '2']),
      ctl(['get', 'range/a', 'range/c']),
      ctl(['get', 'range/', '--prefix', '--limit', '2']),
      ctl(['get', 'range/', '--prefix', '--sort-by', 'value', '--order', 'DESCEND']),
      ctl(['get', 'range/', '--prefix', '--consistency', 's', '--sort-by=CREATE']),
      ctl(['get', 'range/a', '--rev', String(first.kvs[0]!.modRevision), '--print-value-only']),
    ]);
    assert.deepEqual(runs.slice(0, 6).map(keys), [
      'range/a range/b range/c',
      'range/b range/c',
      'range/a range/b',
      'range/a range/b',
      'range/a range/b range/c',
      'range/b range/a range/c',
    ]);
    assert.equal(expectOk(runs[6]!).stdout, '3\n', '--rev reads the past value');
  });

  it('keeps the current value with --ignore-value, takes --ignore-lease on an existing key, relays server refusals', async () => {
    await client.put('ignore/a', 'kept');
    assert.equal(expectOk(await ctl(['put', 'ignore/a', '--ignore-value', '--prev-kv'])).stdout, 'OK\nignore/a\nkept\n');
    assert.equal(expectOk(await ctl(['put', 'ignore/a', 'new', '--ignore-lease'])).stdout, 'OK\n');
    assert.equal(expectOk(await ctl(['get', 'ignore/a', '--print-value-only'])).stdout, 'new\n');
    const [both, missing, noLease] = await Promise.all([
      ctl(['put', 'ignore/a', 'v', '--ignore-value']),
      ctl(['put', 'ignore/none', '--ignore-value']),
      ctl(['put', 'ignore/a', 'v', '--lease', '1234']),
    ]);
    expectFailure(both, 128, "put command needs only 1 argument when 'ignore-value' is set");
    expectFailure(missing, 1, 'key not found');
    expectFailure(noLease, 1, 'requested lease not found');
  });

  it('deletes: prints the count, then the deleted kvs with --prev-kv, in every format', async () => {
    for (const key of ['del/a', 'del/b', 'del/c', 'del/d', 'del/e']) await client.put(key, `v-${key}`);
    assert.equal(expectOk(await ctl(['del', 'del/none'])).stdout, '0\n');
    assert.equal(expectOk(await ctl(['del', 'del/a', '--prev-kv'])).stdout, '1\ndel/a\nv-del/a\n');
    assert.equal(expectOk(await ctl(['del', 'del/b', 'del/d'])).stdout, '2\n');
    const json = JSON.parse(expectOk(await ctl(['del', 'del/d', '--prev-kv', '-w', 'json'])).stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(json), ['header', 'deleted', 'prev_kvs']);
    assert.equal(json['deleted'], 1);
    assert.equal((json['prev_kvs'] as JsonKv[])[0]!.value, b64('v-del/d'));
    const fields = expectOk(await ctl(['del', 'del/', '--prefix', '-w', 'fields']));
    assert.match(fields.stdout, /"RaftTerm" : \d+\n"Deleted" : 1\n$/);
    assert.equal((await client.get('del/', { prefix: true })).count, 0n);
    // The last keys of this file's key space, so --from-key reaches only them.
    for (const key of ['zz/x', 'zz/y', 'zz0']) await client.put(key, '1');
    assert.equal(expectOk(await ctl(['del', 'zz/y', '--from-key'])).stdout, '2\n', 'zz/y and zz0');
    assert.equal((await client.get('zz/x')).count, 1n);
  });

  it('refuses an output format that cannot print the result before sending the request (exit 4)', async () => {
    expectFailure(await ctl(['put', 'refused/table', 'v', '-w', 'table']), 4, 'table not supported as output format');
    assert.equal((await client.get('refused/table')).count, 0n, 'etcdctl would have written it, then failed');
  });

  it('reports an empty key as the server does: exit 1, "Error: key is not provided"', async () => {
    const runs = await Promise.all([ctl(['put', '', 'v']), ctl(['get', '']), ctl(['del', ''])]);
    for (const run of runs) expectFailure(run, 1, 'key is not provided');
  });
});

import assert from 'node:assert/strict';
import type { Client } from '../../client-sdk/index.js';
import { humanizeBytes } from '../../server/cli/ctl/printers/cluster-rows.js';
import { SYNOD_VERSION } from '../../server/version.js';
import { TestCluster } from './helpers/cluster.js';
import { closedPort, expectFailure, expectOk, runCtl, type CtlRun } from './helpers/synodctl.js';
import { fieldPairs, hex, parseGoJson, publishedMembers, tableHeaders, tableRows } from './synodctl-cluster-helpers.js';

const STATUS_KEYS = ['header', 'version', 'dbSize', 'leader', 'raftIndex', 'raftTerm', 'raftAppliedIndex', 'dbSizeInUse'];
const GO_DURATION = /^\d+(\.\d+)?(ns|µs|ms|s)$|^\d+m\d+(\.\d+)?s$/;

describe('synodctl endpoint status/health/hashkv and move-leader against a real 3-member cluster', function () {
  this.timeout(60_000);
  let cluster: TestCluster;
  let client: Client;
  /** Member ids by member index. */
  let ids: bigint[];
  let deadEndpoint: string;
  const ctl = (args: readonly string[]): Promise<CtlRun> => runCtl(['--endpoints', cluster.endpoints.join(','), ...args]);
  const inFormats = (args: readonly string[]): Promise<[CtlRun, CtlRun, CtlRun, CtlRun]> =>
    Promise.all([ctl([...args, '-w', 'json']), ctl([...args, '-w', 'simple']), ctl([...args, '-w', 'table']), ctl([...args, '-w', 'fields'])]);

  before(async () => {
    cluster = await TestCluster.start({ size: 3 });
    client = cluster.client();
    const members = await publishedMembers(client, 3);
    ids = cluster.endpoints.map((endpoint) => members.find((member) => member.clientURLs.includes(`http://${endpoint}`))!.id);
    for (let i = 0; i < 5; i++) await client.put(`ep/${i}`, String(i));
    deadEndpoint = `127.0.0.1:${await closedPort()}`;
  });
  after(async () => {
    await client.close();
    await cluster.cleanup();
  });

  it("endpoint status: one entry per endpoint with etcdctl's fields, the same facts in all four formats", async () => {
    const leader = await cluster.waitForLeader();
    const [json, simple, table, fields] = await inFormats(['endpoint', 'status']);
    const entries = parseGoJson(expectOk(json).stdout) as { Endpoint: string; Status: Record<string, any> }[];
    assert.deepEqual(entries.map((entry) => entry.Endpoint), cluster.endpoints);
    const rows = entries.map(({ Endpoint, Status }, i) => {
      assert.deepEqual(Object.keys(Status), STATUS_KEYS);
      assert.equal(BigInt(Status['header'].member_id), ids[i]);
      assert.equal(BigInt(Status['leader']), ids[leader]);
      assert.equal(Status['version'], SYNOD_VERSION);
      assert.ok(Status['dbSize'] > 0 && Status['dbSizeInUse'] > 0 && Status['raftAppliedIndex'] > 0);
      return [Endpoint, hex(ids[i]!), SYNOD_VERSION, humanizeBytes(BigInt(Status['dbSize'])), String(i === leader), 'false', String(Status['raftTerm']), String(Status['raftIndex']), String(Status['raftAppliedIndex']), ''];
    });
    assert.equal(expectOk(simple).stdout, rows.map((row) => `${row.join(', ')}\n`).join(''));
    assert.deepEqual(tableHeaders(expectOk(table).stdout), ['ENDPOINT', 'ID', 'VERSION', 'DB SIZE', 'IS LEADER', 'IS LEARNER', 'RAFT TERM', 'RAFT INDEX', 'RAFT APPLIED INDEX', 'ERRORS']);
    assert.deepEqual(tableRows(table.stdout), rows);
    const pairs = fieldPairs(expectOk(fields).stdout);
    const names = ['ClusterID', 'MemberID', 'Revision', 'RaftTerm', 'Version', 'DBSize', 'Leader', 'IsLearner', 'RaftIndex', 'RaftTerm', 'RaftAppliedIndex', 'Errors', 'Endpoint'];
    assert.deepEqual(pairs.map(([name]) => name), [...names, ...names, ...names]);
    assert.deepEqual(pairs.filter(([name]) => name === 'Endpoint').map(([, value]) => value), cluster.endpoints.map((endpoint) => `"${endpoint}"`));
    assert.ok(fields.stdout.endsWith('"Errors" : []\n"Endpoint" : "' + cluster.endpoints[2] + '"\n\n'));
  });

  it('--cluster reaches every member at the client URL it published, given one endpoint', async () => {
    const status = await runCtl(['--endpoints', cluster.endpoint(1), 'endpoint', 'status', '--cluster', '-w', 'json']);
    const { members } = await client.cluster.memberList();
    const entries = parseGoJson(expectOk(status).stdout) as { Endpoint: string; Status: { header: { member_id: string } } }[];
    assert.deepEqual(entries.map((entry) => [entry.Endpoint, BigInt(entry.Status.header.member_id)]), members.map((member) => [member.clientURLs[0], member.id]));
  });

  it('endpoint status with an endpoint down: prints the others, reports it on stderr, exits 1', async () => {
    const run = await runCtl(['--endpoints', `${cluster.endpoint(0)},${deadEndpoint}`, '--command-timeout', '300ms', 'endpoint', 'status']);
    assert.equal(run.code, 1);
    assert.match(run.stdout, new RegExp(`^${cluster.endpoint(0)}, ${hex(ids[0]!)}, ${SYNOD_VERSION}, .*, \n$`));
    assert.match(run.stderr, new RegExp(`^Failed to get the status of endpoint ${deadEndpoint} \\(.+\\)\n$`));
  });

  it('endpoint health: a timed linearizable read per endpoint; simple on stderr, then json, table and fields', async () => {
    const [json, simple] = await Promise.all([ctl(['endpoint', 'health', '-w', 'json']), ctl(['endpoint', 'health'])]);
    assert.equal(simple.code, 0);
    assert.equal(simple.stdout, '');
    const lines = simple.stderr.trimEnd().split('\n');
    assert.deepEqual(lines.map((line) => line.replace(/ took = .*$/, '')), cluster.endpoints.map((endpoint) => `${endpoint} is healthy: successfully committed proposal:`));
    for (const line of lines) assert.match(line.split(' took = ')[1]!, GO_DURATION);
    const probes = parseGoJson(expectOk(json).stdout) as { endpoint: string; health: boolean; took: string }[];
    assert.deepEqual(probes.map((probe) => Object.keys(probe)), [0, 1, 2].map(() => ['endpoint', 'health', 'took']));
    assert.deepEqual(probes.map((probe) => [probe.endpoint, probe.health]), cluster.endpoints.map((endpoint) => [endpoint, true]));
    const down = await runCtl(['--endpoints', `${cluster.endpoint(2)},${deadEndpoint}`, '--command-timeout', '300ms', 'endpoint', 'health', '-w', 'json']);
    assert.deepEqual([down.code, down.stderr], [1, 'Error: unhealthy cluster\n']);
    const [up, unreachable] = parseGoJson(down.stdout) as { endpoint: string; health: boolean; error?: string }[];
    assert.deepEqual([up?.endpoint, up?.health, up?.error], [cluster.endpoint(2), true, undefined]);
    assert.deepEqual([unreachable?.endpoint, unreachable?.health], [deadEndpoint, false]);
    assert.match(unreachable?.error ?? '', /.+/);
  });

  it('endpoint hashkv: the same hash on every member, at the latest revision and at --rev', async () => {
    const written = await client.put('ep/last', 'x');
    const revision = written.header.revision;
    const [json, simple, atRev] = await Promise.all([
      ctl(['endpoint', 'hashkv', '-w', 'json']),
      ctl(['endpoint', 'hashkv']),
      ctl(['endpoint', 'hashkv', '--rev', String(revision - 1n), '-w', 'json']),
    ]);
    const entries = parseGoJson(expectOk(json).stdout) as { Endpoint: string; HashKV: Record<string, any> }[];
    assert.deepEqual(entries.map((entry) => entry.Endpoint), cluster.endpoints);
    const hash = entries[0]!.HashKV['hash'] as number;
    for (const { HashKV } of entries) {
      assert.deepEqual(Object.keys(HashKV), ['header', 'hash', 'hash_revision']);
      assert.deepEqual([HashKV['hash'], BigInt(HashKV['hash_revision'])], [hash, revision]);
    }
    assert.equal(expectOk(simple).stdout, cluster.endpoints.map((endpoint) => `${endpoint}, ${hash}\n`).join(''));
    const earlier = parseGoJson(expectOk(atRev).stdout) as { HashKV: Record<string, any> }[];
    assert.equal(new Set(earlier.map(({ HashKV }) => HashKV['hash'])).size, 1);
    assert.notEqual(earlier[0]!.HashKV['hash'], hash);
    assert.deepEqual(earlier.map(({ HashKV }) => BigInt(HashKV['hash_revision'])), [revision - 1n, revision - 1n, revision - 1n]);

    await client.compact(revision);
    const compacted = await ctl(['endpoint', 'hashkv', '--rev', String(revision - 1n)]);
    assert.equal(compacted.code, 1);
    assert.equal(compacted.stdout, '');
    const failures = compacted.stderr.split('\n').slice(0, 3);
    assert.deepEqual(failures.map((line) => line.replace(/ \(.*\)$/, '')), cluster.endpoints.map((endpoint) => `Failed to get the hash of endpoint ${endpoint}`));
    assert.match(compacted.stderr, /\nError: mvcc: required revision has been compacted.*\n$/);
  });

  it('move-leader: finds the leader among the endpoints and hands leadership to the member named', async () => {
    const leader = await cluster.waitForLeader();
    const target = (leader + 1) % 3;
    const moved = await ctl(['move-leader', hex(ids[target]!)]);
    assert.equal(expectOk(moved).stdout, `Leadership transferred from ${hex(ids[leader]!)} to ${hex(ids[target]!)}\n`);
    assert.equal(await cluster.waitForLeader(), target);
    const back = await ctl(['move-leader', hex(ids[leader]!), '-w', 'json']);
    assert.deepEqual(Object.keys(parseGoJson(expectOk(back).stdout)), ['header']);
    assert.equal(await cluster.waitForLeader(), leader);
  });

  it('move-leader: refuses without the leader among the endpoints (128) and names a non-voter (1)', async () => {
    const leader = await cluster.waitForLeader();
    const followers = [0, 1, 2].filter((i) => i !== leader).map((i) => cluster.endpoint(i));
    const [noLeader, stranger] = await Promise.all([
      runCtl(['--endpoints', followers.join(','), 'move-leader', hex(ids[leader]!)]),
      ctl(['move-leader', 'abc']),
    ]);
    expectFailure(noLeader, 128, `no leader endpoint given at [${followers.join(' ')}]`);
    assert.equal(stranger.code, 1);
    assert.match(stranger.stderr, /^Error: .*not a voting member.*\n$/);
  });

  it('endpoint health: a member cut off from the others cannot serve a linearizable read, so it is unhealthy', async () => {
    const leader = await cluster.waitForLeader();
    const cutOff = (leader + 1) % 3;
    cluster.isolate(cutOff);
    try {
      const run = await ctl(['--command-timeout', '500ms', 'endpoint', 'health', '-w', 'json']);
      assert.deepEqual([run.code, run.stderr], [1, 'Error: unhealthy cluster\n']);
      const probes = parseGoJson(run.stdout) as { endpoint: string; health: boolean; error?: string }[];
      assert.deepEqual(probes.map((probe) => [probe.endpoint, probe.health, probe.error === undefined]), cluster.endpoints.map((endpoint, i) => [endpoint, i !== cutOff, i !== cutOff]));
    } finally {
      cluster.heal();
    }
  });
});

import assert from 'node:assert/strict';
import { Client } from '../../client-sdk/index.js';
import { ServerProcess } from './helpers/server-process.js';
import { ctlFor, expectFailure, expectOk, loggedIdentity } from './helpers/synodctl.js';
import { CtlProcess } from './helpers/synodctl-process.js';
import { waitFor } from './helpers/wait-for.js';
import { parseGoJson } from './synodctl-cluster-helpers.js';

type Ctl = ReturnType<typeof ctlFor>;

/** The id in `lease <16 hex digits> granted with TTL(<ttl>s)`, checking the whole line. */
function grantedId(stdout: string, ttlSeconds: number): bigint {
  const match = new RegExp(`^lease ([0-9a-f]{16}) granted with TTL\\(${ttlSeconds}s\\)\\n$`).exec(stdout);
  assert.ok(match !== null, `not a grant message: ${JSON.stringify(stdout)}`);
  return BigInt(`0x${match[1]}`);
}

const hex16 = (id: bigint): string => id.toString(16).padStart(16, '0');

describe('synodctl lease commands against a real server', function () {
  this.timeout(60_000);
  let server: ServerProcess;
  let ctl: Ctl;
  let client: Client;
  let identity: { clusterId: string; memberId: string };
  const running: CtlProcess[] = [];

  before(async () => {
    // An election timeout of 1 s makes the shortest TTL 2 s (1.5 election timeouts, rounded up).
    server = await ServerProcess.start({ args: ['--election-timeout', '1000'] });
    ctl = ctlFor(server.endpoint);
    client = new Client({ endpoints: [server.endpoint] });
    identity = loggedIdentity(server.logLines);
  });
  after(async () => {
    await Promise.all(running.map((process) => process.cleanup()));
    await client.close();
    await server.cleanup();
  });

  it('grant, put --lease, timetolive --keys, revoke: the keys go with the lease, in etcdctl\'s words', async () => {
    const id = grantedId(expectOk(await ctl(['lease', 'grant', '60'])).stdout, 60);
    const leaseArg = id.toString(16);
    expectOk(await ctl(['put', 'lease1/a', '1', '--lease', leaseArg]));
    await client.put('lease1/b', '2', { lease: id });
    const shown = expectOk(await ctl(['lease', 'timetolive', leaseArg, '--keys'])).stdout;
    const match = new RegExp(`^lease ${hex16(id)} granted with TTL\\(60s\\), remaining\\((\\d+)s\\), attached keys\\(\\[lease1/a lease1/b\\]\\)\\n$`).exec(shown);
    assert.ok(match !== null, shown);
    assert.ok(Number(match[1]) > 30 && Number(match[1]) <= 60, `remaining ${match[1]}`);
    assert.match(expectOk(await ctl(['lease', 'timetolive', leaseArg])).stdout, new RegExp(`^lease ${hex16(id)} granted with TTL\\(60s\\), remaining\\(\\d+s\\)\\n$`));
    assert.equal(expectOk(await ctl(['lease', 'revoke', leaseArg])).stdout, `lease ${hex16(id)} revoked\n`);
    assert.equal((await client.get('lease1/', { prefix: true })).count, 0n, 'the attached keys were deleted');
    assert.equal(expectOk(await ctl(['lease', 'timetolive', leaseArg, '--keys'])).stdout, `lease ${hex16(id)} already expired\n`);
    expectFailure(await ctl(['lease', 'revoke', leaseArg]), 1, 'failed to revoke lease (requested lease not found)');
  });

  it('grant, timetolive, list, keep-alive --once and revoke in -w json: the structs etcdctl 3.4 prints', async () => {
    const granted = parseGoJson(expectOk(await ctl(['lease', 'grant', '60', '-w', 'json'])).stdout);
    assert.deepEqual(Object.keys(granted), ['cluster_id', 'member_id', 'revision', 'raft_term', 'ID', 'TTL', 'Error']);
    assert.deepEqual([granted.cluster_id, granted.member_id, granted.TTL, granted.Error], [identity.clusterId, identity.memberId, 60, '']);
    const id = BigInt(granted.ID);
    await client.put('lease2/k', 'v', { lease: id });
    const ttl = parseGoJson(expectOk(await ctl(['lease', 'timetolive', id.toString(16), '--keys', '-w', 'json'])).stdout);
    assert.deepEqual(Object.keys(ttl), ['cluster_id', 'member_id', 'revision', 'raft_term', 'id', 'ttl', 'granted-ttl', 'keys']);
    assert.deepEqual([BigInt(ttl.id), ttl['granted-ttl'], ttl.keys], [id, 60, [Buffer.from('lease2/k').toString('base64')]]);
    const noKeys = parseGoJson(expectOk(await ctl(['lease', 'timetolive', id.toString(16), '-w', 'json'])).stdout);
    assert.equal(noKeys.keys, null);
    const listed = parseGoJson(expectOk(await ctl(['lease', 'list', '-w', 'json'])).stdout);
    assert.ok(listed.leases.some((lease: { id: string | number }) => BigInt(lease.id) === id));
    const renewed = parseGoJson(expectOk(await ctl(['lease', 'keep-alive', '--once', id.toString(16), '-w', 'json'])).stdout);
    assert.deepEqual(Object.keys(renewed), ['cluster_id', 'member_id', 'revision', 'raft_term', 'ID', 'TTL']);
    assert.deepEqual([BigInt(renewed.ID), renewed.TTL], [id, 60]);
    const revoked = parseGoJson(expectOk(await ctl(['lease', 'revoke', id.toString(16), '-w', 'json'])).stdout);
    assert.deepEqual(Object.keys(revoked), ['header']);
    assert.equal(revoked.header.revision, Number((await client.get('lease2/k')).header.revision), 'the revoke deleted the key at its revision');
  });

  it('list: "found N leases" then one %016x id per line, every lease the server has', async () => {
    const ids = [grantedId(expectOk(await ctl(['lease', 'grant', '60'])).stdout, 60), (await client.lease.grant(60, { keepAlive: false })).id];
    const all = (await client.lease.list()).ids;
    const stdout = expectOk(await ctl(['lease', 'list'])).stdout;
    assert.equal(stdout, `found ${all.length} leases\n${all.map((id) => `${hex16(id)}\n`).join('')}`);
    for (const id of ids) assert.ok(stdout.includes(`\n${hex16(id)}\n`));
  });

  it('keep-alive --once renews the lease to its full TTL; a missing lease is exit 2', async () => {
    const id = grantedId(expectOk(await ctl(['lease', 'grant', '10'])).stdout, 10);
    // The lease's clock runs: wait until the member reckons at least two seconds gone.
    await waitFor('the lease to age', async () => ((await client.lease.timeToLive(id)).ttlSeconds <= 8 ? true : undefined));
    assert.equal(expectOk(await ctl(['lease', 'keep-alive', '--once', id.toString(16)])).stdout, `lease ${hex16(id)} keepalived with TTL(10)\n`);
    assert.ok((await client.lease.timeToLive(id)).ttlSeconds >= 9, 'renewed to the full TTL');
    expectFailure(await ctl(['lease', 'keep-alive', '--once', '1234abcd']), 2, 'requested lease not found');
    assert.equal(expectOk(await ctl(['lease', 'timetolive', '1234abcd'])).stdout, 'lease 000000001234abcd already expired\n');
  });

  it('keep-alive renews every TTL/3 until the lease is revoked, then says so and exits 0', async () => {
    const lease = await client.lease.grant(3, { keepAlive: false });
    const keeper = CtlProcess.start(['--endpoints', server.endpoint, 'lease', 'keep-alive', lease.id.toString(16)]);
    running.push(keeper);
    const line = `lease ${hex16(lease.id)} keepalived with TTL(3)`;
    // Two renewals: the first at once, the second a third of the TTL later.
    assert.deepEqual(await keeper.waitForLines(/keepalived/, 2), [line, line]);
    await client.lease.revoke(lease.id);
    await keeper.waitForOutput('the end of the lease', (stdout) => stdout.endsWith(`lease ${hex16(lease.id)} expired or revoked.\n`));
    assert.deepEqual(await keeper.exited(), { code: 0, signal: null });
    assert.equal(keeper.stderr, '');
  });

  it('keep-alive ends cleanly on SIGINT (exit 0), leaving the lease to its TTL', async () => {
    const lease = await client.lease.grant(30, { keepAlive: false });
    const keeper = CtlProcess.start(['--endpoints', server.endpoint, 'lease', 'keep-alive', lease.id.toString(16), '-w', 'json']);
    running.push(keeper);
    const [first] = await keeper.waitForLines(/"TTL":30/, 1);
    assert.deepEqual([BigInt(parseGoJson(first!).ID), parseGoJson(first!).TTL], [lease.id, 30]);
    keeper.signal('SIGINT');
    assert.deepEqual(await keeper.exited(), { code: 0, signal: null });
    assert.equal(keeper.stderr, '');
    assert.ok((await client.lease.timeToLive(lease.id)).ttlSeconds > 0, 'not revoked');
  });
});

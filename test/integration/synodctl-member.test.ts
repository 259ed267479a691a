import assert from 'node:assert/strict';
import type { Client, Member, MemberListResult } from '../../client-sdk/index.js';
import { TestCluster, freePort } from './helpers/cluster.js';
import { ServerProcess } from './helpers/server-process.js';
import { expectFailure, expectOk, runCtl, type CtlRun } from './helpers/synodctl.js';
import { waitFor } from './helpers/wait-for.js';
import { hex, parseGoJson, publishedMembers, tableHeaders, tableRows } from './synodctl-cluster-helpers.js';

/** Go's %16x, as etcdctl's member messages print ids. */
const hex16 = (id: bigint): string => hex(id).padStart(16, ' ');

const memberJson = (m: Member): string =>
  `{"ID":${m.id}${m.name === '' ? '' : `,"name":"${m.name}"`},"peerURLs":${JSON.stringify(m.peerURLs)}` +
  `${m.clientURLs.length === 0 ? '' : `,"clientURLs":${JSON.stringify(m.clientURLs)}`}${m.isLearner ? ',"isLearner":true' : ''}}`;

describe('synodctl member commands against a real 3-member cluster', function () {
  this.timeout(60_000);
  let cluster: TestCluster;
  let client: Client;
  let joined: ServerProcess | null = null;
  const ctl = (args: readonly string[]): Promise<CtlRun> => runCtl(['--endpoints', cluster.endpoints.join(','), ...args]);
  const list = (): Promise<MemberListResult> => client.cluster.memberList();

  before(async () => {
    cluster = await TestCluster.start({ size: 3 });
    client = cluster.client();
    await publishedMembers(client, 3);
  });
  after(async () => {
    await joined?.cleanup();
    await client.close();
    await cluster.cleanup();
  });

  it("member list: every member, ids in hex, in etcdctl's four formats", async () => {
    // One endpoint, so the header is that member's; the cluster is idle, so it is the one read here.
    const one = cluster.client([0]);
    const expected = await one.cluster.memberList();
    await one.close();
    const listIn = (format: string): Promise<CtlRun> => runCtl(['--endpoints', cluster.endpoint(0), 'member', 'list', '-w', format]);
    const [simple, json, table, fields] = await Promise.all([listIn('simple'), listIn('json'), listIn('table'), listIn('fields')]);
    const rows = expected.members.map((m) => [hex(m.id), 'started', m.name, m.peerURLs.join(','), m.clientURLs.join(','), 'false']);
    assert.deepEqual(expected.members.map((m) => m.name).sort(), ['m1', 'm2', 'm3']);
    assert.equal(expectOk(simple).stdout, rows.map((row) => `${row.join(', ')}\n`).join(''));
    const { clusterId, memberId, revision, raftTerm } = expected.header;
    assert.equal(
      expectOk(json).stdout,
      `{"header":{"cluster_id":${clusterId},"member_id":${memberId},"revision":${revision},"raft_term":${raftTerm}},"members":[${expected.members.map(memberJson).join(',')}]}\n`,
    );
    assert.deepEqual(tableHeaders(expectOk(table).stdout), ['ID', 'STATUS', 'NAME', 'PEER ADDRS', 'CLIENT ADDRS', 'IS LEARNER']);
    assert.deepEqual(tableRows(table.stdout), rows);
    const memberFields = expected.members.map(
      (m) => `"ID" : ${m.id}\n"Name" : "${m.name}"\n"PeerURL" : "${m.peerURLs[0]}"\n"ClientURL" : "${m.clientURLs[0]}"\n"IsLearner" : false\n\n`,
    );
    assert.equal(expectOk(fields).stdout, `"ClusterID" : ${clusterId}\n"MemberID" : ${memberId}\n"Revision" : ${revision}\n"RaftTerm" : ${raftTerm}\n${memberFields.join('')}`);
  });

  it('member add --learner, update and remove: etcdctl\'s messages, and the list shows each change', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const added = await ctl(['member', 'add', 'newbie', '--peer-urls', url, '--learner']);
    const withLearner = await list();
    const learner = withLearner.members.find((m) => m.peerURLs.includes(url))!;
    assert.deepEqual([learner.name, learner.isLearner], ['', true]);
    const initialCluster = withLearner.members.flatMap((m) => m.peerURLs.map((peer) => `${m.id === learner.id ? 'newbie' : m.name}=${peer}`)).join(',');
    const clusterId = hex16(withLearner.header.clusterId);
    assert.equal(
      expectOk(added).stdout,
      `Member ${hex16(learner.id)} added to cluster ${clusterId}\n\n` +
        `SYNOD_NAME="newbie"\nSYNOD_INITIAL_CLUSTER="${initialCluster}"\nSYNOD_INITIAL_ADVERTISE_PEER_URLS="${url}"\nSYNOD_INITIAL_CLUSTER_STATE="existing"\n`,
    );
    const shown = await ctl(['member', 'list']);
    assert.ok(expectOk(shown).stdout.split('\n').includes(`${hex(learner.id)}, unstarted, , ${url}, , true`), shown.stdout);

    const urls = [`http://127.0.0.1:${await freePort()}`, `http://127.0.0.1:${await freePort()}`];
    const updated = await ctl(['member', 'update', hex(learner.id), `--peer-urls=${urls.join(',')}`]);
    assert.equal(expectOk(updated).stdout, `Member ${hex16(learner.id)} updated in cluster ${clusterId}\n`);
    assert.deepEqual((await list()).members.find((m) => m.id === learner.id)?.peerURLs, [...urls].sort());

    const removed = await ctl(['member', 'remove', hex(learner.id), '-w', 'json']);
    const answer = parseGoJson(expectOk(removed).stdout) as { header: Record<string, string>; members: { ID: string }[] };
    assert.deepEqual(Object.keys(answer), ['header', 'members']);
    assert.equal(answer.members.length, 3);
    assert.ok(!answer.members.some((m) => BigInt(m.ID) === learner.id));
    const again = await ctl(['member', 'remove', hex(learner.id)]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^Error: member \d+ not found\n$/);
  });

  it('refuses a format member add cannot print, and a bad peer URL, before adding anything', async () => {
    const before = (await list()).members.length;
    const url = `http://127.0.0.1:${await freePort()}`;
    const [table, badUrl] = await Promise.all([
      ctl(['member', 'add', 'x', '--peer-urls', url, '--learner', '-w', 'table']),
      ctl(['member', 'add', 'x', '--peer-urls', 'http://127.0.0.1', '--learner']),
    ]);
    expectFailure(table, 4, 'table not supported as output format');
    expectFailure(badUrl, 1, 'URL address does not have the form "host:port": http://127.0.0.1');
    assert.equal((await list()).members.length, before);
  });

  it('member promote: a learner started with the SYNOD_* settings member add printed catches up and becomes a voter', async () => {
    const peerUrl = `http://127.0.0.1:${await freePort()}`;
    const added = expectOk(await ctl(['member', 'add', 'm4', '--peer-urls', peerUrl, '--learner']));
    const settings = Object.fromEntries([...added.stdout.matchAll(/^(SYNOD_[A-Z_]+)=(".*")$/gm)].map((match) => [match[1]!, JSON.parse(match[2]!) as string]));
    assert.deepEqual(Object.keys(settings), ['SYNOD_NAME', 'SYNOD_INITIAL_CLUSTER', 'SYNOD_INITIAL_ADVERTISE_PEER_URLS', 'SYNOD_INITIAL_CLUSTER_STATE']);
    joined = await ServerProcess.start({
      // A fixed client port: a member advertises its listen URL as given, and port 0 is no address.
      port: await freePort(),
      args: ['--listen-peer-urls', peerUrl, '--heartbeat-interval', String(cluster.heartbeatMs), '--election-timeout', String(cluster.electionMs)],
      env: settings,
    });
    const learner = (await list()).members.find((m) => m.peerURLs.includes(peerUrl))!;
    // Refused (learner_not_ready) until the learner has caught up with the leader's log.
    const promoted = await waitFor('the learner promoted', async () => {
      const run = await ctl(['--command-timeout', '1s', 'member', 'promote', hex(learner.id)]);
      return run.code === 0 ? run : undefined;
    });
    assert.equal(expectOk(promoted).stdout, `Member ${hex16(learner.id)} promoted in cluster ${hex16((await list()).header.clusterId)}\n`);
    const members = await publishedMembers(client, 4);
    assert.deepEqual(
      members.filter((m) => m.id === learner.id).map((m) => [m.name, m.isLearner, m.clientURLs]),
      [['m4', false, [`http://${joined.endpoint}`]]],
    );
  });
});

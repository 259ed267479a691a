import assert from 'node:assert/strict';
import type { Member, MemberListResult, ResponseHeader, StatusResult } from '../../../../client-sdk/index.js';
import type { Output } from '../../../../server/cli/ctl/io.js';
import { humanizeBytes } from '../../../../server/cli/ctl/printers/cluster-rows.js';
import { createPrinter, type OutputFormat, type Printer } from '../../../../server/cli/ctl/printers/index.js';
import { renderTable } from '../../../../server/cli/ctl/printers/table-layout.js';

// Every expected string below is what etcdctl 3.4.23 printed for the same data (a 1-member etcd
// with a learner added, and a 2-member etcd with long names), with ETCD_* renamed SYNOD_*.

function printed(format: OutputFormat, print: (printer: Printer) => void): { out: string; err: string } {
  let out = '';
  let err = '';
  const sink = (append: (text: string) => void): Output => ({ write: (chunk) => append(Buffer.from(chunk).toString()) });
  print(createPrinter(format, sink((text) => (out += text)), { hex: false, valueOnly: false }, sink((text) => (err += text))));
  return { out, err };
}

const clusterId = 13303000262909427500n;
const memberId = 1774551285225929868n;
const listHeader: ResponseHeader = { clusterId, memberId, revision: 0n, raftTerm: 2n };
const learner: Member = { id: 1637750647475844251n, name: '', peerURLs: ['http://127.0.0.1:27699'], clientURLs: [], isLearner: true };
const o1: Member = { id: memberId, name: 'o1', peerURLs: ['http://127.0.0.1:27642'], clientURLs: ['http://127.0.0.1:27641'], isLearner: false };
const list: MemberListResult = { header: listHeader, members: [learner, o1] };

const status: StatusResult = {
  header: { clusterId, memberId, revision: 1n, raftTerm: 2n },
  version: '3.4.23',
  dbSize: 20480n,
  dbSizeInUse: 20480n,
  leader: memberId,
  raftIndex: 4n,
  raftTerm: 2n,
  raftAppliedIndex: 4n,
  isLearner: false,
};

describe('synodctl member and endpoint printers (byte-exact etcdctl output)', () => {
  it('member list in all four formats', () => {
    assert.equal(
      printed('simple', (p) => p.memberList!(list)).out,
      '16ba75896576b49b, unstarted, , http://127.0.0.1:27699, , true\n18a078fdef9abc8c, started, o1, http://127.0.0.1:27642, http://127.0.0.1:27641, false\n',
    );
    assert.equal(
      printed('json', (p) => p.memberList!(list)).out,
      '{"header":{"cluster_id":13303000262909427500,"member_id":1774551285225929868,"raft_term":2},"members":[' +
        '{"ID":1637750647475844251,"peerURLs":["http://127.0.0.1:27699"],"isLearner":true},' +
        '{"ID":1774551285225929868,"name":"o1","peerURLs":["http://127.0.0.1:27642"],"clientURLs":["http://127.0.0.1:27641"]}]}\n',
    );
    assert.equal(
      printed('table', (p) => p.memberList!(list)).out,
      `+------------------+-----------+------+------------------------+------------------------+------------+
|        ID        |  STATUS   | NAME |       PEER ADDRS       |      CLIENT ADDRS      | IS LEARNER |
+------------------+-----------+------+------------------------+------------------------+------------+
| 16ba75896576b49b | unstarted |      | http://127.0.0.1:27699 |                        |       true |
| 18a078fdef9abc8c |   started |   o1 | http://127.0.0.1:27642 | http://127.0.0.1:27641 |      false |
+------------------+-----------+------+------------------------+------------------------+------------+
`,
    );
    assert.equal(
      printed('fields', (p) => p.memberList!(list)).out,
      '"ClusterID" : 13303000262909427500\n"MemberID" : 1774551285225929868\n"Revision" : 0\n"RaftTerm" : 2\n' +
        '"ID" : 1637750647475844251\n"Name" : ""\n"PeerURL" : "http://127.0.0.1:27699"\n"IsLearner" : true\n\n' +
        '"ID" : 1774551285225929868\n"Name" : "o1"\n"PeerURL" : "http://127.0.0.1:27642"\n"ClientURL" : "http://127.0.0.1:27641"\n"IsLearner" : false\n\n',
    );
  });

  it('member add prints the new member\'s SYNOD_* settings; ids take %16x in the messages', () => {
    const added = { name: 'newbie', peerURLs: ['http://127.0.0.1:27699'], result: { ...list, member: learner } };
    assert.equal(
      printed('simple', (p) => p.memberAdd!(added)).out,
      `Member 16ba75896576b49b added to cluster b89dc041bda4ff2c

SYNOD_NAME="newbie"
SYNOD_INITIAL_CLUSTER="newbie=http://127.0.0.1:27699,o1=http://127.0.0.1:27642"
SYNOD_INITIAL_ADVERTISE_PEER_URLS="http://127.0.0.1:27699"
SYNOD_INITIAL_CLUSTER_STATE="existing"
`,
    );
    assert.equal(
      printed('json', (p) => p.memberAdd!(added)).out,
      '{"header":{"cluster_id":13303000262909427500,"member_id":1774551285225929868,"raft_term":2},' +
        '"member":{"ID":1637750647475844251,"peerURLs":["http://127.0.0.1:27699"],"isLearner":true},"members":[' +
        '{"ID":1637750647475844251,"peerURLs":["http://127.0.0.1:27699"],"isLearner":true},' +
        '{"ID":1774551285225929868,"name":"o1","peerURLs":["http://127.0.0.1:27642"],"clientURLs":["http://127.0.0.1:27641"]}]}\n',
    );
    const changed = { id: 0x6ba75896576b49bn, result: list };
    assert.equal(printed('simple', (p) => p.memberRemove!(changed)).out, 'Member  6ba75896576b49b removed from cluster b89dc041bda4ff2c\n');
    assert.equal(printed('simple', (p) => p.memberUpdate!(changed)).out, 'Member  6ba75896576b49b updated in cluster b89dc041bda4ff2c\n');
    assert.equal(printed('simple', (p) => p.memberPromote!(changed)).out, 'Member  6ba75896576b49b promoted in cluster b89dc041bda4ff2c\n');
    assert.equal(printed('simple', (p) => p.moveLeader!({ from: 0xc573b5a391a752een, to: 0x949c1ea47eacc8b9n, header: listHeader })).out, 'Leadership transferred from c573b5a391a752ee to 949c1ea47eacc8b9\n');
  });

  it('prints membership changes and move-leader only as simple or json, as etcdctl 3.4 does', () => {
    for (const format of ['table', 'fields'] as const) {
      const kinds = Object.keys(createPrinter(format, { write: () => undefined }, { hex: false, valueOnly: false }));
      for (const kind of ['memberAdd', 'memberRemove', 'memberUpdate', 'memberPromote', 'moveLeader']) assert.ok(!kinds.includes(kind), `${format} ${kind}`);
    }
    const table = createPrinter('table', { write: () => undefined }, { hex: false, valueOnly: false });
    assert.deepEqual(Object.keys(table).sort(), ['endpointHashKv', 'endpointHealth', 'endpointStatus', 'memberList']);
  });

  it('endpoint status in all four formats (DB SIZE humanized in SI units)', () => {
    const statuses = [{ endpoint: '127.0.0.1:27641', status }];
    assert.equal(printed('simple', (p) => p.endpointStatus!(statuses)).out, '127.0.0.1:27641, 18a078fdef9abc8c, 3.4.23, 20 kB, true, false, 2, 4, 4, \n');
    assert.equal(
      printed('json', (p) => p.endpointStatus!(statuses)).out,
      '[{"Endpoint":"127.0.0.1:27641","Status":{"header":{"cluster_id":13303000262909427500,"member_id":1774551285225929868,"revision":1,"raft_term":2},' +
        '"version":"3.4.23","dbSize":20480,"leader":1774551285225929868,"raftIndex":4,"raftTerm":2,"raftAppliedIndex":4,"dbSizeInUse":20480}}]\n',
    );
    assert.equal(
      printed('table', (p) => p.endpointStatus!(statuses)).out,
      `+-----------------+------------------+---------+---------+-----------+------------+-----------+------------+--------------------+--------+
|    ENDPOINT     |        ID        | VERSION | DB SIZE | IS LEADER | IS LEARNER | RAFT TERM | RAFT INDEX | RAFT APPLIED INDEX | ERRORS |
+-----------------+------------------+---------+---------+-----------+------------+-----------+------------+--------------------+--------+
| 127.0.0.1:27641 | 18a078fdef9abc8c |  3.4.23 |   20 kB |      true |      false |         2 |          4 |                  4 |        |
+-----------------+------------------+---------+---------+-----------+------------+-----------+------------+--------------------+--------+
`,
    );
    assert.equal(
      printed('fields', (p) => p.endpointStatus!(statuses)).out,
      '"ClusterID" : 13303000262909427500\n"MemberID" : 1774551285225929868\n"Revision" : 1\n"RaftTerm" : 2\n"Version" : "3.4.23"\n"DBSize" : 20480\n' +
        '"Leader" : 1774551285225929868\n"IsLearner" : false\n"RaftIndex" : 4\n"RaftTerm" : 2\n"RaftAppliedIndex" : 4\n"Errors" : []\n"Endpoint" : "127.0.0.1:27641"\n\n',
    );
    assert.equal(printed('json', (p) => p.endpointStatus!([])).out, '[]\n');
    assert.equal(
      printed('table', (p) => p.endpointHashKv!([])).out,
      '+----------+------+\n| ENDPOINT | HASH |\n+----------+------+\n+----------+------+\n',
    );
    assert.deepEqual(
      [9n, 10n, 1874n, 20480n, 25000n, 20500n, 21500n, 99_960n, 1_234_567n].map(humanizeBytes),
      ['9 B', '10 B', '1.9 kB', '20 kB', '25 kB', '20 kB', '22 kB', '100 kB', '1.2 MB'],
    );
  });

  it('endpoint health: simple goes to stderr; json, table and fields on stdout', () => {
    const probes = [
      { endpoint: '127.0.0.1:27641', healthy: true, took: '6.843906ms', error: '' },
      { endpoint: '127.0.0.1:27651', healthy: false, took: '1.000603411s', error: 'context deadline exceeded' },
    ];
    assert.deepEqual(printed('simple', (p) => p.endpointHealth!(probes)), {
      out: '',
      err:
        '127.0.0.1:27641 is healthy: successfully committed proposal: took = 6.843906ms\n' +
        '127.0.0.1:27651 is unhealthy: failed to commit proposal: context deadline exceeded\n',
    });
    assert.equal(
      printed('json', (p) => p.endpointHealth!(probes)).out,
      '[{"endpoint":"127.0.0.1:27641","health":true,"took":"6.843906ms"},{"endpoint":"127.0.0.1:27651","health":false,"took":"1.000603411s","error":"context deadline exceeded"}]\n',
    );
    assert.equal(
      printed('table', (p) => p.endpointHealth!(probes)).out,
      `+-----------------+--------+--------------+---------------------------+
|    ENDPOINT     | HEALTH |     TOOK     |           ERROR           |
+-----------------+--------+--------------+---------------------------+
| 127.0.0.1:27641 |   true |   6.843906ms |                           |
| 127.0.0.1:27651 |  false | 1.000603411s | context deadline exceeded |
+-----------------+--------+--------------+---------------------------+
`,
    );
    assert.equal(
      printed('fields', (p) => p.endpointHealth!(probes)).out,
      '"Endpoint" : "127.0.0.1:27641"\n"Health" : true\n"Took" : 6.843906ms\n"Error" : \n\n' +
        '"Endpoint" : "127.0.0.1:27651"\n"Health" : false\n"Took" : 1.000603411s\n"Error" : context deadline exceeded\n\n',
    );
  });

  it('endpoint hashkv in all four formats', () => {
    const hashes = [{ endpoint: '127.0.0.1:27641', hashKv: { header: status.header, hash: 1084519789, compactRevision: -1n, hashRevision: 0n } }];
    assert.equal(printed('simple', (p) => p.endpointHashKv!(hashes)).out, '127.0.0.1:27641, 1084519789\n');
    assert.equal(
      printed('json', (p) => p.endpointHashKv!(hashes)).out,
      '[{"Endpoint":"127.0.0.1:27641","HashKV":{"header":{"cluster_id":13303000262909427500,"member_id":1774551285225929868,"revision":1,"raft_term":2},"hash":1084519789,"compact_revision":-1}}]\n',
    );
    assert.equal(
      printed('table', (p) => p.endpointHashKv!(hashes)).out,
      '+-----------------+------------+\n|    ENDPOINT     |    HASH    |\n+-----------------+------------+\n| 127.0.0.1:27641 | 1084519789 |\n+-----------------+------------+\n',
    );
    assert.equal(
      printed('fields', (p) => p.endpointHashKv!(hashes)).out,
      '"ClusterID" : 13303000262909427500\n"MemberID" : 1774551285225929868\n"Revision" : 1\n"RaftTerm" : 2\n"Endpoint" : "127.0.0.1:27641"\n"Hash" : 1084519789\n\n',
    );
  });

  it('wraps a table cell wider than 30 columns at spaces, with the fewest ragged ends', () => {
    const names = ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'one two three four five six seven eight nine ten eleven twelve'];
    const table = renderTable(['ID', 'NAME'], [['254b18e88a90c6ca', names[0]!], ['96e5441401354a36', names[1]!]]);
    assert.equal(
      table,
      `+------------------+-------------------------------------------+
|        ID        |                   NAME                    |
+------------------+-------------------------------------------+
| 254b18e88a90c6ca | aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa |
| 96e5441401354a36 |               one two three four five six |
|                  |               seven eight nine ten eleven |
|                  |                                    twelve |
+------------------+-------------------------------------------+
`,
    );
    assert.equal(
      renderTable(['NAME'], [['alpha beta gamma delta epsilon zeta eta theta iota kappa']]),
      `+--------------------------------+
|              NAME              |
+--------------------------------+
| alpha beta gamma delta epsilon |
|      zeta eta theta iota kappa |
+--------------------------------+
`,
    );
  });
});

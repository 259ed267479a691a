import assert from 'node:assert/strict';
import type { KeyValue, LeaseTimeToLive, ResponseHeader } from '../../../../client-sdk/index.js';
import type { Output } from '../../../../server/cli/ctl/io.js';
import { createPrinter, leaseHex, type OutputFormat, type WatchResponse } from '../../../../server/cli/ctl/printers/index.js';

// The expected texts are what etcdctl 3.4.23 printed for the same data (ids and revisions substituted).
const header: ResponseHeader = { clusterId: 9072473218305301752n, memberId: 1258326739051996497n, revision: 23n, raftTerm: 2n };

function kv(key: string, value: string, createRevision: bigint, modRevision: bigint, version: bigint): KeyValue {
  return { key: Buffer.from(key), value: Buffer.from(value), createRevision, modRevision, version, lease: 0n };
}

function printed(format: OutputFormat, print: (printer: ReturnType<typeof createPrinter>) => void, hex = false): string {
  const chunks: Buffer[] = [];
  const out: Output = { write: (chunk) => void chunks.push(Buffer.from(chunk)) };
  print(createPrinter(format, out, { hex, valueOnly: false }));
  return Buffer.concat(chunks).toString();
}

const put = kv('ex/a', 'v1', 18n, 23n, 6n);
const deleted = kv('ex/a', '', 0n, 24n, 0n);
const response: WatchResponse = {
  header,
  events: [
    { type: 'put', kv: put, prevKv: kv('ex/a', 'v2', 18n, 22n, 5n), revision: 23n, header },
    { type: 'delete', kv: deleted, prevKv: null, revision: 24n, header },
  ],
  compactRevision: 0n,
  canceled: false,
};
const H = '{"cluster_id":9072473218305301752,"member_id":1258326739051996497,"revision":23,"raft_term":2';
const lease = 7300794640947692807n;
const timeToLive = (keys: string[]): LeaseTimeToLive => ({ header, id: lease, ttlSeconds: 99, grantedTtlSeconds: 100, keys: keys.map((k) => Buffer.from(k)) });

describe('synodctl watch and lease printers (byte-exact etcdctl 3.4 output)', () => {
  it('watch simple: the type, the previous key-value with --prev-kv, then the key-value; --hex escapes', () => {
    assert.equal(printed('simple', (p) => p.watch!(response)), 'PUT\nex/a\nv2\nex/a\nv1\nDELETE\nex/a\n\n');
    assert.equal(printed('simple', (p) => p.watch!({ ...response, events: [response.events[1]!] }), true), 'DELETE\n\\x65\\x78\\x2f\\x61\n\n');
    assert.equal(printed('simple', (p) => p.watch!({ ...response, events: [] })), '', 'a progress notification prints no event');
  });

  it("watch json: clientv3's WatchResponse, DELETE as type 1, an empty event list for a cancel", () => {
    assert.equal(
      printed('json', (p) => p.watch!(response)),
      `{"Header":${H}},"Events":[{"kv":{"key":"ZXgvYQ==","create_revision":18,"mod_revision":23,"version":6,"value":"djE="},` +
        '"prev_kv":{"key":"ZXgvYQ==","create_revision":18,"mod_revision":22,"version":5,"value":"djI="}},' +
        '{"type":1,"kv":{"key":"ZXgvYQ==","mod_revision":24}}],"CompactRevision":0,"Canceled":false,"Created":false}\n',
    );
    assert.equal(
      printed('json', (p) => p.watch!({ header: { ...header, revision: 0n }, events: [], compactRevision: 10n, canceled: true })),
      '{"Header":{"cluster_id":9072473218305301752,"member_id":1258326739051996497,"raft_term":2},"Events":[],"CompactRevision":10,"Canceled":true,"Created":false}\n',
    );
  });

  it('watch fields: the header, then Type, Prev* and the key-value fields per event', () => {
    const text = printed('fields', (p) => p.watch!({ ...response, events: [response.events[0]!] }));
    assert.equal(
      text,
      [
        '"ClusterID" : 9072473218305301752',
        '"MemberID" : 1258326739051996497',
        '"Revision" : 23',
        '"RaftTerm" : 2',
        '"Type" : PUT',
        '"PrevKey" : "ex/a"',
        '"PrevCreateRevision" : 18',
        '"PrevModRevision" : 22',
        '"PrevVersion" : 5',
        '"PrevValue" : "v2"',
        '"PrevLease" : 0',
        '"Key" : "ex/a"',
        '"CreateRevision" : 18',
        '"ModRevision" : 23',
        '"Version" : 6',
        '"Value" : "v1"',
        '"Lease" : 0',
        '',
      ].join('\n'),
    );
  });

  it("lease simple: etcdctl's messages with %016x ids", () => {
    assert.equal(leaseHex(0x1234n), '0000000000001234');
    assert.equal(printed('simple', (p) => p.leaseGrant!({ header, id: lease, ttlSeconds: 60 })), 'lease 6551a20b6fc34507 granted with TTL(60s)\n');
    assert.equal(printed('simple', (p) => p.leaseRevoke!({ header, id: lease })), 'lease 6551a20b6fc34507 revoked\n');
    assert.equal(printed('simple', (p) => p.leaseKeepAlive!({ header, id: lease, ttlSeconds: 100 })), 'lease 6551a20b6fc34507 keepalived with TTL(100)\n');
    assert.equal(
      printed('simple', (p) => p.leaseTimeToLive!({ result: timeToLive(['foo', 'foo2']), withKeys: false })),
      'lease 6551a20b6fc34507 granted with TTL(100s), remaining(99s)\n',
    );
    assert.equal(
      printed('simple', (p) => p.leaseTimeToLive!({ result: timeToLive(['foo', 'foo2']), withKeys: true })),
      'lease 6551a20b6fc34507 granted with TTL(100s), remaining(99s), attached keys([foo foo2])\n',
    );
    const gone: LeaseTimeToLive = { header, id: 0x1234n, ttlSeconds: -1, grantedTtlSeconds: 0, keys: [] };
    assert.equal(printed('simple', (p) => p.leaseTimeToLive!({ result: gone, withKeys: true })), 'lease 0000000000001234 already expired\n');
    assert.equal(printed('simple', (p) => p.leaseList!({ header, ids: [0x1n, lease] })), 'found 2 leases\n0000000000000001\n6551a20b6fc34507\n');
  });

  it("lease json: clientv3's structs, the header's fields flat in front; revoke is etcd's message", () => {
    assert.equal(printed('json', (p) => p.leaseGrant!({ header, id: lease, ttlSeconds: 60 })), `${H},"ID":7300794640947692807,"TTL":60,"Error":""}\n`);
    assert.equal(printed('json', (p) => p.leaseRevoke!({ header, id: lease })), `{"header":${H}}}\n`);
    assert.equal(printed('json', (p) => p.leaseKeepAlive!({ header, id: lease, ttlSeconds: 100 })), `${H},"ID":7300794640947692807,"TTL":100}\n`);
    assert.equal(
      printed('json', (p) => p.leaseTimeToLive!({ result: timeToLive([]), withKeys: false })),
      `${H},"id":7300794640947692807,"ttl":99,"granted-ttl":100,"keys":null}\n`,
    );
    assert.equal(
      printed('json', (p) => p.leaseTimeToLive!({ result: timeToLive(['foo', 'foo2']), withKeys: true })),
      `${H},"id":7300794640947692807,"ttl":99,"granted-ttl":100,"keys":["Zm9v","Zm9vMg=="]}\n`,
    );
    assert.equal(printed('json', (p) => p.leaseList!({ header, ids: [lease] })), `${H},"leases":[{"id":7300794640947692807}]}\n`);
    assert.equal(printed('json', (p) => p.leaseList!({ header, ids: [] })), `${H},"leases":[]}\n`);
  });

  it('lease fields: the header, then ID, TTL, GrantedTTL and each key; no table layout', () => {
    const head = '"ClusterID" : 9072473218305301752\n"MemberID" : 1258326739051996497\n"Revision" : 23\n"RaftTerm" : 2\n';
    assert.equal(printed('fields', (p) => p.leaseGrant!({ header, id: lease, ttlSeconds: 100 })), `${head}"ID" : 7300794640947692807\n"TTL" : 100\n`);
    assert.equal(printed('fields', (p) => p.leaseRevoke!({ header, id: lease })), head);
    assert.equal(
      printed('fields', (p) => p.leaseTimeToLive!({ result: timeToLive(['k1']), withKeys: true })),
      `${head}"ID" : 7300794640947692807\n"TTL" : 99\n"GrantedTTL" : 100\n"Key" : "k1"\n`,
    );
    assert.equal(printed('fields', (p) => p.leaseList!({ header, ids: [1n, 2n] })), `${head}"ID" : 1\n"ID" : 2\n`);
    const table = createPrinter('table', { write: () => undefined }, { hex: false, valueOnly: false });
    for (const kind of ['watch', 'leaseGrant', 'leaseRevoke', 'leaseTimeToLive', 'leaseList', 'leaseKeepAlive'] as const) assert.equal(table[kind], undefined, kind);
  });
});

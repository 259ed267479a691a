import assert from 'node:assert/strict';
import type { GetResult, KeyValue, ResponseHeader, TxnResult } from '../../../../client-sdk/index.js';
import type { Output } from '../../../../server/cli/ctl/io.js';
import { createPrinter, type OutputFormat } from '../../../../server/cli/ctl/printers/index.js';

// Ids past 2^53: a double would print 18446744073709551615 as 18446744073709552000.
const header: ResponseHeader = { clusterId: 18446744073709551615n, memberId: 9007199254740993n, revision: 12n, raftTerm: 3n };

function kv(key: string, value: string | Buffer, revision: bigint, extra: Partial<KeyValue> = {}): KeyValue {
  return { key: Buffer.from(key), value: Buffer.from(value), createRevision: revision, modRevision: revision, version: 1n, lease: 0n, ...extra };
}

function printed(format: OutputFormat, print: (printer: ReturnType<typeof createPrinter>) => void, options = { hex: false, valueOnly: false }): Buffer {
  const chunks: Buffer[] = [];
  const out: Output = { write: (chunk) => void chunks.push(Buffer.from(chunk)) };
  print(createPrinter(format, out, options));
  return Buffer.concat(chunks);
}

const get: GetResult = { header, kvs: [kv('a', 'x\ny', 5n, { lease: 0x1fn }), kv('b', Buffer.from([0, 0xff]), 6n)], more: true, count: 7n };

const txn: TxnResult = {
  header,
  succeeded: true,
  responses: [
    { type: 'get', kvs: [kv('a', '1', 5n)], more: false, count: 1n },
    { type: 'delete', deleted: 0n, prevKvs: [] },
    { type: 'put', prevKv: kv('a', '1', 5n) },
    { type: 'get', kvs: [], more: false, count: 0n },
  ],
};

describe('synodctl printers (byte-exact etcdctl output)', () => {
  it('json: exact uint64 numbers, base64 bytes, zero fields and empty lists left out', () => {
    assert.equal(
      printed('json', (p) => p.get!(get)).toString(),
      '{"header":{"cluster_id":18446744073709551615,"member_id":9007199254740993,"revision":12,"raft_term":3},' +
        '"kvs":[{"key":"YQ==","create_revision":5,"mod_revision":5,"version":1,"value":"eAp5","lease":31},' +
        '{"key":"Yg==","create_revision":6,"mod_revision":6,"version":1,"value":"AP8="}],"more":true,"count":7}\n',
    );
    assert.equal(printed('json', (p) => p.get!({ header, kvs: [], more: false, count: 0n })).toString().includes('"kvs"'), false);
    assert.equal(
      printed('json', (p) => p.del!({ header, deleted: 0n, prevKvs: [] })).toString(),
      '{"header":{"cluster_id":18446744073709551615,"member_id":9007199254740993,"revision":12,"raft_term":3}}\n',
    );
  });

  it("json txn: Go's oneof shape, and each response's header revision as etcd sets it", () => {
    const text = printed('json', (p) => p.txn!(txn)).toString();
    assert.equal(
      text,
      '{"header":{"cluster_id":18446744073709551615,"member_id":9007199254740993,"revision":12,"raft_term":3},"succeeded":true,"responses":[' +
        '{"Response":{"ResponseRange":{"header":{"revision":11},"kvs":[{"key":"YQ==","create_revision":5,"mod_revision":5,"version":1,"value":"MQ=="}],"count":1}}},' +
        '{"Response":{"ResponseDeleteRange":{"header":{"revision":11}}}},' +
        '{"Response":{"ResponsePut":{"header":{"revision":12},"prev_kv":{"key":"YQ==","create_revision":5,"mod_revision":5,"version":1,"value":"MQ=="}}}},' +
        '{"Response":{"ResponseRange":{"header":{"revision":12}}}}]}\n',
    );
    const readOnly = printed('json', (p) => p.txn!({ header, succeeded: false, responses: [{ type: 'get', kvs: [], more: false, count: 0n }] })).toString();
    assert.match(readOnly, /"responses":\[\{"Response":\{"ResponseRange":\{"header":\{"revision":12\}\}\}\}\]\}\n$/, 'no change: the txn revision');
  });

  it('simple: raw bytes, --hex escapes, values only, txn sections after blank lines', () => {
    assert.deepEqual(printed('simple', (p) => p.get!(get)), Buffer.concat([Buffer.from('a\nx\ny\nb\n'), Buffer.from([0, 0xff]), Buffer.from('\n')]));
    assert.equal(printed('simple', (p) => p.get!(get), { hex: true, valueOnly: false }).toString(), '\\x61\n\\x78\\x0a\\x79\n\\x62\n\\x00\\xff\n');
    assert.equal(printed('simple', (p) => p.get!(get), { hex: false, valueOnly: true }).toString('latin1'), 'x\ny\n\x00\xff\n');
    assert.equal(printed('simple', (p) => p.put!({ header, prevKv: kv('a', '1', 5n) })).toString(), 'OK\na\n1\n');
    assert.equal(printed('simple', (p) => p.del!({ header, deleted: 2n, prevKvs: [kv('a', '1', 5n)] })).toString(), '2\na\n1\n');
    assert.equal(printed('simple', (p) => p.txn!(txn)).toString(), 'SUCCESS\n\na\n1\n\n0\n\nOK\na\n1\n\n');
    assert.equal(printed('simple', (p) => p.txn!({ header, succeeded: false, responses: [] })).toString(), 'FAILURE\n');
  });

  it('fields: Go %q strings, every field named, txn responses with their own zero-id headers', () => {
    assert.equal(
      printed('fields', (p) => p.get!({ ...get, kvs: get.kvs.slice(1) })).toString(),
      '"ClusterID" : 18446744073709551615\n"MemberID" : 9007199254740993\n"Revision" : 12\n"RaftTerm" : 3\n' +
        '"Key" : "b"\n"CreateRevision" : 6\n"ModRevision" : 6\n"Version" : 1\n"Value" : "\\x00\\xff"\n"Lease" : 0\n"More" : true\n"Count" : 7\n',
    );
    const text = printed('fields', (p) => p.txn!({ ...txn, responses: txn.responses.slice(1, 3) })).toString();
    assert.equal(
      text,
      '"ClusterID" : 18446744073709551615\n"MemberID" : 9007199254740993\n"Revision" : 12\n"RaftTerm" : 3\n"Succeeded" : true\n' +
        '"ClusterID" : 0\n"MemberID" : 0\n"Revision" : 11\n"RaftTerm" : 0\n"Deleted" : 0\n' +
        '"ClusterID" : 0\n"MemberID" : 0\n"Revision" : 12\n"RaftTerm" : 0\n' +
        '"PrevKey" : "a"\n"PrevCreateRevision" : 5\n"PrevModRevision" : 5\n"PrevVersion" : 1\n"PrevValue" : "1"\n"PrevLease" : 0\n',
    );
  });

  it('table prints no KV result, as etcdctl has no table layout for them', () => {
    const table = createPrinter('table', { write: () => undefined }, { hex: false, valueOnly: false });
    for (const kind of ['put', 'get', 'del', 'txn']) assert.equal(kind in table, false, kind);
  });
});

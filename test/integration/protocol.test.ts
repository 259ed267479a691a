import assert from 'node:assert/strict';
import { ServerProcess } from './helpers/server-process.js';
import { RawClient, b64 } from './helpers/raw-client.js';

describe('client protocol over ws (real server process)', function () {
  this.timeout(30_000);
  let server: ServerProcess;
  let client: RawClient;

  before(async () => {
    server = await ServerProcess.start();
    client = await RawClient.connect(server.endpoint);
  });
  after(async () => {
    client.close();
    await server.cleanup();
  });

  it('answers with etcd response headers (cluster_id, member_id, revision, raft_term as decimal strings)', async () => {
    const put = await client.ok('kv.put', { key: b64('header/a'), value: b64('1') });
    const header = put['header'] as Record<string, string>;
    assert.match(header['cluster_id']!, /^[1-9][0-9]*$/);
    assert.match(header['member_id']!, /^[1-9][0-9]*$/);
    assert.match(header['raft_term']!, /^[1-9][0-9]*$/);
    const range = await client.ok('kv.range', { key: b64('header/a') });
    assert.equal(range['header'].revision, header['revision']);
    assert.equal(range['header'].member_id, header['member_id']);
    assert.deepEqual(range['kvs'], [
      { key: b64('header/a'), create_revision: header['revision'], mod_revision: header['revision'], version: '1', value: b64('1') },
    ]);
    assert.equal(range['count'], '1');
  });

  it('keeps many requests in flight on one connection and answers each by its id', async () => {
    const puts = Array.from({ length: 200 }, (_, i) => client.ok('kv.put', { key: b64(`inflight/${i}`), value: b64(String(i)) }));
    const revisions = (await Promise.all(puts)).map((result) => Number(result['header'].revision));
    assert.equal(new Set(revisions).size, 200, 'every put got its own revision');
    const range = await client.ok('kv.range', { key: b64('inflight/'), range_end: b64('inflight0'), count_only: true });
    assert.equal(range['count'], '200');
  });

  it('accepts client-chosen string ids and echoes them', async () => {
    const answer = client.next((frame) => frame['id'] === 'my-request-7');
    client.sendRaw(JSON.stringify({ id: 'my-request-7', method: 'kv.range', params: { key: b64('nothing') } }));
    const frame = await answer;
    assert.ok(frame['result']);
  });

  it('refuses a connection that asks only for another subprotocol', async () => {
    await assert.rejects(RawClient.connect(server.endpoint, 'etcd.v9'));
  });

  it('serves /health and /version over plain HTTP on the client port', async () => {
    const health = await fetch(`http://${server.endpoint}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { health: 'true' });
    const version = (await (await fetch(`http://${server.endpoint}/version`)).json()) as { synod: string };
    assert.match(version.synod, /^\d+\.\d+\.\d+/);
  });
});

import assert from 'node:assert/strict';
import { Client, CompactedError, SynodError, UnavailableError, CanceledError, compare, op } from '../../client-sdk/index.js';
import { ServerProcess } from './helpers/server-process.js';
import { serverForSuite } from './helpers/suite-server.js';

describe('SDK KV against a real server', function () {
  this.timeout(30_000);
  let server: ServerProcess;
  let client: Client;
  serverForSuite((s, c) => ((server = s), (client = c)));

  it('puts and gets strings and bytes, with bigint revisions', async () => {
    const put = await client.put('sdk/a', 'hello');
    assert.equal(typeof put.header.revision, 'bigint');
    const got = await client.get('sdk/a');
    assert.equal(got.kvs.length, 1);
    assert.equal(got.kvs[0]!.value.toString(), 'hello');
    assert.equal(got.kvs[0]!.modRevision, put.header.revision);
    assert.equal(got.kvs[0]!.version, 1n);
    const binary = Buffer.from([0x00, 0xff, 0x80, 0x0a, 0x00]);
    await client.put(Buffer.from([0x01, 0xff]), binary);
    const back = await client.get(Buffer.from([0x01, 0xff]));
    assert.deepEqual(back.kvs[0]!.value, binary);
    assert.deepEqual(back.kvs[0]!.key, Buffer.from([0x01, 0xff]));
  });

  it('ranges by prefix with limit, count and more, and reads the past with revision', async () => {
    const first = await client.put('sdk/p/1', 'one');
    await client.put('sdk/p/2', 'two');
    await client.put('sdk/p/3', 'three');
    await client.put('sdk/p/1', 'uno');
    const page = await client.get('sdk/p/', { prefix: true, limit: 2 });
    assert.deepEqual(page.kvs.map((kv) => kv.key.toString()), ['sdk/p/1', 'sdk/p/2']);
    assert.equal(page.more, true);
    assert.equal(page.count, 3n);
    const past = await client.get('sdk/p/1', { revision: first.header.revision });
    assert.equal(past.kvs[0]!.value.toString(), 'one');
    const byValue = await client.get('sdk/p/', { prefix: true, sortTarget: 'value', sortOrder: 'descend' });
    assert.deepEqual(byValue.kvs.map((kv) => kv.value.toString()), ['uno', 'two', 'three']);
  });

  it('deletes with prevKv and reports the count', async () => {
    await client.put('sdk/d/1', 'x');
    await client.put('sdk/d/2', 'y');
    const deleted = await client.delete('sdk/d/', { prefix: true, prevKv: true });
    assert.equal(deleted.deleted, 2n);
    assert.deepEqual(deleted.prevKvs.map((kv) => kv.value.toString()), ['x', 'y']);
    const none = await client.delete('sdk/d/', { prefix: true });
    assert.equal(none.deleted, 0n);
    assert.equal(none.header.revision, deleted.header.revision, 'deleting nothing does not advance the revision');
  });

  it('runs a compare-and-swap txn with then and else branches', async () => {
    await client.put('sdk/cas', 'v1');
    const swapped = await client
      .txn()
      .if(compare.value('sdk/cas', '=', 'v1'))
      .then(op.put('sdk/cas', 'v2'), op.get('sdk/cas'))
      .else(op.get('sdk/cas'))
      .commit();
    assert.equal(swapped.succeeded, true);
    const read = swapped.responses[1]!;
    assert.equal(read.type, 'get');
    assert.equal(read.type === 'get' && read.kvs[0]!.value.toString(), 'v2', 'a read in the txn sees its earlier write');
    const lost = await client.txn().if(compare.value('sdk/cas', '=', 'v1')).then(op.put('sdk/cas', 'v3')).else(op.get('sdk/cas')).commit();
    assert.equal(lost.succeeded, false);
    assert.equal(lost.responses[0]!.type === 'get' && lost.responses[0]!.kvs[0]!.value.toString(), 'v2');
    const missing = await client.txn().if(compare.createRevision('sdk/absent', '=', 0n)).then(op.put('sdk/absent', 'created')).commit();
    assert.equal(missing.succeeded, true);
  });

  it('refuses awaiting a txn builder without commit, with a clear error', async () => {
    await assert.rejects(
      (async () => {
        await (client.txn().if(compare.version('k', '>', 0)) as unknown as Promise<unknown>);
      })(),
      /call \.commit\(\)/,
    );
  });

  it('compacts, after which old revisions fail with CompactedError', async () => {
    const old = await client.put('sdk/c', '1');
    const newer = await client.put('sdk/c', '2');
    await client.compact(newer.header.revision);
    await assert.rejects(client.get('sdk/c', { revision: old.header.revision }), (error: unknown) => {
      assert.ok(error instanceof CompactedError);
      assert.equal(error.code, 'compacted');
      assert.equal(error.compactRevision, newer.header.revision);
      return true;
    });
    await assert.rejects(client.compact(old.header.revision), (error: unknown) => error instanceof SynodError && error.code === 'compacted');
    await assert.rejects(client.get('sdk/c', { revision: newer.header.revision + 1000n }), (error: unknown) => error instanceof SynodError && error.code === 'future_revision');
  });

  it('reports typed errors with codes for bad requests', async () => {
    await assert.rejects(client.put('', 'v'), (error: unknown) => error instanceof SynodError && error.code === 'empty_key' && !error.retryable);
    await assert.rejects(client.put('k', 'v', { lease: 12345n }), (error: unknown) => error instanceof SynodError && error.code === 'lease_not_found');
    await assert.rejects(client.put('sdk/never', '', { ignoreValue: true }), (error: unknown) => error instanceof SynodError && error.code === 'key_not_found');
  });

  it('honours an AbortSignal', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(client.get('sdk/a', { signal: controller.signal }), (error: unknown) => error instanceof CanceledError);
  });

  it('fails with UnavailableError when no endpoint answers within the deadline', async () => {
    const nowhere = new Client({ endpoints: ['127.0.0.1:1'], dialTimeoutMs: 200, requestTimeoutMs: 500 });
    await assert.rejects(nowhere.get('x'), (error: unknown) => error instanceof UnavailableError && error.retryable);
    await nowhere.close();
  });

  it('moves to the next endpoint when the first is unreachable, and releases with await using', async () => {
    {
      await using failover = new Client({ endpoints: ['127.0.0.1:1', server.endpoint], dialTimeoutMs: 500 });
      const got = await failover.get('sdk/a');
      assert.equal(got.kvs[0]?.value.toString(), 'hello');
      assert.equal((await failover.status()).leader, got.header.memberId);
    }
  });
});

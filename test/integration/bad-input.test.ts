import assert from 'node:assert/strict';
import { ServerProcess } from './helpers/server-process.js';
import { RawClient, b64 } from './helpers/raw-client.js';

function errorOf(frame: Record<string, unknown>): { code: string; message: string } {
  assert.ok(frame['error'], `expected an error answer, got ${JSON.stringify(frame).slice(0, 200)}`);
  return frame['error'] as { code: string; message: string };
}

describe('bad input never hurts the member (real server process)', function () {
  this.timeout(60_000);
  let server: ServerProcess;
  let client: RawClient;

  before(async () => {
    server = await ServerProcess.start({ args: ['--max-txn-ops', '8'] });
    client = await RawClient.connect(server.endpoint);
  });
  after(async () => {
    client.close();
    await server.cleanup();
  });

  it('answers malformed JSON, non-objects and binary frames with malformed_request and id null', async () => {
    for (const frame of ['{not json', '[1,2]', '42', 'null']) {
      const answer = client.next((f) => f['id'] === null);
      client.sendRaw(frame);
      assert.equal(errorOf(await answer).code, 'malformed_request');
    }
    const binary = client.next((f) => f['id'] === null);
    client.sendRaw(Buffer.from([1, 2, 3]));
    assert.match(errorOf(await binary).message, /binary/);
  });

  it('answers an envelope without a usable id or method with malformed_request', async () => {
    const noId = client.next((f) => f['id'] === null);
    client.sendRaw(JSON.stringify({ method: 'kv.range' }));
    assert.equal(errorOf(await noId).code, 'malformed_request');
    const badMethod = client.next((f) => f['id'] === 99);
    client.sendRaw(JSON.stringify({ id: 99, method: 7 }));
    assert.equal(errorOf(await badMethod).code, 'malformed_request');
  });

  it('answers an unknown method with unknown_method', async () => {
    assert.equal(errorOf(await client.request('kv.explode', {})).code, 'unknown_method');
  });

  it('answers wrong types and unknown fields with invalid_argument naming the field', async () => {
    const wrongType = errorOf(await client.request('kv.put', { key: 12 }));
    assert.equal(wrongType.code, 'invalid_argument');
    assert.match(wrongType.message, /\/key/);
    const notBase64 = errorOf(await client.request('kv.put', { key: 'not base64!' }));
    assert.equal(notBase64.code, 'invalid_argument');
    const unknownField = errorOf(await client.request('kv.range', { key: b64('a'), limt: 3 }));
    assert.equal(unknownField.code, 'invalid_argument');
    assert.match(unknownField.message, /additional properties/);
    const hugeRevision = errorOf(await client.request('kv.range', { key: b64('a'), revision: '99999999999999999999' }));
    assert.equal(hugeRevision.code, 'invalid_argument');
  });

  it('answers an empty key with empty_key and a bad sort with invalid_sort_option', async () => {
    assert.equal(errorOf(await client.request('kv.put', { key: '', value: b64('v') })).code, 'empty_key');
    assert.equal(errorOf(await client.request('kv.range', {})).code, 'empty_key');
    assert.equal(errorOf(await client.request('kv.deleterange', { key: '' })).code, 'empty_key');
    assert.equal(errorOf(await client.request('kv.range', { key: b64('a'), sort_target: 'COLOUR' })).code, 'invalid_sort_option');
  });

  it('answers too many txn ops with too_many_ops (--max-txn-ops 8)', async () => {
    const success = Array.from({ length: 9 }, (_, i) => ({ request_put: { key: b64(`ops/${i}`), value: b64('v') } }));
    const error = errorOf(await client.request('kv.txn', { success }));
    assert.equal(error.code, 'too_many_ops');
    const ok = await client.ok('kv.txn', { success: success.slice(0, 8) });
    assert.ok(ok['header']);
  });

  it('answers a request over --max-request-bytes with request_too_large', async () => {
    const value = Buffer.alloc(1.5 * 1024 * 1024 + 1, 7).toString('base64');
    assert.equal(errorOf(await client.request('kv.put', { key: b64('big'), value })).code, 'request_too_large');
  });

  it('closes a connection that sends an oversized frame with 1009, and keeps serving others', async () => {
    const victim = await RawClient.connect(server.endpoint);
    victim.sendRaw(JSON.stringify({ id: 1, method: 'kv.put', params: { key: b64('x'), value: 'A'.repeat(4 * 1024 * 1024) } }));
    const { code } = await victim.closed;
    assert.equal(code, 1009);
    const other = await client.ok('kv.range', { key: b64('x') });
    assert.ok(other['header']);
  });

  it('survives thousands of garbage frames, answering each, while another connection keeps working', async () => {
    const flood = await RawClient.connect(server.endpoint);
    const frames = 5000;
    const allAnswered = new Promise<void>((resolve) => {
      flood.socket.on('message', () => {
        if (flood.received.length >= frames) resolve();
      });
    });
    for (let i = 0; i < frames; i++) {
      flood.sendRaw(i % 3 === 0 ? `garbage ${i}` : i % 3 === 1 ? JSON.stringify({ id: `flood-${i}`, method: 'nope' }) : JSON.stringify({ id: `flood-${i}`, method: 'kv.put', params: { key: 5 } }));
    }
    const meanwhile = await client.ok('kv.put', { key: b64('still/alive'), value: b64('yes') });
    assert.ok(meanwhile['header']);
    await allAnswered;
    assert.equal(flood.received.length, frames);
    assert.ok(flood.received.every((frame) => frame['error'] !== undefined));
    const after = await flood.ok('kv.range', { key: b64('still/alive') });
    assert.equal(after['kvs'][0].value, b64('yes'));
    flood.close();
  });
});

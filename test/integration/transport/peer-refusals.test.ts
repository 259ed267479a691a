import assert from 'node:assert/strict';
import { makeMessage } from '../../../server/raft/index.js';
import { CLOSE_CODES } from '../../../server/transport/errors.js';
import { encodeFrame } from '../../../server/transport/peer-frames.js';
import { FakePeer, heartbeat, RawPeer, TestMember } from './harness.js';

/** Resolves after every pending microtask and one turn of the event loop. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('transport: refusals (bad peers get a close code and a reason, never a crash)', function () {
  this.timeout(20_000);
  let b: TestMember;
  const cleanup: (() => Promise<void>)[] = [];
  beforeEach(async () => {
    b = await TestMember.start('b');
    cleanup.push(() => b.transport.close());
  });
  afterEach(async () => {
    for (const close of cleanup.splice(0).reverse()) await close();
  });

  it('refuses a member of another cluster, logged on both sides, and reports it unreachable', async () => {
    const stranger = await TestMember.start('a', { clusterId: '2002' });
    cleanup.push(() => stranger.transport.close());
    stranger.transport.setPeer('b', [b.url]);
    stranger.transport.send([heartbeat('a', 'b', 1)]);
    assert.equal(await stranger.unreachable.next('refused by b'), 'b');
    const refusal = await b.logs.next(/refused peer connection: cluster id mismatch: this member is in cluster 1001, the peer in 2002/);
    assert.equal(refusal['code'], CLOSE_CODES.clusterMismatch);
    const dialerLine = await stranger.logs.next(/^dial .* failed: peer closed the connection: 4001 cluster id mismatch/);
    assert.equal(dialerLine['closeCode'], CLOSE_CODES.clusterMismatch);
    assert.deepEqual(b.messages.all, []);
  });

  it('closes a raw connection of another cluster with 4001', async () => {
    const raw = await RawPeer.connect(b.url);
    raw.send({ kind: 'hello', connection: 'stream', clusterId: '7', from: 'x', to: 'b' });
    assert.deepEqual(await raw.closed, { code: 4001, reason: 'cluster id mismatch: this member is in cluster 1001, the peer in 7' });
  });

  it('refuses a hello addressed to another member with 4002', async () => {
    const raw = await RawPeer.connect(b.url);
    raw.send({ kind: 'hello', connection: 'stream', clusterId: '1001', from: 'x', to: 'c' });
    assert.deepEqual(await raw.closed, { code: 4002, reason: 'hello addressed to member c, this is b' });
  });

  it('the dialer closes with 4002 when another member answers at the peer URL, and reports the peer', async () => {
    const impostor = await FakePeer.start('z');
    cleanup.push(() => impostor.close());
    const a = await TestMember.start('a');
    cleanup.push(() => a.transport.close());
    a.transport.setPeer('b', [impostor.url]);
    a.transport.send([heartbeat('a', 'b', 1)]);
    assert.equal(await a.unreachable.next('the impostor'), 'b');
    const line = await a.logs.next(new RegExp(`^dial .* failed: the member at ${impostor.url} is z, not b`));
    assert.equal(line['closeCode'], CLOSE_CODES.wrongMember);
    assert.deepEqual(impostor.frames.all.map((frame) => frame.kind), ['hello']);
  });

  it('refuses a whole frame holding a message addressed to another member, delivering none of it', async () => {
    const raw = await RawPeer.connect(b.url);
    assert.deepEqual(await raw.hello({ from: 'x', to: 'b' }), { kind: 'helloOk', clusterId: '1001', id: 'b' });
    raw.send({ kind: 'messages', messages: [heartbeat('x', 'b', 1)] });
    await b.messages.next('the first, valid frame');
    raw.send({ kind: 'messages', messages: [heartbeat('x', 'b', 2), heartbeat('x', 'c', 3)] });
    assert.deepEqual(await raw.closed, { code: 4002, reason: 'message addressed to member c, this is b' });
    await settle();
    assert.deepEqual(b.messages.all.map((m) => m.commit), [1]);
  });

  it('delivers a forwarded leader transfer, whose from is the transferee and not the sending member', async () => {
    const [a, c] = [await TestMember.start('a'), await TestMember.start('c')];
    cleanup.push(() => a.transport.close(), () => c.transport.close());
    TestMember.connectAll(a, b, c);
    // Follower c forwards "transfer leadership to a" to leader b, as the Raft core builds it.
    const forwarded = makeMessage({ type: 'transferLeader', from: 'a', to: 'b' });
    c.transport.send([forwarded]);
    assert.deepStrictEqual(await b.messages.next('the forwarded transfer'), forwarded);
  });

  it('refuses local message types and snap messages on a stream connection', async () => {
    for (const type of ['hup', 'snap'] as const) {
      const raw = await RawPeer.connect(b.url);
      await raw.hello({ from: 'x', to: 'b' });
      raw.send({ kind: 'messages', messages: [makeMessage({ type, from: 'x', to: 'b' })] });
      assert.deepEqual(await raw.closed, { code: 4003, reason: `a ${type} message does not travel on a stream connection` });
    }
    assert.deepEqual(b.messages.all, []);
  });

  it('closes with 4003 on a malformed frame, a text frame, or a frame before the hello', async () => {
    const garbled = await RawPeer.connect(b.url);
    await garbled.hello({ to: 'b' });
    const frame = encodeFrame({ kind: 'messages', messages: [heartbeat('raw', 'b', 1)] });
    garbled.send(frame.subarray(0, frame.byteLength - 3));
    const closed = await garbled.closed;
    assert.equal(closed.code, CLOSE_CODES.protocolViolation);
    assert.match(closed.reason, /^malformed peer frame: .*truncated/);

    const text = await RawPeer.connect(b.url);
    text.socket.send('{"hello": true}');
    assert.deepEqual(await text.closed, { code: 4003, reason: 'text frames are not part of the peer protocol' });

    const early = await RawPeer.connect(b.url);
    early.send({ kind: 'messages', messages: [heartbeat('raw', 'b', 1)] });
    assert.deepEqual(await early.closed, { code: 4003, reason: 'expected hello, got messages' });
    assert.deepEqual(b.messages.all, []);
  });

  it('closes with 1009 a frame larger than frameBytesMax', async () => {
    const raw = await RawPeer.connect(b.url);
    await raw.hello({ to: 'b' });
    raw.send(Buffer.alloc(4 * 1024 * 1024 + 1));
    assert.equal((await raw.closed).code, CLOSE_CODES.frameTooLarge);
  });

  it('refuses a connection without the peer subprotocol', async () => {
    await assert.rejects(RawPeer.connect(b.url, ['synod.v1']), /Server sent no subprotocol/);
    const bare = await RawPeer.connect(b.url, []);
    assert.deepEqual(await bare.closed, { code: 4003, reason: 'subprotocol synod-peer.v1 required' });
  });

  it('closes a connection that sends no hello within handshakeTimeoutMs with 4004', async () => {
    const patient = await TestMember.start('p', { limits: { handshakeTimeoutMs: 100 } });
    cleanup.push(() => patient.transport.close());
    const raw = await RawPeer.connect(patient.url);
    assert.deepEqual(await raw.closed, { code: 4004, reason: 'no hello within 100 ms' });
  });

  it('keeps serving good peers while refusing bad ones', async () => {
    const bad = await RawPeer.connect(b.url);
    bad.send(Buffer.from([0xde, 0xad]));
    const a = await TestMember.start('a');
    cleanup.push(() => a.transport.close());
    a.transport.setPeer('b', [b.url]);
    a.transport.send([heartbeat('a', 'b', 42)]);
    assert.equal((await b.messages.next('from the good peer')).commit, 42);
    assert.equal((await bad.closed).code, CLOSE_CODES.protocolViolation);
  });

  it('replaces an older stream connection from the same peer with the newer one', async () => {
    const first = await RawPeer.connect(b.url);
    await first.hello({ from: 'x', to: 'b' });
    const second = await RawPeer.connect(b.url);
    await second.hello({ from: 'x', to: 'b' });
    assert.deepEqual(await first.closed, { code: 1001, reason: 'superseded by a newer connection' });
    second.send({ kind: 'messages', messages: [heartbeat('x', 'b', 9)] });
    assert.equal((await b.messages.next('on the newer connection')).commit, 9);
  });
});

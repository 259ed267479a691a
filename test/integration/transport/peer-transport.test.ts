import assert from 'node:assert/strict';
import http from 'node:http';
import { makeMessage, type Message } from '../../../server/raft/index.js';
import { createPeerTransport } from '../../../server/transport/peer-transport.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { append, EVENT_TIMEOUT_MS, FakePeer, heartbeat, TestMember } from './harness.js';

/** Sends a numbered heartbeat every 20 ms until `member` receives one, within a bound. */
async function sendUntilDelivered(sender: TestMember, receiver: TestMember, what: string): Promise<Message> {
  let commit = 1_000;
  const delivered = receiver.messages.next(what, (m) => m.from === sender.id && m.commit >= 1_000, EVENT_TIMEOUT_MS);
  sender.transport.send([heartbeat(sender.id, receiver.id, commit++)]);
  const ticker = setInterval(() => sender.transport.send([heartbeat(sender.id, receiver.id, commit++)]), 20);
  try {
    return await delivered;
  } finally {
    clearInterval(ticker);
  }
}

/** Resolves after every pending microtask and one turn of the event loop. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('transport: peer messages over ws (real sockets on 127.0.0.1)', function () {
  this.timeout(20_000);
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of cleanup.splice(0).reverse()) await close();
  });

  async function member(id: string, options?: ConstructorParameters<typeof TestMember>[1]): Promise<TestMember> {
    const started = await TestMember.start(id, options);
    cleanup.push(() => started.transport.close());
    return started;
  }

  it('binds port 0 to a free port and answers the health check', async () => {
    const a = await member('a');
    assert.ok(a.port > 0);
    const get = (path: string): Promise<number> =>
      new Promise((resolve, reject) => http.get(`${a.url}${path}`, (response) => resolve(response.statusCode ?? 0)).on('error', reject));
    assert.equal(await get('/synod/peer/health'), 200);
    assert.equal(await get('/elsewhere'), 404);
  });

  it('delivers messages in order with their bytes intact, among three members', async () => {
    const [a, b, c] = [await member('a'), await member('b'), await member('c')];
    TestMember.connectAll(a, b, c);
    const toB = [append('a', 'b', 10, 1000), heartbeat('a', 'b', 11), append('a', 'b', 12, 0)];
    const toC = [append('a', 'c', 20, 70_000), heartbeat('a', 'c', 21)];
    a.transport.send([toB[0]!, toC[0]!, toB[1]!, toC[1]!, toB[2]!]);
    for (const expected of toB) assert.deepStrictEqual(await b.messages.next(`a->b ${expected.index}`), expected);
    for (const expected of toC) assert.deepStrictEqual(await c.messages.next(`a->c ${expected.index}`), expected);
    c.transport.send([heartbeat('c', 'a', 5), heartbeat('c', 'b', 6)]);
    assert.equal((await a.messages.next('c->a')).commit, 5);
    assert.equal((await b.messages.next('c->b')).commit, 6);
  });

  it('puts the messages of one send to one peer in one frame (and splits only past frameBytesMax)', async () => {
    const fake = await FakePeer.start('b');
    cleanup.push(() => fake.close());
    const a = await member('a', { frameBytesMax: 64 * 1024 });
    a.transport.setPeer('b', [fake.url]);
    const batch = [heartbeat('a', 'b', 1), heartbeat('a', 'b', 2), append('a', 'b', 3, 100)];
    a.transport.send(batch);
    assert.equal((await fake.frames.next('hello')).kind, 'hello');
    assert.deepStrictEqual(await fake.frames.next('the batch'), { kind: 'messages', messages: batch });
    a.transport.send([heartbeat('a', 'b', 4)]);
    assert.deepStrictEqual(await fake.frames.next('a later send'), { kind: 'messages', messages: [heartbeat('a', 'b', 4)] });
    const big = [append('a', 'b', 5, 40_000), append('a', 'b', 6, 40_000)];
    a.transport.send(big);
    assert.deepStrictEqual(await fake.frames.next('first half'), { kind: 'messages', messages: [big[0]] });
    assert.deepStrictEqual(await fake.frames.next('second half'), { kind: 'messages', messages: [big[1]] });
  });

  it('drops a message larger than frameBytesMax with an error log and keeps the link usable', async () => {
    const [a, b] = [await member('a', { frameBytesMax: 64 * 1024 }), await member('b', { frameBytesMax: 64 * 1024 })];
    TestMember.connectAll(a, b);
    a.transport.send([append('a', 'b', 1, 100 * 1024), heartbeat('a', 'b', 2)]);
    assert.equal((await b.messages.next('the heartbeat')).commit, 2);
    await a.logs.next(/larger than frameBytesMax/);
    assert.equal(b.messages.all.length, 1);
  });

  it('queues while connecting up to queuedMessagesPerPeerMax, dropping the oldest', async () => {
    const [a, b] = [await member('a', { queuedMessagesPerPeerMax: 3 }), await member('b')];
    TestMember.connectAll(a, b);
    // All in one turn of the event loop: the dial has not completed, so everything queues.
    for (let i = 1; i <= 10; i++) a.transport.send([heartbeat('a', 'b', i)]);
    for (const commit of [8, 9, 10]) assert.equal((await b.messages.next(`heartbeat ${commit}`)).commit, commit);
    a.transport.send([heartbeat('a', 'b', 11)]);
    assert.equal((await b.messages.next('heartbeat 11')).commit, 11);
    assert.deepEqual(b.messages.all.map((m) => m.commit), [8, 9, 10, 11]);
    assert.deepEqual(a.unreachable.all, []);
  });

  it('drops messages to an unknown peer and reports it unreachable, without throwing', async () => {
    const a = await member('a');
    assert.doesNotThrow(() => a.transport.send([heartbeat('a', 'nobody', 1)]));
    assert.equal(await a.unreachable.next('nobody'), 'nobody');
  });

  it('reports an unreachable peer once per failed attempt, not once per message', async () => {
    const a = await member('a');
    const ghost = await member('ghost');
    const ghostUrl = ghost.url;
    await ghost.transport.close();
    a.transport.setPeer('ghost', [ghostUrl]);
    a.transport.send([heartbeat('a', 'ghost', 1), heartbeat('a', 'ghost', 2)]);
    a.transport.send([heartbeat('a', 'ghost', 3)]);
    assert.equal(await a.unreachable.next('the failed dial'), 'ghost');
    // Dropped during the redial backoff: the failure was reported already.
    a.transport.send([heartbeat('a', 'ghost', 4)]);
    await settle();
    assert.deepEqual(a.unreachable.all, ['ghost']);
    await a.logs.next(/dial .* failed: connect ECONNREFUSED/);
  });

  it('reconnects after the peer listener restarts on the same port', async () => {
    const a = await member('a');
    let b = await member('b');
    TestMember.connectAll(a, b);
    await sendUntilDelivered(a, b, 'first delivery');
    const port = b.port;
    await b.transport.close();
    a.transport.send([heartbeat('a', 'b', 1)]);
    assert.equal(await a.unreachable.next('b down'), 'b');
    b = await member('b', { port });
    const delivered = await sendUntilDelivered(a, b, 'delivery after the restart');
    assert.equal(delivered.from, 'a');
    await a.logs.next(/connected to peer/);
  });

  it('dials the override URL instead of the advertised one', async () => {
    const b = await member('b');
    const proxy = await TcpProxy.start(b.port);
    cleanup.push(() => proxy.close());
    const advertised = 'http://127.0.0.1:1'; // nothing listens there
    const viaProxy = await new TestMember('a2', { dialOverrides: { [advertised]: proxy.url } }).start();
    cleanup.push(() => viaProxy.transport.close());
    viaProxy.transport.setPeer('b', [advertised]);
    viaProxy.transport.send([heartbeat('a2', 'b', 7)]);
    assert.equal((await b.messages.next('via the proxy')).commit, 7);
    assert.ok(proxy.bytesForwarded.toTarget > 0);
    assert.deepEqual(viaProxy.unreachable.all, []);
  });

  it('detects a blackholed link by keepalive, reports it, and recovers after heal', async () => {
    const b = await member('b');
    const proxy = await TcpProxy.start(b.port);
    cleanup.push(() => proxy.close());
    const a = await member('a', { dialOverrides: { [b.url]: proxy.url } });
    TestMember.connectAll(a, b);
    await sendUntilDelivered(a, b, 'delivery before the partition');
    proxy.blackhole();
    await a.logs.next(/silent past keepaliveTimeoutMs/);
    const ticker = setInterval(() => a.transport.send([heartbeat('a', 'b', 1)]), 20);
    try {
      assert.equal(await a.unreachable.next('b behind the blackhole'), 'b');
    } finally {
      clearInterval(ticker);
    }
    proxy.heal();
    await sendUntilDelivered(a, b, 'delivery after heal');
  });

  it('setPeer with new URLs redials there; removePeer drops and reports', async () => {
    const [a, b, b2] = [await member('a'), await member('b'), await member('b')];
    a.transport.setPeer('b', [b.url]);
    a.transport.send([heartbeat('a', 'b', 1)]);
    await b.messages.next('to the first b');
    a.transport.setPeer('b', [b2.url]);
    a.transport.send([heartbeat('a', 'b', 2)]);
    assert.equal((await b2.messages.next('to the new URL')).commit, 2);
    a.transport.removePeer('b');
    a.transport.send([heartbeat('a', 'b', 3)]);
    assert.equal(await a.unreachable.next('removed peer'), 'b');
  });

  it('close() closes the connections and the listener; later calls are harmless', async () => {
    const [a, b] = [await member('a'), await member('b')];
    TestMember.connectAll(a, b);
    a.transport.send([heartbeat('a', 'b', 1)]);
    await b.messages.next('before close');
    await b.transport.close();
    await a.logs.next(/connection closed: 1001 member shutting down/);
    await assert.rejects(
      () => new Promise((resolve, reject) => http.get(`${b.url}/synod/peer/health`, resolve).on('error', reject)),
      /ECONNREFUSED/,
    );
    b.transport.send([heartbeat('b', 'a', 1)]);
    assert.equal(await b.transport.sendSnapshot(makeMessage({ type: 'snap', from: 'b', to: 'a' }), (async function* () {})()), false);
    await b.transport.close();
    await settle();
    assert.deepEqual(b.unreachable.all, []);
  });

  it('refuses invalid options, listing every problem', () => {
    const handlers = { onMessage: () => {}, onUnreachable: () => {}, onSnapshot: async () => {} };
    assert.throws(
      () => createPeerTransport({ id: '', clusterId: 'abc', listenUrls: ['ftp://x:1'], frameBytesMax: 10, queuedMessagesPerPeerMax: 0 }, handlers),
      (error: Error) =>
        ['id must not be empty', 'clusterId must be a decimal string', 'frameBytesMax', 'queuedMessagesPerPeerMax', 'must be http://host:port'].every((part) => error.message.includes(part)),
    );
  });
});

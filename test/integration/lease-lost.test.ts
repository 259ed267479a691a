import assert from 'node:assert/strict';
import { Client } from '../../client-sdk/index.js';
import { ServerProcess } from './helpers/server-process.js';
import { TcpProxy } from './helpers/tcp-proxy.js';

describe('SDK lease loss detection (real server process behind a proxy)', function () {
  this.timeout(60_000);

  it('reports a lease lost within TTL + 1 s of its last acknowledged renewal when the connection goes silent', async () => {
    const server = await ServerProcess.start();
    const proxy = await TcpProxy.start(server.port);
    const client = new Client({ endpoints: [`127.0.0.1:${proxy.port}`], dialTimeoutMs: 500 });
    try {
      const lease = await client.lease.grant(2);
      // Let a renewal or two go through, then cut the connection without closing it (half-open).
      await lease.keepAliveOnce();
      const lastAck = performance.now();
      proxy.blackhole();
      const lost = await lease.lost;
      const detectedAfterMs = performance.now() - lastAck;
      assert.equal(lost.reason, 'expired');
      assert.ok(lease.signal.aborted);
      assert.ok(detectedAfterMs <= 2000 + 1000, `lost detected ${detectedAfterMs.toFixed(0)} ms after the last renewal`);
      assert.ok(detectedAfterMs >= 2000 - 2000 / 3 - 100, `lost reported too early: ${detectedAfterMs.toFixed(0)} ms`);
    } finally {
      await client.close();
      await proxy.close();
      await server.cleanup();
    }
  });
});

import assert from 'node:assert/strict';
import { Client, SynodError } from '../../client-sdk/index.js';
import { ServerProcess } from './helpers/server-process.js';

interface Acked {
  readonly key: string;
  readonly value: string;
  readonly revision: bigint;
}

describe('crash safety (SIGKILL under concurrent write load)', function () {
  this.timeout(120_000);

  it('keeps every acknowledged write with its revision, and continues revisions after restart', async () => {
    let server = await ServerProcess.start();
    const acked: Acked[] = [];
    let unknownOutcomes = 0;
    try {
      const client = new Client({ endpoints: [server.endpoint], requestTimeoutMs: 5000 });
      const writersCount = 64;
      let killed = false;
      const killAfterAcks = 2000;
      let resolveEnough!: () => void;
      const enough = new Promise<void>((resolve) => (resolveEnough = resolve));
      const writer = async (writerId: number): Promise<void> => {
        for (let seq = 0; !killed; seq++) {
          const key = `crash/${writerId}/${seq}`;
          const value = `value-${writerId}-${seq}`;
          try {
            const result = await client.put(key, value);
            acked.push({ key, value, revision: result.header.revision });
            if (acked.length >= killAfterAcks) resolveEnough();
          } catch (error) {
            assert.ok(error instanceof SynodError, String(error));
            if (killed) {
              unknownOutcomes++;
              return;
            }
            throw error;
          }
        }
      };
      const writers = Array.from({ length: writersCount }, (_, i) => writer(i));
      await enough;
      killed = true;
      const exit = await server.kill('SIGKILL');
      assert.equal(exit.signal, 'SIGKILL');
      await Promise.all(writers);
      await client.close();

      server = await ServerProcess.start({ dataDir: server.dataDir });
      const after = new Client({ endpoints: [server.endpoint] });
      const all = await after.get('crash/', { prefix: true });
      const stored = new Map(all.kvs.map((kv) => [kv.key.toString(), kv]));
      for (const write of acked) {
        const kv = stored.get(write.key);
        assert.ok(kv, `acknowledged write ${write.key} at revision ${write.revision} is missing after restart`);
        assert.equal(kv.value.toString(), write.value);
        assert.equal(kv.modRevision, write.revision);
      }
      const maxAcked = acked.reduce((max, write) => (write.revision > max ? write.revision : max), 0n);
      const next = await after.put('crash/after-restart', 'x');
      assert.ok(next.header.revision > all.header.revision, 'revisions continue after the stored ones');
      assert.ok(all.header.revision >= maxAcked);
      assert.equal(BigInt(stored.size), all.count);
      await after.close();
      // Each writer had at most one put in flight at the kill: it either landed or did not, so the store
      // holds every acknowledged key plus at most one unacknowledged key per writer, and nothing else.
      const unacknowledged = stored.size - acked.length;
      assert.ok(unacknowledged >= 0 && unacknowledged <= unknownOutcomes, `${unacknowledged} unacknowledged keys, ${unknownOutcomes} unknown outcomes`);
    } finally {
      await server.cleanup();
    }
  });
});

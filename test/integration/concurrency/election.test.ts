import assert from 'node:assert/strict';
import { Client, Election, NotLeaderError, Session, type LeaderInfo } from '../../../client-sdk/index.js';
import { ServerProcess } from '../helpers/server-process.js';
import { serverForSuite } from '../helpers/suite-server.js';
import { abortedSignal } from '../helpers/signals.js';

describe('Election (real server process)', function () {
  this.timeout(60_000);
  let server: ServerProcess;
  let client: Client;
  serverForSuite((s, c) => ((server = s), (client = c)));

  it('elects one leader at a time; the next candidate takes over on resign, with a larger fencing token', async () => {
    const a = await Session.create(client);
    const b = await Session.create(client);
    const first = await new Election(a, 'elections/one').campaign('a');
    let bLeads = false;
    const second = new Election(b, 'elections/one').campaign('b').then((leadership) => {
      bLeads = true;
      return leadership;
    });
    const leader = await new Election(a, 'elections/one').leader();
    assert.equal(leader?.value.toString(), 'a');
    assert.equal(bLeads, false);
    await first.resign();
    const next = await second;
    assert.ok(next.fencingToken > first.fencingToken);
    assert.equal((await new Election(b, 'elections/one').leader())?.value.toString(), 'b');
    await assert.rejects(first.proclaim('a again'), (error: unknown) => error instanceof NotLeaderError);
    await next.proclaim('b2');
    assert.equal((await new Election(b, 'elections/one').leader())?.value.toString(), 'b2');
    await a.close();
    await b.close();
  });

  it('observes leader changes, proclamations and vacancy', async () => {
    const watcher = await Session.create(client);
    const seen: (string | null)[] = [];
    const controller = new AbortController();
    const observing = (async () => {
      for await (const leader of new Election(watcher, 'elections/observe').observe({ signal: controller.signal })) {
        seen.push(leader === null ? null : leader.value.toString());
        if (seen.length === 5) controller.abort();
      }
    })().catch(() => undefined);
    const a = await Session.create(client);
    const b = await Session.create(client);
    const leadA = await new Election(a, 'elections/observe').campaign('a');
    const pendingB = new Election(b, 'elections/observe').campaign('b');
    await leadA.proclaim('a2');
    await a.close();
    const leadB = await pendingB;
    await leadB.resign();
    await observing;
    assert.deepEqual(seen, [null, 'a', 'a2', 'b', null]);
    await watcher.close();
    await b.close();
  });

  it('ends a leadership when its session ends, and fails a waiting candidate whose session ends', async () => {
    const a = await Session.create(client);
    const b = await Session.create(client);
    const lead = await new Election(a, 'elections/lost').campaign('a');
    const waiting = new Election(b, 'elections/lost').campaign('b');
    await client.lease.revoke(b.leaseId);
    await assert.rejects(waiting);
    await client.lease.revoke(a.leaseId);
    await abortedSignal(lead.signal);
    assert.equal(lead.isLeader, false);
    const observed: LeaderInfo | null = await new Election(a, 'elections/lost').leader();
    assert.equal(observed, null);
  });
});


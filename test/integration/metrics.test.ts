import assert from 'node:assert/strict';
import { Client, SynodError } from '../../client-sdk/index.js';
import { ServerProcess } from './helpers/server-process.js';
import { waitFor } from './helpers/wait-for.js';

/** Parses the Prometheus text format into `name{labels}` -> value. */
function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

describe('/metrics (real server process)', function () {
  this.timeout(60_000);
  let server: ServerProcess;
  let client: Client;

  const scrape = async (): Promise<Map<string, number>> => {
    const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return parseExposition(await response.text());
  };

  before(async () => {
    server = await ServerProcess.start();
    client = new Client({ endpoints: [server.endpoint] });
  });
  after(async () => {
    await client.close();
    await server.cleanup();
  });

  it('counts requests by method and result code, and times them', async () => {
    const before = await scrape();
    const count = (samples: Map<string, number>, key: string): number => samples.get(key) ?? 0;
    for (let i = 0; i < 5; i++) await client.put(`metrics/k${i}`, 'v');
    await client.get('metrics/k0');
    await assert.rejects(client.get('metrics/k0', { revision: 1_000_000n }), (error: unknown) => error instanceof SynodError && error.code === 'future_revision');
    const after = await scrape();
    assert.equal(count(after, 'synod_client_requests_total{method="kv.put",code="ok"}') - count(before, 'synod_client_requests_total{method="kv.put",code="ok"}'), 5);
    assert.equal(count(after, 'synod_client_requests_total{method="kv.range",code="future_revision"}') - count(before, 'synod_client_requests_total{method="kv.range",code="future_revision"}'), 1);
    assert.ok(count(after, 'synod_client_request_duration_seconds_count{method="kv.put"}') >= 5);
    assert.ok(count(after, 'synod_disk_wal_fsync_duration_seconds_count') >= 5, 'every acknowledged put was synced to the Raft log');
    const revision = (await client.get('metrics/k0')).header.revision;
    assert.equal(after.get('synod_mvcc_current_revision'), Number(revision));
    assert.ok(count(after, 'synod_mvcc_db_total_size_in_bytes') > 0);
  });

  it('reports leadership, the Raft indexes, and the process', async () => {
    const samples = await scrape();
    assert.equal(samples.get('synod_server_has_leader'), 1);
    assert.equal(samples.get('synod_server_is_leader'), 1);
    assert.equal(samples.get('synod_server_is_learner'), 0);
    assert.equal(samples.get('synod_server_leader_changes_seen_total'), 1);
    assert.ok((samples.get('synod_server_raft_term') ?? 0) >= 1);
    assert.ok((samples.get('synod_server_proposals_applied_total') ?? 0) >= 1);
    assert.ok((samples.get('process_resident_memory_bytes') ?? 0) > 0);
  });

  it('follows watchers, leases and client connections as they come and go', async () => {
    const controller = new AbortController();
    const extra = new Client({ endpoints: [server.endpoint] });
    await extra.get('metrics/warm');
    const lease = await client.lease.grant(60);
    const watching = (async () => {
      for await (const event of client.watch('metrics/watched', { signal: controller.signal })) return event;
      return undefined;
    })();
    await waitFor('the watcher to be counted', async () => ((await scrape()).get('synod_watch_watchers') === 1 ? true : undefined));
    const samples = await scrape();
    assert.equal(samples.get('synod_lease_active'), 1);
    assert.equal(samples.get('synod_client_connections'), 2);
    await client.put('metrics/watched', 'x');
    assert.equal((await watching)?.type, 'put');
    await lease.close();
    await extra.close();
    await waitFor('the watcher, lease and connection to be gone', async () => {
      const now = await scrape();
      return now.get('synod_watch_watchers') === 0 && now.get('synod_lease_active') === 0 && now.get('synod_client_connections') === 1 ? true : undefined;
    });
    controller.abort();
  });
});

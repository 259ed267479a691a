import assert from 'node:assert/strict';
import { ctl, refused } from './in-process.js';

// The member, move-leader and endpoint commands' checks, run in-process against a port
// nothing listens on (the integration tests run them against real clusters).
describe('synodctl cluster commands: argument checks and unreachable endpoints (in-process)', () => {
  it('member: refuses missing or extra arguments (128), bad ids (128) and bad peer URLs (1)', async () => {
    await refused(['member', 'add'], 128, 'member name not provided');
    await refused(['member', 'add', 'a', 'b', '--peer-urls', 'http://127.0.0.1:2380'], 128, 'too many arguments');
    await refused(['member', 'add', 'a'], 128, 'member peer urls not provided');
    await refused(['member', 'add', 'a', '--peer-urls=notaurl'], 1, 'URL scheme must be http, https, unix, or unixs: notaurl');
    await refused(['member', 'remove'], 128, 'member ID is not provided');
    await refused(['member', 'remove', '1', '2'], 128, 'member ID is not provided');
    await refused(['member', 'promote', 'zz'], 128, 'bad member ID arg (strconv.ParseUint: parsing "zz": invalid syntax), expecting ID in Hex');
    await refused(['member', 'update', '12'], 128, 'member peer urls not provided');
    await refused(['member', 'update', 'xyz', '--peer-urls', 'http://127.0.0.1:2380'], 128, 'bad member ID arg (strconv.ParseUint: parsing "xyz": invalid syntax), expecting ID in Hex');
  });

  it('refuses the formats etcdctl 3.4 cannot print a result in (4), before sending anything', async () => {
    await refused(['member', 'add', 'a', '--peer-urls', 'http://127.0.0.1:2380', '-w', 'table'], 4, 'table not supported as output format');
    await refused(['member', 'remove', '12', '-w', 'fields'], 4, 'fields not supported as output format');
    await refused(['member', 'list', '-w', 'yaml'], 4, 'unsupported output format');
    await refused(['move-leader', '12', '-w', 'table'], 4, 'table not supported as output format');
  });

  it('move-leader: needs one hex id (128)', async () => {
    await refused(['move-leader'], 128, 'move-leader command needs 1 argument');
    await refused(['move-leader', 'zz'], 128, 'strconv.ParseUint: parsing "zz": invalid syntax');
  });

  it('endpoint status and hashkv report each endpoint that did not answer, then exit 1', async () => {
    const status = await ctl(['endpoint', 'status']);
    assert.equal(status.code, 1);
    assert.equal(status.stdout, '');
    assert.match(status.stderr, /^Failed to get the status of endpoint 127\.0\.0\.1:1 \(.+\)\n$/);
    const json = await ctl(['endpoint', 'status', '-w', 'json']);
    assert.equal(json.stdout, '[]\n');
    const hash = await ctl(['endpoint', 'hashkv']);
    assert.equal(hash.code, 1);
    assert.match(hash.stderr, /^Failed to get the hash of endpoint 127\.0\.0\.1:1 \((.+)\)\nError: \1\n$/);
    const cluster = await ctl(['endpoint', 'status', '--cluster']);
    assert.equal(cluster.code, 1);
    assert.match(cluster.stderr, /^Error: failed to fetch endpoints from synod cluster member list: .+\n$/);
  });

  it('endpoint health reports an endpoint that cannot serve a read as unhealthy, then "unhealthy cluster"', async () => {
    const health = await ctl(['endpoint', 'health']);
    assert.equal(health.code, 1);
    assert.equal(health.stdout, '');
    assert.match(health.stderr, /^127\.0\.0\.1:1 is unhealthy: failed to commit proposal: .+\nError: unhealthy cluster\n$/);
    const json = await ctl(['endpoint', 'health', '-w', 'json']);
    assert.match(json.stdout, /^\[\{"endpoint":"127\.0\.0\.1:1","health":false,"took":"[0-9.]+(ms|µs|s)","error":".+"\}\]\n$/);
  });
});

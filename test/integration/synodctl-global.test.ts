import assert from 'node:assert/strict';
import { Client } from '../../client-sdk/index.js';
import { API_VERSION, SYNOD_VERSION } from '../../server/version.js';
import { ServerProcess } from './helpers/server-process.js';
import { closedPort, ctlFor, expectFailure, expectOk, runCtl } from './helpers/synodctl.js';

describe('synodctl global flags, environment, errors, compaction and version (real processes)', function () {
  this.timeout(30_000);
  let server: ServerProcess;
  let ctl: ReturnType<typeof ctlFor>;
  let client: Client;
  let deadEndpoint: string;

  before(async () => {
    server = await ServerProcess.start();
    ctl = ctlFor(server.endpoint);
    client = new Client({ endpoints: [server.endpoint] });
    await client.put('global/k', 'v');
    deadEndpoint = `127.0.0.1:${await closedPort()}`;
  });
  after(async () => {
    await client.close();
    await server.cleanup();
  });

  it('prints its version in etcdctl\'s two lines without any server', async () => {
    const run = expectOk(await runCtl(['version'], { env: { SYNODCTL_ENDPOINTS: deadEndpoint } }));
    assert.equal(run.stdout, `synodctl version: ${SYNOD_VERSION}\nAPI version: ${API_VERSION}\n`);
  });

  it('takes --endpoints as host:port, http:// and ws:// URLs, comma lists and repeated flags, using a live one', async () => {
    const runs = await Promise.all([
      runCtl(['--endpoints', `http://${server.endpoint}`, 'get', 'global/k']),
      runCtl([`--endpoints=ws://${server.endpoint}`, 'get', 'global/k']),
      runCtl(['--endpoints', `${deadEndpoint},${server.endpoint}`, 'get', 'global/k']),
      runCtl(['get', 'global/k', '--endpoints', deadEndpoint, '--endpoints', server.endpoint]),
    ]);
    for (const run of runs) assert.equal(expectOk(run).stdout, 'global/k\nv\n');
    expectFailure(await runCtl(['--endpoints', '', 'get', 'global/k']), 2, 'no available endpoints');
  });

  it('reads SYNODCTL_ENDPOINTS, _WRITE_OUT, _HEX and the timeouts from the environment; flags win', async () => {
    const env = { SYNODCTL_ENDPOINTS: server.endpoint, SYNODCTL_WRITE_OUT: 'json', SYNODCTL_HEX: 'true' };
    const [fromEnv, flagWins, hex, timeouts, badTimeout] = await Promise.all([
      runCtl(['get', 'global/k'], { env }),
      runCtl(['get', 'global/k', '-w', 'simple'], { env: { ...env, SYNODCTL_HEX: 'false' } }),
      runCtl(['get', 'global/k', '-w', 'simple'], { env }),
      runCtl(['get', 'global/k', '-w', 'simple'], { env: { ...env, SYNODCTL_HEX: '0', SYNODCTL_DIAL_TIMEOUT: '500ms', SYNODCTL_COMMAND_TIMEOUT: '1m' } }),
      runCtl(['get', 'global/k'], { env: { ...env, SYNODCTL_COMMAND_TIMEOUT: '5' } }),
    ]);
    assert.equal((JSON.parse(expectOk(fromEnv).stdout) as { count: number }).count, 1);
    assert.equal(expectOk(flagWins).stdout, 'global/k\nv\n');
    assert.equal(expectOk(hex).stdout, '\\x67\\x6c\\x6f\\x62\\x61\\x6c\\x2f\\x6b\n\\x76\n');
    assert.equal(expectOk(timeouts).stdout, 'global/k\nv\n');
    expectFailure(badTimeout, 1, 'invalid value "5" for SYNODCTL_COMMAND_TIMEOUT: time: missing unit in duration "5"');
    const zero = await runCtl(['get', 'global/k'], { env: { SYNODCTL_ENDPOINTS: server.endpoint, SYNODCTL_COMMAND_TIMEOUT: '0s' } });
    expectFailure(zero, 1, 'kv.range got no answer within 0 ms');
  });

  it('gives up on an unreachable endpoint after --command-timeout: exit 1, the reason on stderr', async () => {
    const started = Date.now();
    const run = await runCtl(['--endpoints', deadEndpoint, '--command-timeout', '300ms', '--dial-timeout', '100ms', 'put', 'global/x', 'v']);
    expectFailure(run, 1, new RegExp(`^Error: no endpoint is reachable: cannot connect to ws://${deadEndpoint}: connect ECONNREFUSED .*\\n$`));
    // Process start-up included; the default command timeout alone would take 5 s.
    assert.ok(Date.now() - started < 4_500, `took ${Date.now() - started} ms`);
  });

  it('exits 1 with cobra\'s message on a bad flag, an unknown command, or a bad duration', async () => {
    const [flag, command, duration] = await Promise.all([
      ctl(['get', 'global/k', '--bogus']),
      ctl(['bogus']),
      ctl(['--dial-timeout', '2', 'get', 'global/k']),
    ]);
    expectFailure(flag, 1, 'unknown flag: --bogus');
    expectFailure(command, 1, 'unknown command "bogus" for "synodctl"\nRun \'synodctl --help\' for usage.');
    expectFailure(duration, 1, 'invalid argument "2" for "--dial-timeout" flag: time: missing unit in duration "2"');
  });

  it('compacts, then reports reads and compactions at or below it as etcd does (exit 1)', async () => {
    const first = await client.put('compact/k', 'old');
    await client.put('compact/k', 'new');
    const revision = first.header.revision;
    assert.equal(expectOk(await ctl(['compaction', String(revision), '--physical'])).stdout, `compacted revision ${revision}\n`);
    const [read, again, future] = await Promise.all([
      ctl(['get', 'compact/k', '--rev', String(revision - 1n)]),
      ctl(['compaction', String(revision)]),
      ctl(['compaction', '1000000']),
    ]);
    expectFailure(read, 1, 'mvcc: required revision has been compacted');
    expectFailure(again, 1, 'mvcc: required revision has been compacted');
    expectFailure(future, 1, 'mvcc: required revision is a future revision');
    assert.equal(expectOk(await ctl(['get', 'compact/k', '--rev', String(revision), '--print-value-only'])).stdout, 'old\n');
  });
});

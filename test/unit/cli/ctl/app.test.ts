import assert from 'node:assert/strict';
import { API_VERSION, SYNOD_VERSION } from '../../../../server/version.js';
import { ctl, refused } from './in-process.js';

describe('synodctl command dispatch and argument checks (in-process)', () => {
  it('prints its version as etcdctl does, with no server and whatever -w says', async () => {
    const expected = `synodctl version: ${SYNOD_VERSION}\nAPI version: ${API_VERSION}\n`;
    assert.deepEqual(await ctl(['version']), { code: 0, stdout: expected, stderr: '' });
    assert.deepEqual(await ctl(['version', '-w', 'json']), { code: 0, stdout: expected, stderr: '' });
  });

  it('prints help for no command, --help, <command> --help and help <command>', async () => {
    for (const argv of [[], ['--help'], ['help']]) {
      const run = await ctl(argv);
      assert.equal(run.code, 0);
      assert.match(run.stdout, /^NAME:\n\tsynodctl - .*\n\nUSAGE:\n/);
      assert.match(run.stdout, /\n\tget +Gets the key or a range of keys\n/);
    }
    for (const argv of [['get', '--help'], ['get', '-h'], ['help', 'get']]) {
      const run = await ctl(argv);
      assert.equal(run.code, 0);
      assert.match(run.stdout, /^NAME:\n\tget - Gets the key or a range of keys\n\nUSAGE:\n\tsynodctl get \[options\] <key> \[range_end\] \[flags\]\n/);
      assert.match(run.stdout, /\n {6}--rev=0 +Specify the kv revision\n/);
      assert.match(run.stdout, /\nGLOBAL OPTIONS:\n[^]*\n {6}--dial-timeout=2s +dial timeout for client connections\n/);
    }
  });

  it('fails with exit 1 on unknown commands and flags, missing and unparsable flag values (cobra errors)', async () => {
    await refused(['bogus'], 1, 'unknown command "bogus" for "synodctl"\nRun \'synodctl --help\' for usage.');
    await refused(['get', 'a', '--bogus'], 1, 'unknown flag: --bogus');
    await refused(['--bogus'], 1, 'unknown flag: --bogus');
    await refused(['get', '-x'], 1, "unknown shorthand flag: 'x' in -x");
    await refused(['get', 'a', '--rev'], 1, 'flag needs an argument: --rev');
    await refused(['get', 'a', '--limit', 'abc'], 1, 'invalid argument "abc" for "--limit" flag: strconv.ParseInt: parsing "abc": invalid syntax');
    await refused(['get', 'a', '--dial-timeout', '300'], 1, 'invalid argument "300" for "--dial-timeout" flag: time: missing unit in duration "300"');
    await refused(['put', 'a', 'b', '--interactive'], 1, 'unknown flag: --interactive');
    await refused(['compaction', 'abc'], 1, 'strconv.ParseInt: parsing "abc": invalid syntax');
  });

  it('fails with exit 128 on bad arguments and 4 on unusable flag values, before dialling', async () => {
    await refused(['put'], 128, 'put command needs 1 argument and input from stdin or 2 arguments');
    await refused(['put', 'k'], 128, 'put command needs 1 argument and input from stdin or 2 arguments');
    await refused(['put', 'k', 'v', '--lease', '0xg'], 128, 'bad lease ID (strconv.ParseInt: parsing "0xg": invalid syntax), expecting ID in Hex');
    await refused(['put', 'a', '-w', 'xml'], 128, 'put command needs 1 argument and input from stdin or 2 arguments');
    await refused(['get', 'a', '-w', 'yaml'], 4, 'unsupported output format');
    await refused(['get', 'a', '-w', 'protobuf'], 4, 'unsupported output format');
    await refused(['get', 'a', '-w', 'table'], 4, 'table not supported as output format');
    await refused(['txn', '-w', 'table'], 4, 'table not supported as output format');
    await refused(['txn', 'extra'], 128, 'txn command does not accept argument');
    await refused(['compaction'], 128, 'compaction command needs 1 argument');
    await refused(['compaction', '1', '2'], 128, 'compaction command needs 1 argument');
  });

  it('fails with exit 2 when no endpoint is given, after the output format check as in etcdctl', async () => {
    await refused(['get', 'a', '--endpoints', ''], 2, 'no available endpoints');
    await refused(['get', 'a', '--endpoints', '', '-w', 'yaml'], 4, 'unsupported output format');
  });

  it('fails with exit 3 on txn input it cannot parse', async () => {
    await refused(['txn'], 3, 'EOF', { stdin: '\nput a 1\n' });
    await refused(['txn'], 3, 'malformed comparison: nonsense', { stdin: 'nonsense\n\n\n\n' });
    await refused(['txn'], 3, 'invalid txn request: frobnicate a', { stdin: '\nfrobnicate a\n\n\n' });
  });

  it('reads SYNODCTL_* twins (flags win), warns about unknown ones, and rejects bad values with exit 1', async () => {
    const badEnv = await ctl(['get', 'a'], { env: { SYNODCTL_DIAL_TIMEOUT: 'soon', SYNODCTL_ENDPONTS: 'x:1' } });
    assert.deepEqual(badEnv, {
      code: 1,
      stdout: '',
      stderr: 'synodctl: unrecognized environment variable SYNODCTL_ENDPONTS=x:1\nError: invalid value "soon" for SYNODCTL_DIAL_TIMEOUT: time: invalid duration "soon"\n',
    });
    await refused(['get', 'a'], 4, 'unsupported output format', { env: { SYNODCTL_WRITE_OUT: 'yaml' } });
    await refused(['get', 'a', '-w', 'yaml'], 4, 'unsupported output format', { env: { SYNODCTL_WRITE_OUT: 'json' } });
    await refused(['get', 'a', '--print-value-only'], 128, 'print-value-only is only for `--write-out=simple`', { env: { SYNODCTL_WRITE_OUT: 'json' } });
    await refused(['get', 'a', '--print-value-only', '-w', 'simple'], 1, 'kv.range got no answer within 0 ms', {
      env: { SYNODCTL_WRITE_OUT: 'json', SYNODCTL_COMMAND_TIMEOUT: '0s' },
    });
  });
});

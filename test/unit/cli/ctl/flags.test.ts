import assert from 'node:assert/strict';
import { CtlError } from '../../../../server/cli/ctl/exit-codes.js';
import { parseCommandLine, type FlagSpec } from '../../../../server/cli/ctl/flags.js';

const specs: FlagSpec[] = [
  { name: 'write-out', short: 'w', kind: 'string', defaultText: 'simple', description: '' },
  { name: 'prefix', kind: 'bool', defaultText: 'false', description: '' },
  { name: 'interactive', short: 'i', kind: 'bool', defaultText: 'false', description: '' },
  { name: 'rev', kind: 'int64', defaultText: '0', description: '' },
  { name: 'endpoints', kind: 'strings', defaultText: '127.0.0.1:2379', description: '' },
  { name: 'dial-timeout', kind: 'duration', defaultText: '2s', description: '', env: true },
];

function parse(...argv: string[]) {
  const { flags, positionals } = parseCommandLine(argv, specs);
  return { flags, args: positionals.map((arg) => arg.value) };
}

function refused(argv: string[], message: string): void {
  assert.throws(() => parseCommandLine(argv, specs), (error: unknown) => {
    assert.ok(error instanceof CtlError);
    assert.equal(error.exitCode, 1, 'cobra flag errors exit 1 in etcdctl');
    assert.equal(error.message, message);
    return true;
  });
}

describe('synodctl flag parsing (pflag semantics)', () => {
  it('takes flags anywhere, in every pflag spelling, and stops at --', () => {
    const { flags, args } = parse('get', 'a', '-wjson', '--prefix=false', '--rev', '-5', '--', '--not-a-flag');
    assert.deepEqual(args, ['get', 'a', '--not-a-flag']);
    assert.equal(flags.string('write-out'), 'json');
    assert.equal(flags.bool('prefix'), false);
    assert.equal(flags.int64('rev'), -5n, 'a non-boolean flag always takes the next argument');
    assert.equal(parse('-w=fields').flags.string('write-out'), 'fields');
    assert.equal(parse('-w', 'table').flags.string('write-out'), 'table');
    assert.equal(parse('-iw', 'json').flags.bool('interactive'), true);
    assert.equal(parse('--rev=0x10').flags.int64('rev'), 16n);
  });

  it('keeps defaults, appends repeated list flags and splits them on commas', () => {
    const defaults = parse();
    assert.deepEqual(defaults.flags.strings('endpoints'), ['127.0.0.1:2379']);
    assert.equal(defaults.flags.durationMs('dial-timeout'), 2000);
    assert.equal(defaults.flags.isSet('endpoints'), false);
    const repeated = parse('--endpoints', 'a:1,b:2', '--endpoints=c:3');
    assert.deepEqual(repeated.flags.strings('endpoints'), ['a:1', 'b:2', 'c:3']);
    assert.deepEqual(parse('--endpoints', '').flags.strings('endpoints'), []);
  });

  it("reports pflag's messages for unknown flags, missing and bad values", () => {
    refused(['--bogus'], 'unknown flag: --bogus');
    refused(['-ix'], "unknown shorthand flag: 'x' in -ix");
    refused(['--rev'], 'flag needs an argument: --rev');
    refused(['-w'], "flag needs an argument: 'w' in -w");
    refused(['--rev', 'abc'], 'invalid argument "abc" for "--rev" flag: strconv.ParseInt: parsing "abc": invalid syntax');
    refused(['--prefix=maybe'], 'invalid argument "maybe" for "--prefix" flag: strconv.ParseBool: parsing "maybe": invalid syntax');
    refused(['--dial-timeout', '300'], 'invalid argument "300" for "--dial-timeout" flag: time: missing unit in duration "300"');
  });

  it('reads environment twins for flags left unset, lets the command line win, and rejects bad values', () => {
    const fromEnv = parse();
    fromEnv.flags.applyEnvironment({ SYNODCTL_DIAL_TIMEOUT: '500ms' });
    assert.equal(fromEnv.flags.durationMs('dial-timeout'), 500);
    const fromFlag = parse('--dial-timeout', '1s');
    fromFlag.flags.applyEnvironment({ SYNODCTL_DIAL_TIMEOUT: '500ms' });
    assert.equal(fromFlag.flags.durationMs('dial-timeout'), 1000);
    const noTwin = parse();
    noTwin.flags.applyEnvironment({ SYNODCTL_WRITE_OUT: 'json' });
    assert.equal(noTwin.flags.string('write-out'), 'simple', 'only flags declared with env read it');
    assert.throws(() => parse().flags.applyEnvironment({ SYNODCTL_DIAL_TIMEOUT: 'soon' }), {
      message: 'invalid value "soon" for SYNODCTL_DIAL_TIMEOUT: time: invalid duration "soon"',
    });
  });
});

import assert from 'node:assert/strict';
import { CtlError } from '../../../../server/cli/ctl/exit-codes.js';
import { formatGoDuration } from '../../../../server/cli/ctl/go-duration.js';
import { parseGoHexUint64 } from '../../../../server/cli/ctl/go-strconv.js';
import { parseMemberId, parsePeerUrls } from '../../../../server/cli/ctl/member-commands.js';

/** Asserts `run` throws a CtlError with this exit code and message. */
function refuses(run: () => unknown, exitCode: number, message: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof CtlError, String(error));
    assert.deepEqual({ exitCode: error.exitCode, message: error.message }, { exitCode, message });
    return true;
  });
}

describe('synodctl member arguments, Go durations and hex ids', () => {
  it("formats durations as Go's time.Duration.String", () => {
    const cases: [bigint, string][] = [
      [0n, '0s'],
      [999n, '999ns'],
      [1_500n, '1.5µs'],
      [6_843_906n, '6.843906ms'],
      [1_000_000n, '1ms'],
      [1_000_603_411n, '1.000603411s'],
      [60_000_000_000n, '1m0s'],
      [3_723_500_000_000n, '1h2m3.5s'],
      [-2_000_000n, '-2ms'],
    ];
    for (const [nanos, text] of cases) assert.equal(formatGoDuration(nanos), text);
  });

  it('reads member ids as strconv.ParseUint(id, 16, 64), with etcdctl\'s messages', () => {
    assert.equal(parseGoHexUint64('18a078fdef9abc8c'), 0x18a078fdef9abc8cn);
    assert.equal(parseGoHexUint64('FFFFFFFFFFFFFFFF'), 2n ** 64n - 1n);
    refuses(() => parseMemberId('0x12'), 128, 'bad member ID arg (strconv.ParseUint: parsing "0x12": invalid syntax), expecting ID in Hex');
    refuses(() => parseMemberId('-12'), 128, 'bad member ID arg (strconv.ParseUint: parsing "-12": invalid syntax), expecting ID in Hex');
    refuses(() => parseMemberId('12345678901234567'), 128, 'bad member ID arg (strconv.ParseUint: parsing "12345678901234567": value out of range), expecting ID in Hex');
  });

  it('checks --peer-urls as etcdctl does (exit 1) and trims them', () => {
    assert.deepEqual(parsePeerUrls('http://127.0.0.1:2380, http://[::1]:2380'), ['http://127.0.0.1:2380', 'http://[::1]:2380']);
    refuses(() => parsePeerUrls(''), 128, 'member peer urls not provided');
    refuses(() => parsePeerUrls('notaurl'), 1, 'URL scheme must be http, https, unix, or unixs: notaurl');
    refuses(() => parsePeerUrls('http://127.0.0.1:1,'), 1, 'URL scheme must be http, https, unix, or unixs: ');
    refuses(() => parsePeerUrls('http://127.0.0.1'), 1, 'URL address does not have the form "host:port": http://127.0.0.1');
    refuses(() => parsePeerUrls('http://127.0.0.1:1/path'), 1, 'URL must not contain a path: http://127.0.0.1:1/path');
    refuses(() => parsePeerUrls('%zz'), 1, 'parse "%zz": invalid URL escape "%zz"');
  });
});

import assert from 'node:assert/strict';
import { parseGoDurationMs } from '../../../../server/cli/ctl/go-duration.js';
import { goQuote, parseGoBool, parseGoInt, scanQuoted } from '../../../../server/cli/ctl/go-strconv.js';

// Expected strings below were produced by Go (etcdctl 3.4.23's %q and error messages).
describe('synodctl Go compatibility: strconv and durations', () => {
  it("quotes byte strings as Go's %q: printable UTF-8 kept, invalid bytes as \\x, control runes escaped", () => {
    const bytes = Buffer.from([0x61, 0x00, 0xff, 0x62, 0xc3, 0xa9, 0x7f, 0x09, 0xe2, 0x80, 0xa8, 0xf0, 0x9f, 0x98, 0x80, 0xed, 0xa0, 0x80, 0x0a]);
    assert.equal(goQuote(bytes), '"a\\x00\\xffbé\\x7f\\t\\u2028😀\\xed\\xa0\\x80\\n"');
    assert.equal(goQuote('say "hi" \\ now'), '"say \\"hi\\" \\\\ now"');
    assert.equal(goQuote(Buffer.from([0x07, 0x08, 0x0c, 0x0b, 0x0d, 0x1b])), '"\\a\\b\\f\\v\\r\\x1b"');
    assert.equal(goQuote(''), '""');
  });

  it('reads Go string literals with every escape form, raw strings, and the errors fmt reports', () => {
    assert.deepEqual(scanQuoted('  "a\\tb\\x00\\377\\u00e9\\U0001F600\\"" rest', 0), {
      value: Buffer.concat([Buffer.from('a\tb\x00\xff', 'latin1'), Buffer.from('é😀"', 'utf8')]).toString('latin1'),
      end: 34,
    });
    assert.deepEqual(scanQuoted('`raw \\n`', 0), { value: 'raw \\n', end: 8 });
    assert.throws(() => scanQuoted('"open', 0), /^Error: unexpected EOF$/);
    assert.throws(() => scanQuoted('"bad \\q"', 0), /^Error: invalid syntax$/);
    assert.throws(() => scanQuoted('"\\ud800"', 0), /^Error: invalid syntax$/);
    assert.throws(() => scanQuoted('plain', 0), /^Error: expected quoted string$/);
  });

  it("parses integers as strconv.ParseInt: base 0 prefixes and underscores, range and syntax errors", () => {
    assert.equal(parseGoInt('42', 10), 42n);
    assert.equal(parseGoInt('-7', 10), -7n);
    assert.equal(parseGoInt('0x10', 0), 16n);
    assert.equal(parseGoInt('010', 0), 8n);
    assert.equal(parseGoInt('0b101', 0), 5n);
    assert.equal(parseGoInt('1_000', 0), 1000n);
    assert.equal(parseGoInt('7fffffffffffffff', 16), 0x7fffffffffffffffn);
    assert.equal(parseGoInt('-8000000000000000', 16), -0x8000000000000000n);
    assert.throws(() => parseGoInt('abc', 10), { message: 'strconv.ParseInt: parsing "abc": invalid syntax' });
    assert.throws(() => parseGoInt('1_000', 10), { message: 'strconv.ParseInt: parsing "1_000": invalid syntax' });
    assert.throws(() => parseGoInt('', 0), { message: 'strconv.ParseInt: parsing "": invalid syntax' });
    assert.throws(() => parseGoInt('0x', 16), { message: 'strconv.ParseInt: parsing "0x": invalid syntax' });
    assert.throws(() => parseGoInt('9223372036854775808', 10), {
      message: 'strconv.ParseInt: parsing "9223372036854775808": value out of range',
    });
  });

  it('parses booleans as strconv.ParseBool', () => {
    for (const text of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.equal(parseGoBool(text), true);
    for (const text of ['0', 'f', 'F', 'FALSE', 'false', 'False']) assert.equal(parseGoBool(text), false);
    assert.throws(() => parseGoBool('yes'), { message: 'strconv.ParseBool: parsing "yes": invalid syntax' });
  });

  it('parses Go durations in milliseconds, with time.ParseDuration error messages', () => {
    assert.equal(parseGoDurationMs('2s'), 2000);
    assert.equal(parseGoDurationMs('500ms'), 500);
    assert.equal(parseGoDurationMs('1m30s'), 90_000);
    assert.equal(parseGoDurationMs('1.5h'), 5_400_000);
    assert.equal(parseGoDurationMs('250us'), 0.25);
    assert.equal(parseGoDurationMs('-1s'), -1000);
    assert.equal(parseGoDurationMs('0'), 0);
    assert.throws(() => parseGoDurationMs('300'), { message: 'time: missing unit in duration "300"' });
    assert.throws(() => parseGoDurationMs('1x'), { message: 'time: unknown unit "x" in duration "1x"' });
    assert.throws(() => parseGoDurationMs('abc'), { message: 'time: invalid duration "abc"' });
    assert.throws(() => parseGoDurationMs(''), { message: 'time: invalid duration ""' });
    assert.throws(() => parseGoDurationMs('.s'), { message: 'time: invalid duration ".s"' });
  });
});

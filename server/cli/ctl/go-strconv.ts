/**
 * The few pieces of Go's strconv that etcdctl's observable behaviour depends on: `%q` quoting of byte
 * strings (fields output, error messages), unquoting of Go string literals (txn input), and the
 * integer and boolean parsers whose error messages users see. Byte strings are Buffers; text read
 * from the txn input is handled as latin1 strings so every byte survives.
 */

const HEX_DIGITS = '0123456789abcdef';
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

function hex(value: number, width: number): string {
  let text = '';
  for (let shift = (width - 1) * 4; shift >= 0; shift -= 4) text += HEX_DIGITS[(value >> shift) & 0xf];
  return text;
}

function continuation(bytes: Uint8Array, at: number, low = 0x80, high = 0xbf): boolean {
  const byte = bytes[at];
  return byte !== undefined && byte >= low && byte <= high;
}

/** Decodes one UTF-8 rune as Go does; `rune` is -1 for an invalid byte (width 1). */
export function decodeRune(bytes: Uint8Array, at: number): { rune: number; width: number } {
  const b0 = bytes[at]!;
  if (b0 < 0x80) return { rune: b0, width: 1 };
  if (b0 >= 0xc2 && b0 <= 0xdf && continuation(bytes, at + 1)) {
    return { rune: ((b0 & 0x1f) << 6) | (bytes[at + 1]! & 0x3f), width: 2 };
  }
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const low = b0 === 0xe0 ? 0xa0 : 0x80;
    const high = b0 === 0xed ? 0x9f : 0xbf;
    if (continuation(bytes, at + 1, low, high) && continuation(bytes, at + 2)) {
      return { rune: ((b0 & 0x0f) << 12) | ((bytes[at + 1]! & 0x3f) << 6) | (bytes[at + 2]! & 0x3f), width: 3 };
    }
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const low = b0 === 0xf0 ? 0x90 : 0x80;
    const high = b0 === 0xf4 ? 0x8f : 0xbf;
    if (continuation(bytes, at + 1, low, high) && continuation(bytes, at + 2) && continuation(bytes, at + 3)) {
      const rune = ((b0 & 0x07) << 18) | ((bytes[at + 1]! & 0x3f) << 12) | ((bytes[at + 2]! & 0x3f) << 6) | (bytes[at + 3]! & 0x3f);
      return { rune, width: 4 };
    }
  }
  return { rune: -1, width: 1 };
}

const SHORT_ESCAPES: Readonly<Record<number, string>> = { 7: '\\a', 8: '\\b', 12: '\\f', 10: '\\n', 13: '\\r', 9: '\\t', 11: '\\v' };

function escapeRune(rune: number): string {
  if (rune === 0x22 || rune === 0x5c) return `\\${String.fromCharCode(rune)}`;
  const char = String.fromCodePoint(rune);
  if (rune === 0x20 || PRINTABLE.test(char)) return char;
  const short = SHORT_ESCAPES[rune];
  if (short !== undefined) return short;
  if (rune < 0x20 || rune === 0x7f) return `\\x${hex(rune, 2)}`;
  if (rune < 0x10000) return `\\u${hex(rune, 4)}`;
  return `\\U${hex(rune, 8)}`;
}

/** Go's strconv.Quote (fmt's `%q`) of a byte string: printable runes kept, the rest escaped. */
export function goQuote(input: Uint8Array | string): string {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  let quoted = '"';
  for (let at = 0; at < bytes.length; ) {
    const { rune, width } = decodeRune(bytes, at);
    quoted += rune < 0 ? `\\x${hex(bytes[at]!, 2)}` : escapeRune(rune);
    at += width;
  }
  return `${quoted}"`;
}

/** Go's strconv.ErrSyntax, as fmt prints it. */
export const SYNTAX_ERROR = 'invalid syntax';

function utf8Latin1(rune: number): string {
  return Buffer.from(String.fromCodePoint(rune), 'utf8').toString('latin1');
}

function escapeAt(body: string, at: number): { bytes: string; next: number } {
  const letter = body[at];
  const simple: Readonly<Record<string, string>> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"' };
  if (letter !== undefined && simple[letter] !== undefined) return { bytes: simple[letter]!, next: at + 1 };
  const digits = letter === 'x' ? 2 : letter === 'u' ? 4 : letter === 'U' ? 8 : 0;
  if (digits > 0) {
    const text = body.slice(at + 1, at + 1 + digits);
    if (!/^[0-9a-fA-F]+$/.test(text) || text.length !== digits) throw new Error(SYNTAX_ERROR);
    const value = Number.parseInt(text, 16);
    if (letter === 'x') return { bytes: String.fromCharCode(value), next: at + 1 + digits };
    if (value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) throw new Error(SYNTAX_ERROR);
    return { bytes: utf8Latin1(value), next: at + 1 + digits };
  }
  const octal = body.slice(at, at + 3);
  if (/^[0-7]{3}$/.test(octal) && Number.parseInt(octal, 8) <= 0xff) {
    return { bytes: String.fromCharCode(Number.parseInt(octal, 8)), next: at + 3 };
  }
  throw new Error(SYNTAX_ERROR);
}

/**
 * Reads one Go string literal ("..." with escapes, or `...` raw) from a latin1 byte string at `at`,
 * after skipping spaces as fmt's `%q` verb does. Returns the bytes (as latin1) and where it ended,
 * or throws with Go's message ("unexpected EOF", "invalid syntax", "expected quoted string").
 */
export function scanQuoted(text: string, at: number): { value: string; end: number } {
  let position = at;
  while (text[position] === ' ' || text[position] === '\t') position++;
  const quote = text[position];
  if (quote === undefined) throw new Error('unexpected EOF');
  if (quote === '`') {
    const close = text.indexOf('`', position + 1);
    if (close < 0) throw new Error('unexpected EOF');
    return { value: text.slice(position + 1, close), end: close + 1 };
  }
  if (quote !== '"') throw new Error('expected quoted string');
  let value = '';
  for (let index = position + 1; index < text.length; ) {
    const char = text[index]!;
    if (char === '"') return { value, end: index + 1 };
    if (char === '\n') throw new Error(SYNTAX_ERROR);
    if (char !== '\\') {
      value += char;
      index++;
      continue;
    }
    if (index + 1 >= text.length) break;
    const escaped = escapeAt(text, index + 1);
    value += escaped.bytes;
    index = escaped.next;
  }
  throw new Error('unexpected EOF');
}

function underscoresOk(text: string): boolean {
  // Go's rule: an underscore may only sit between digits (or after a base prefix).
  return !/(^_|_$|__)/.test(text.replace(/^0[xXbBoO]/, ''));
}

/**
 * Go's strconv.ParseInt(text, base, 64) as a bigint; base 0 reads the 0x/0o/0b/0 prefixes and allows
 * underscores. Throws with Go's message, e.g. `strconv.ParseInt: parsing "abc": invalid syntax`.
 */
export function parseGoInt(text: string, base: 0 | 10 | 16): bigint {
  const fail = (reason: string): never => {
    throw new Error(`strconv.ParseInt: parsing ${goQuote(text)}: ${reason}`);
  };
  let body = text;
  let negative = false;
  if (body.startsWith('+') || body.startsWith('-')) {
    negative = body.startsWith('-');
    body = body.slice(1);
  }
  let radix: number = base;
  if (base === 0) {
    if (!underscoresOk(body)) fail(SYNTAX_ERROR);
    const prefixed = /^0([xXoObB])/.exec(body);
    if (prefixed !== null) {
      radix = { x: 16, o: 8, b: 2 }[prefixed[1]!.toLowerCase() as 'x' | 'o' | 'b'];
      body = body.slice(2);
    } else {
      radix = body.length > 1 && body.startsWith('0') ? 8 : 10;
    }
    body = body.replaceAll('_', '');
  }
  const digits = '0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, radix);
  if (body.length === 0 || ![...body.toLowerCase()].every((char) => digits.includes(char))) fail(SYNTAX_ERROR);
  let value = 0n;
  for (const char of body.toLowerCase()) value = value * BigInt(radix) + BigInt(digits.indexOf(char));
  if (negative) value = -value;
  if (value > 0x7fffffffffffffffn || value < -0x8000000000000000n) fail('value out of range');
  return value;
}

/** Go's strconv.ParseBool. */
export function parseGoBool(text: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  throw new Error(`strconv.ParseBool: parsing ${goQuote(text)}: ${SYNTAX_ERROR}`);
}

/**
 * Go's strconv.ParseUint(text, 16, 64), how etcdctl reads member ids: hex digits only (no sign, no
 * 0x prefix, no underscores). Throws with Go's message.
 */
export function parseGoHexUint64(text: string): bigint {
  const fail = (reason: string): never => {
    throw new Error(`strconv.ParseUint: parsing ${goQuote(text)}: ${reason}`);
  };
  if (!/^[0-9a-fA-F]+$/.test(text)) fail(SYNTAX_ERROR);
  const value = BigInt(`0x${text}`);
  if (value > 0xffffffffffffffffn) fail('value out of range');
  return value;
}

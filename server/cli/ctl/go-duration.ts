import { goQuote } from './go-strconv.js';

const NANOS_PER_UNIT: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3, // U+00B5 micro sign
  'μs': 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/**
 * Go's time.ParseDuration, in milliseconds: "500ms", "2s", "1m30s", "1.5h", "-1s", "0". etcdctl's
 * --dial-timeout and --command-timeout take this syntax, and its error messages
 * (`time: missing unit in duration "300"`) are what users of etcdctl already know.
 */
export function parseGoDurationMs(text: string): number {
  const invalid = (): never => {
    throw new Error(`time: invalid duration ${goQuote(text)}`);
  };
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') invalid();
  let totalNanos = 0;
  while (rest !== '') {
    const number = /^([0-9]*)(\.([0-9]*))?/.exec(rest)!;
    const whole = number[1]!;
    const fraction = number[3] ?? '';
    if (whole === '' && fraction === '') invalid();
    rest = rest.slice(number[0].length);
    const unit = /^[^0-9.]*/.exec(rest)![0];
    if (unit === '') throw new Error(`time: missing unit in duration ${goQuote(text)}`);
    const nanosPerUnit = NANOS_PER_UNIT[unit];
    if (nanosPerUnit === undefined) throw new Error(`time: unknown unit ${goQuote(unit)} in duration ${goQuote(text)}`);
    rest = rest.slice(unit.length);
    totalNanos += Number(`${whole === '' ? '0' : whole}.${fraction === '' ? '0' : fraction}`) * nanosPerUnit;
  }
  if (totalNanos > 2 ** 63) invalid();
  return (sign * totalNanos) / 1e6;
}


/** Go's fmtFrac: `value` / 10^precision as ".123" with trailing zeros dropped ("" for none). */
function fraction(value: bigint, precision: number): { text: string; whole: bigint } {
  const scale = 10n ** BigInt(precision);
  const digits = (value % scale).toString().padStart(precision, '0').replace(/0+$/, '');
  return { text: digits === '' ? '' : `.${digits}`, whole: value / scale };
}

/**
 * Go's time.Duration.String for a duration in nanoseconds: "0s", "812ns", "5.1µs", "6.843906ms",
 * "1.000603411s", "1m30s", "2h0m0s". etcdctl prints `endpoint health` timings this way.
 */
export function formatGoDuration(nanos: bigint): string {
  const sign = nanos < 0n ? '-' : '';
  const magnitude = nanos < 0n ? -nanos : nanos;
  if (magnitude === 0n) return '0s';
  if (magnitude < 1000n) return `${sign}${magnitude}ns`;
  if (magnitude < 1_000_000n) {
    const { text, whole } = fraction(magnitude, 3);
    return `${sign}${whole}${text}µs`;
  }
  if (magnitude < 1_000_000_000n) {
    const { text, whole } = fraction(magnitude, 6);
    return `${sign}${whole}${text}ms`;
  }
  const { text, whole: seconds } = fraction(magnitude, 9);
  const minutes = seconds / 60n;
  const hours = minutes / 60n;
  let result = `${seconds % 60n}${text}s`;
  if (minutes > 0n) result = `${hours > 0n ? `${hours}h${minutes % 60n}` : minutes}m${result}`;
  return `${sign}${result}`;
}

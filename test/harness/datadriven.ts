import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A small runner for datadriven text transcripts (in the style of etcd's datadriven tests).
 *
 * A file is a sequence of test cases separated by blank lines; lines starting with `#` between cases
 * are comments. A case is a command line (`name arg key=val key=(a,b)`), optional input lines, a `----`
 * line, then the expected output, which ends at the next blank line and never contains one.
 * Set `REWRITE=1` to regenerate every expected output in place (then read the diff!).
 */

/** One argument: `key=val`, `key=(a,b)`, or a bare value (key '' and one value). */
export interface CommandArg {
  key: string;
  values: string[];
}

/** A parsed test case. */
export interface TestCase {
  /** 1-based line of the command, for error messages. */
  line: number;
  command: string;
  args: CommandArg[];
  input: string[];
  expected: string[];
}

type Segment = { kind: 'text'; lines: string[] } | { kind: 'case'; testCase: TestCase; header: string[] };

function parseArgs(tokens: string[]): CommandArg[] {
  return tokens.map((token) => {
    const eq = token.indexOf('=');
    if (eq < 0) return { key: '', values: [token] };
    const key = token.slice(0, eq);
    let value = token.slice(eq + 1);
    if (value.startsWith('(') && value.endsWith(')')) {
      value = value.slice(1, -1);
      return { key, values: value === '' ? [] : value.split(',').map((v) => v.trim()) };
    }
    return { key, values: [value] };
  });
}

/** Splits a command line into tokens, keeping `key=(a, b)` together. */
function tokenize(line: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let depth = 0;
  for (const ch of line) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ' ' && depth === 0) {
      if (current !== '') tokens.push(current);
      current = '';
    } else current += ch;
  }
  if (current !== '') tokens.push(current);
  return tokens;
}

function parseFile(text: string, path: string): Segment[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const segments: Segment[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '' || line.startsWith('#')) {
      const last = segments[segments.length - 1];
      if (last !== undefined && last.kind === 'text') last.lines.push(line);
      else segments.push({ kind: 'text', lines: [line] });
      i++;
      continue;
    }
    const start = i;
    const header: string[] = [];
    while (i < lines.length && lines[i] !== '----') {
      if (lines[i]!.trim() === '') throw new Error(`${path}:${i + 1}: blank line before ---- in case at line ${start + 1}`);
      header.push(lines[i]!);
      i++;
    }
    if (i >= lines.length) throw new Error(`${path}:${start + 1}: case without ----`);
    i++; // skip ----
    const expected: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== '') {
      expected.push(lines[i]!);
      i++;
    }
    const [commandLine, ...input] = header;
    const [command, ...rest] = tokenize(commandLine!);
    segments.push({ kind: 'case', header, testCase: { line: start + 1, command: command!, args: parseArgs(rest), input, expected } });
  }
  return segments;
}

/** True when expected outputs should be regenerated instead of compared. */
export function rewriteRequested(): boolean {
  return process.env['REWRITE'] === '1';
}

/**
 * Runs every case of the file at `path` through `run`, which returns the output lines. Compares them
 * with the expected output (or rewrites the file when REWRITE=1). Throws on the first mismatch.
 */
export function runTranscript(path: string, run: (testCase: TestCase) => string[]): void {
  const segments = parseFile(readFileSync(path, 'utf8'), path);
  const rewrite = rewriteRequested();
  for (const segment of segments) {
    if (segment.kind !== 'case') continue;
    const tc = segment.testCase;
    let actual: string[];
    try {
      actual = run(tc);
    } catch (err) {
      throw new Error(`${path}:${tc.line}: ${tc.command} failed: ${err instanceof Error ? err.stack : String(err)}`);
    }
    if (actual.length === 0) actual = ['ok'];
    for (const l of actual) {
      if (l.trim() === '') throw new Error(`${path}:${tc.line}: output contains a blank line`);
    }
    if (rewrite) tc.expected = actual;
    else assert.deepEqual(actual.join('\n'), tc.expected.join('\n'), `${path}:${tc.line}: output of "${tc.command}" differs`);
  }
  if (rewrite) {
    const out: string[] = [];
    for (const s of segments) {
      if (s.kind === 'text') out.push(...s.lines);
      else out.push(...s.header, '----', ...s.testCase.expected);
    }
    writeFileSync(path, out.join('\n') + '\n');
  }
}

/** The repository root, found by walking up from this file to the nearest package.json. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the test harness');
    dir = parent;
  }
  return dir;
}

/** The transcript files (`*.txt`) of a source-tree directory relative to the repo root, sorted. */
export function transcriptFiles(relativeDir: string): string[] {
  const dir = resolve(repoRoot(), relativeDir);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((f) => join(dir, f));
}

/** Reads an argument's values; `undefined` if absent. */
export function argValues(tc: TestCase, key: string): string[] | undefined {
  return tc.args.find((a) => a.key === key)?.values;
}

/** Bare (key-less) arguments in order. */
export function bareArgs(tc: TestCase): string[] {
  return tc.args.filter((a) => a.key === '').map((a) => a.values[0]!);
}

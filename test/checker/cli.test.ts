import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitCodes, main } from './cli.js';
import { parseKvHistory, toJsonLines, type KvHistoryRecord } from './history.js';
import { get, put } from './history-builder.js';

const linearizable = [put('x', 'a', [0, 1]), get('x', 'a', [2, 3])];
const stale = [put('x', 'a', [0, 1]), put('x', 'b', [2, 3]), get('x', 'a', [4, 5]), put('y', 'c', [0, 1])];

function run(argv: string[], files: Record<string, string>): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = main(argv, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    readFile: (path) => {
      const content = files[path];
      if (content === undefined) throw new Error('ENOENT: no such file');
      return content;
    },
    now: () => 0,
  });
  return { code, stdout, stderr };
}

describe('checker: CLI', () => {
  it('prints "linearizable" and exits 0 for a linearizable history', () => {
    const { code, stdout } = run(['h.jsonl'], { 'h.jsonl': toJsonLines(linearizable) });
    assert.equal(code, exitCodes.ok);
    assert.match(stdout, /^linearizable: 2 records \(2 checked\) in 1 partitions, \d+ search steps/);
  });

  it('prints the explanation and a replayable minimal witness for a violation', () => {
    const { code, stdout } = run(['h.json'], { 'h.json': JSON.stringify(stale) });
    assert.equal(code, exitCodes.violation);
    assert.match(stdout, /NOT linearizable: partition "x"/);
    const witness = stdout.split('as JSON lines:\n')[1]!;
    const records: KvHistoryRecord[] = parseKvHistory(witness);
    assert.equal(records.length, 3);
    assert.equal(run(['w'], { w: witness }).code, exitCodes.violation);
  });

  it('prints unknown and exits 2 when the step budget runs out', () => {
    const { code, stdout } = run(['--steps-max', '1', 'h'], { h: toJsonLines(linearizable) });
    assert.equal(code, exitCodes.unknown);
    assert.match(stdout, /^unknown: search budget of 1 steps exhausted/);
  });

  it('emits the result as JSON with --json', () => {
    const { code, stdout } = run(['--json', '--no-minimise', 'h'], { h: JSON.stringify(stale) });
    assert.equal(code, exitCodes.violation);
    const result = JSON.parse(stdout) as { verdict: string; operations: unknown[]; minimal: boolean };
    assert.equal(result.verdict, 'violation');
    assert.equal(result.minimal, false);
    assert.equal(result.operations.length, 3);
  });

  it('exits 3 on usage errors, bad options, missing files and malformed histories', () => {
    assert.equal(run([], {}).code, exitCodes.usage);
    assert.equal(run(['--bogus', 'h'], { h: '[]' }).code, exitCodes.usage);
    assert.equal(run(['--steps-max', '-5', 'h'], { h: '[]' }).code, exitCodes.usage);
    assert.equal(run(['missing'], {}).code, exitCodes.usage);
    const malformed = run(['h'], { h: '[{"op":"get"}]' });
    assert.equal(malformed.code, exitCodes.usage);
    assert.match(malformed.stderr, /record 0: clientId must be a number or string/);
  });

  it('runs as a real process on a file', () => {
    const directory = mkdtempSync(join(tmpdir(), 'synod-checker-'));
    try {
      const file = join(directory, 'history.jsonl');
      writeFileSync(file, toJsonLines(stale));
      const cli = fileURLToPath(new URL('./cli.js', import.meta.url));
      const child = spawnSync(process.execPath, [cli, file], { encoding: 'utf8' });
      assert.equal(child.status, exitCodes.violation, child.stderr);
      assert.match(child.stdout, /NOT linearizable/);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

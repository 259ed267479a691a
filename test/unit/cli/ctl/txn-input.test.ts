import assert from 'node:assert/strict';
import { CtlError } from '../../../../server/cli/ctl/exit-codes.js';
import { StdinReader } from '../../../../server/cli/ctl/io.js';
import { argify, parseCompare, parseRequest, readTxnInput } from '../../../../server/cli/ctl/txn-input.js';

const b64 = (text: string): string => Buffer.from(text, 'latin1').toString('base64');

/** A stdin that delivers `chunks` one by one, as a pipe may split them. */
function stdin(...chunks: string[]): StdinReader {
  return new StdinReader(
    (async function* () {
      for (const chunk of chunks) yield Buffer.from(chunk, 'latin1');
    })(),
  );
}

async function rejectsWith(promise: Promise<unknown>, exitCode: number, message: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof CtlError, String(error));
    assert.equal(error.message, message);
    assert.equal(error.exitCode, exitCode);
    return true;
  });
}

function throwsWith(run: () => unknown, exitCode: number, message: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof CtlError, String(error));
    assert.equal(error.message, message);
    assert.equal(error.exitCode, exitCode);
    return true;
  });
}

describe('synodctl txn input (etcdctl format)', () => {
  it('splits request lines as Argify does: Go-quoted strings with escapes, single quotes literal', () => {
    assert.deepEqual(argify('put k "a \\"b\\"\\x00" --prev-kv'), ['put', 'k', 'a "b"\x00', '--prev-kv']);
    assert.deepEqual(argify("put q 'hello world'"), ['put', 'q', 'hello world']);
    assert.deepEqual(argify('  get   a\tb  '), ['get', 'a', 'b']);
  });

  it('parses every compare target and operator into the SDK compare etcdctl would send', () => {
    assert.deepEqual(parseCompare('mod("k1") > "0"').wire, { result: 'GREATER', target: 'MOD', key: b64('k1'), mod_revision: '0' });
    assert.deepEqual(parseCompare('m("k") < "7"').wire, { result: 'LESS', target: 'MOD', key: b64('k'), mod_revision: '7' });
    assert.deepEqual(parseCompare('ver("k") = "2"').wire, { result: 'EQUAL', target: 'VERSION', key: b64('k'), version: '2' });
    assert.deepEqual(parseCompare('version("k") != "2"').wire, { result: 'NOT_EQUAL', target: 'VERSION', key: b64('k'), version: '2' });
    assert.deepEqual(parseCompare('c("k") = "0"').wire, { result: 'EQUAL', target: 'CREATE', key: b64('k'), create_revision: '0' });
    assert.deepEqual(parseCompare('create("k") > "3"').wire, { result: 'GREATER', target: 'CREATE', key: b64('k'), create_revision: '3' });
    assert.deepEqual(parseCompare('val("k") = "a b"').wire, { result: 'EQUAL', target: 'VALUE', key: b64('k'), value: b64('a b') });
    assert.deepEqual(parseCompare('value(`k`) != "\\xff"').wire, { result: 'NOT_EQUAL', target: 'VALUE', key: b64('k'), value: b64('\xff') });
    assert.deepEqual(parseCompare('lease("k") = "1f"').wire, { result: 'EQUAL', target: 'LEASE', key: b64('k'), lease: '31' });
    assert.deepEqual(parseCompare('mod("k") > "1" trailing words').wire.mod_revision, '1', 'fmt.Sscanf ignores what follows');
  });

  it("refuses malformed compares with etcdctl's messages and exit code 3", () => {
    throwsWith(() => parseCompare('bogus'), 3, 'malformed comparison: bogus');
    throwsWith(() => parseCompare('val("k1" = "over"'), 3, 'malformed comparison: val("k1" = "over"; got val("k1")  ""');
    throwsWith(() => parseCompare('mod("k1")>"1"'), 3, 'malformed comparison: mod("k1")>"1"; got mod("k1")  ""');
    throwsWith(() => parseCompare('mod(k1) > "1"'), 3, 'malformed comparison: mod(k1) > "1"; got mod("")  ""');
    throwsWith(() => parseCompare('val("k1") = v'), 3, 'malformed comparison: val("k1") = v; got val("k1") = ""');
    throwsWith(() => parseCompare('foo("k1") = "1"'), 3, 'malformed comparison: foo("k1") = "1" (unknown target foo)');
    throwsWith(() => parseCompare('ver("k1") = "x"'), 3, 'invalid txn compare request: ver("k1") = "x"');
    throwsWith(() => parseCompare('mod("k1") == "1"'), 3, 'malformed comparison: mod("k1") == "1" (unknown operator ==)');
  });

  it('parses get/put/del lines with their flags, and refuses what etcdctl refuses', async () => {
    assert.deepEqual((await parseRequest('put k "v v" --prev-kv')).wire, { request_put: { key: b64('k'), value: b64('v v'), prev_kv: true } });
    assert.deepEqual((await parseRequest('get k --prefix --limit 2')).wire, { request_range: { key: b64('k'), range_end: b64('l'), limit: '2' } });
    assert.deepEqual((await parseRequest('del a c')).wire, { request_delete_range: { key: b64('a'), range_end: b64('c') } });
    await rejectsWith(parseRequest('foo k1'), 3, 'invalid txn request: foo k1');
    await rejectsWith(parseRequest('put'), 3, 'invalid txn compare request: put');
    await rejectsWith(parseRequest('get q -w json'), 3, 'invalid txn request: get q -w json');
    await rejectsWith(parseRequest('put k'), 128, 'put command needs 1 argument and input from stdin or 2 arguments');
    await rejectsWith(parseRequest('del q --prefix --from-key'), 128, '`--prefix` and `--from-key` cannot be set at the same time, choose one');
  });

  it('reads the three blank-line-terminated sections, across chunk boundaries, with prompts', async () => {
    const prompts: string[] = [];
    const input = await readTxnInput(stdin('  mod("a") > "0"  \n', '\nput a 1\nget', ' a\n  \n', 'del b\n\n'), (title) => prompts.push(title));
    assert.equal(input.compares.length, 1);
    assert.deepEqual(input.success.map((o) => Object.keys(o.wire)[0]), ['request_put', 'request_range']);
    assert.deepEqual(input.failure.map((o) => Object.keys(o.wire)[0]), ['request_delete_range']);
    assert.deepEqual(prompts, ['compares:', 'success requests (get, put, del):', 'failure requests (get, put, del):']);
    const empty = await readTxnInput(stdin('\n\n\n'), () => undefined);
    assert.deepEqual(empty, { compares: [], success: [], failure: [] });
  });

  it('fails with "EOF" (exit 3) when the input ends before a section is closed, as etcdctl does', async () => {
    await rejectsWith(readTxnInput(stdin('\nput a 1\n\nput a 2'), () => undefined), 3, 'EOF');
    await rejectsWith(readTxnInput(stdin('\n\n'), () => undefined), 3, 'EOF');
    await rejectsWith(readTxnInput(stdin(''), () => undefined), 3, 'EOF');
  });
});

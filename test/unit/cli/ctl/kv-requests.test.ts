import assert from 'node:assert/strict';
import { parseCommandLine } from '../../../../server/cli/ctl/flags.js';
import { DEL_FLAGS, GET_FLAGS, PUT_FLAGS, deleteRequest, getRequest, putRequest } from '../../../../server/cli/ctl/kv-requests.js';

const bytes = (...args: string[]): Buffer[] => args.map((arg) => Buffer.from(arg));

function get(...argv: string[]) {
  const { flags, positionals } = parseCommandLine(argv, GET_FLAGS);
  return getRequest(bytes(...positionals.map((arg) => arg.value)), flags);
}

describe('synodctl put/get/del request building (etcdctl getPutOp/getGetOp/getDelOp)', () => {
  it('maps get flags onto the SDK options etcdctl would send', () => {
    assert.deepEqual(get('k', '--limit', '5', '--rev', '9', '--keys-only', '--consistency', 's'), {
      key: Buffer.from('k'),
      options: { limit: 5n, revision: 9n, keysOnly: true, countOnly: false, serializable: true },
    });
    assert.deepEqual(get('k', 'z').options.rangeEnd, Buffer.from('z'));
    assert.equal(get('k', '--prefix').options.prefix, true);
    assert.equal(get('k', '--rev', '-3').options.revision, undefined, 'a revision <= 0 is not sent');
  });

  it('reads the empty key with --prefix or --from-key as every key, from \\0', () => {
    for (const flag of ['--prefix', '--from-key']) {
      const request = get('', flag);
      assert.deepEqual(request.key, Buffer.of(0));
      assert.equal(request.options.fromKey, true);
      assert.equal(request.options.prefix, undefined);
    }
  });

  it("maps sort flags case-insensitively, dropping ascend-by-key as clientv3's WithSort does", () => {
    const sort = (...flags: string[]) => {
      const { sortTarget, sortOrder } = get('k', ...flags).options;
      return [sortTarget, sortOrder];
    };
    assert.deepEqual(sort('--sort-by', 'MODIFY'), ['mod', undefined], 'the server sorts ascending by default');
    assert.deepEqual(sort('--sort-by', 'create', '--order', 'descend'), ['create', 'descend']);
    assert.deepEqual(sort('--sort-by', 'VERSION', '--order', 'ASCEND'), ['version', 'ascend']);
    assert.deepEqual(sort('--sort-by', 'value'), ['value', undefined]);
    assert.deepEqual(sort('--sort-by', 'KEY', '--order', 'ASCEND'), [undefined, undefined]);
    assert.deepEqual(sort('--order', 'DESCEND'), [undefined, 'descend']);
  });

  it('builds puts: value argument or stdin, hex lease ids, the ignore flags', async () => {
    const put = async (stdin: string, ...argv: string[]) => {
      const { flags, positionals } = parseCommandLine(argv, PUT_FLAGS);
      return putRequest(bytes(...positionals.map((arg) => arg.value)), flags, async () => Buffer.from(stdin));
    };
    assert.deepEqual(await put('', 'k', 'v', '--lease', '1f', '--prev-kv'), {
      key: Buffer.from('k'),
      value: Buffer.from('v'),
      options: { lease: 31n, prevKv: true, ignoreValue: false, ignoreLease: false },
    });
    assert.deepEqual((await put('from stdin\n', 'k')).value, Buffer.from('from stdin\n'));
    assert.deepEqual((await put('', 'k', '')).value, Buffer.alloc(0), 'an empty value argument is a value');
    assert.deepEqual((await put('ignored', 'k', '--ignore-value')).value, Buffer.alloc(0), '--ignore-value reads no stdin');
    assert.equal((await put('', 'k', 'v', 'extra')).value.toString(), 'v', 'etcdctl ignores extra arguments');
  });

  it('builds deletes over one key, a range, a prefix or everything from a key', () => {
    const del = (...argv: string[]) => {
      const { flags, positionals } = parseCommandLine(argv, DEL_FLAGS);
      return deleteRequest(bytes(...positionals.map((arg) => arg.value)), flags);
    };
    assert.deepEqual(del('a', 'c', '--prev-kv').options, { rangeEnd: Buffer.from('c'), prevKv: true });
    assert.deepEqual(del('a', '--prefix').options, { prefix: true, prevKv: false });
    assert.deepEqual(del('a', '--from-key').options, { fromKey: true, prevKv: false });
    assert.deepEqual(del('', '--prefix').key, Buffer.of(0));
  });
});

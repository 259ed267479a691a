import assert from 'node:assert/strict';
import { Client } from '../../client-sdk/index.js';
import { ServerProcess } from './helpers/server-process.js';
import { ctlFor, expectOk } from './helpers/synodctl.js';

const b64 = (text: string): string => Buffer.from(text).toString('base64');

describe('synodctl txn (etcdctl stdin format) against a real server', function () {
  this.timeout(30_000);
  let server: ServerProcess;
  let ctl: ReturnType<typeof ctlFor>;
  let client: Client;

  before(async () => {
    server = await ServerProcess.start();
    ctl = ctlFor(server.endpoint);
    client = new Client({ endpoints: [server.endpoint] });
  });
  after(async () => {
    await client.close();
    await server.cleanup();
  });

  it('runs the success branch when every compare holds, printing SUCCESS and each response', async () => {
    await client.put('s/k1', 'v1');
    const input = 'mod("s/k1") > "0"\nval("s/k1") = "v1"\n\nput s/k1 "over written"\nget s/k1\n\nput s/k1 created\nput s/k2 "some extra"\n\n';
    const run = expectOk(await ctl(['txn'], { stdin: input }));
    assert.equal(run.stdout, 'SUCCESS\n\nOK\n\ns/k1\nover written\n');
    assert.equal((await client.get('s/k2')).count, 0n, 'the failure branch did not run');
  });

  it('runs the failure branch when a compare fails, printing FAILURE; -w json shows etcdctl\'s oneof shape', async () => {
    await client.put('f/k1', 'v1');
    await client.put('f/k2', 'old');
    const input = 'ver("f/k1") = "5"\n\nput f/k1 never\n\nput f/k1 "created" --prev-kv\nget f/ --prefix --keys-only\ndel f/k2 --prev-kv\n\n';
    const run = expectOk(await ctl(['txn', '-w', 'json'], { stdin: input }));
    const parsed = JSON.parse(run.stdout) as {
      header: { revision: number };
      succeeded?: boolean;
      responses: { Response: Record<string, { header: { revision: number }; [field: string]: unknown }> }[];
    };
    assert.equal(parsed.succeeded, undefined, 'false is left out');
    assert.deepEqual(parsed.responses.map((response) => Object.keys(response.Response)[0]), ['ResponsePut', 'ResponseRange', 'ResponseDeleteRange']);
    const [put, range, del] = parsed.responses.map((response) => Object.values(response.Response)[0]!);
    for (const response of [put, range, del]) assert.deepEqual(response!.header, { revision: parsed.header.revision });
    assert.equal((put!['prev_kv'] as { value: string }).value, b64('v1'));
    assert.deepEqual((range!['kvs'] as { key: string; value?: string }[]).map((kv) => [kv.key, kv.value]), [
      [b64('f/k1'), undefined],
      [b64('f/k2'), undefined],
    ]);
    assert.equal(del!['deleted'], 1);
    assert.equal((await client.get('f/k1')).kvs[0]?.value.toString(), 'created');
    const failure = expectOk(await ctl(['txn'], { stdin: 'val("f/k1") = "nope"\n\n\nget f/k1\n\n' }));
    assert.equal(failure.stdout, 'FAILURE\n\nf/k1\ncreated\n');
  });

  it('evaluates every compare target, with Go-quoted keys and values and single-quoted arguments', async () => {
    await client.put('c/a b', 'x\ty');
    const { kvs } = await client.get('c/a b');
    const [kv] = kvs;
    const compares = [
      `ver("c/a b") = "${kv!.version}"`,
      `version("c/a b") < "99"`,
      `c("c/a b") = "${kv!.createRevision}"`,
      `m("c/a b") = "${kv!.modRevision}"`,
      `create("c/none") = "0"`,
      `mod("c/a b") != "0"`,
      'val("c/a\\x20b") = "x\\ty"',
      'value(`c/a b`) > "x"',
      'lease("c/a b") = "0"',
    ];
    const run = expectOk(await ctl(['txn', '-w', 'fields'], { stdin: `${compares.join('\n')}\n\nput 'c/single quoted' 'a "b" c'\n\n\n` }));
    assert.match(run.stdout, /\n"Succeeded" : true\n"ClusterID" : 0\n"MemberID" : 0\n"Revision" : \d+\n"RaftTerm" : 0\n$/);
    assert.equal((await client.get('c/single quoted')).kvs[0]?.value.toString(), 'a "b" c');
  });

  it('prompts for each section with -i, on stdout as etcdctl does', async () => {
    const run = expectOk(await ctl(['txn', '-i'], { stdin: '\nput i/k v\n\n\n' }));
    assert.equal(run.stdout, 'compares:\nsuccess requests (get, put, del):\nfailure requests (get, put, del):\nSUCCESS\n\nOK\n');
  });

  it('refuses input that etcdctl refuses (exit 3) and sends nothing; server refusals exit 1', async () => {
    const [unterminated, malformed, empty] = await Promise.all([
      ctl(['txn'], { stdin: '\nput r/k v\n\nput r/k w\n' }),
      ctl(['txn'], { stdin: 'mod("r/k") >"0"\n\nput r/k v\n\n\n' }),
      ctl(['txn'], { stdin: '\nput "" v\n\n\n' }),
    ]);
    assert.deepEqual([unterminated.code, unterminated.stderr], [3, 'Error: EOF\n']);
    assert.deepEqual([malformed.code, malformed.stderr], [3, 'Error: malformed comparison: mod("r/k") >"0"; got mod("r/k") >"0" ""\n']);
    assert.deepEqual([empty.code, empty.stderr], [1, 'Error: key is not provided\n']);
    assert.equal((await client.get('r/k')).count, 0n);
  });
});

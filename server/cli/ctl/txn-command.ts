import type { CommandSpec } from './command.js';
import { CtlError, ExitCode } from './exit-codes.js';
import { readTxnInput } from './txn-input.js';

export const txnCommand: CommandSpec = {
  name: 'txn',
  usage: '[options]',
  summary: 'Txn processes all the requests in one transaction',
  description: `Txn reads multiple requests from standard input and applies them as a single atomic transaction.

A transaction consists of three components:
1) a list of conditions,
2) a list of requests to apply if all the conditions are true,
3) a list of requests to apply if any condition is false.

Each list ends with a blank line. Example interactive stdin usage:

---
synodctl txn -i
# compares:
mod("key1") > "0"

# success requests (get, put, del):
put key1 "overwrote-key1"

# failure requests (get, put, del):
put key1 "created-key1"
put key2 "some extra key"

---`,
  flags: [{ name: 'interactive', short: 'i', kind: 'bool', defaultText: 'false', description: 'Input transaction in interactive mode' }],
  async run(context) {
    if (context.args.length !== 0) throw new CtlError(ExitCode.badArgs, 'txn command does not accept argument');
    const client = context.client();
    const print = context.printer('txn');
    const interactive = context.flags.bool('interactive');
    const input = await readTxnInput(context.io.stdin, (title) => {
      if (interactive) context.io.stdout.write(`${title}\n`);
    });
    const result = await client
      .txn()
      .if(...input.compares)
      .then(...input.success)
      .else(...input.failure)
      .commit();
    print(result);
  },
};

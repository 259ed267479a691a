import type { CommandContext, CommandSpec } from './command.js';
import { CtlError, ExitCode } from './exit-codes.js';
import { DEL_FLAGS, GET_FLAGS, PUT_FLAGS, deleteRequest, getRequest, putRequest } from './kv-requests.js';

/** Command-line arguments as the bytes they name (the shell hands them over as UTF-8). */
function argBytes(context: CommandContext): Buffer[] {
  return context.args.map((arg) => Buffer.from(arg, 'utf8'));
}

export const putCommand: CommandSpec = {
  name: 'put',
  usage: '[options] <key> <value> (<value> can also be given from stdin)',
  summary: 'Puts the given key into the store',
  description: `Puts the given key into the store.

When <value> begins with '-', <value> is interpreted as a flag.
Insert '--' for workaround:

$ put <key> -- <value>
$ put -- <key> <value>

If <value> isn't given as a command line argument and '--ignore-value' is not specified,
this command tries to read the value from standard input.

For example,
$ cat file | put <key>
will store the content of the file to <key>.`,
  flags: PUT_FLAGS,
  async run(context) {
    const request = await putRequest(argBytes(context), context.flags, () => context.io.stdin.readAll());
    const client = context.client();
    const print = context.printer('put');
    print(await client.put(request.key, request.value, request.options));
  },
};

export const getCommand: CommandSpec = {
  name: 'get',
  usage: '[options] <key> [range_end]',
  summary: 'Gets the key or a range of keys',
  flags: GET_FLAGS,
  async run(context) {
    const request = getRequest(argBytes(context), context.flags);
    const client = context.client();
    if (context.flags.bool('count-only') && context.outputFormat !== 'fields') {
      throw new CtlError(ExitCode.badArgs, '--count-only is only for `--write-out=fields`');
    }
    const valueOnly = context.flags.bool('print-value-only');
    if (valueOnly && context.outputFormat !== 'simple') {
      throw new CtlError(ExitCode.badArgs, 'print-value-only is only for `--write-out=simple`');
    }
    const print = context.printer('get', { valueOnly });
    print(await client.get(request.key, request.options));
  },
};

export const delCommand: CommandSpec = {
  name: 'del',
  usage: '[options] <key> [range_end]',
  summary: 'Removes the specified key or range of keys [key, range_end)',
  flags: DEL_FLAGS,
  async run(context) {
    const request = deleteRequest(argBytes(context), context.flags);
    const client = context.client();
    const print = context.printer('del');
    print(await client.delete(request.key, request.options));
  },
};

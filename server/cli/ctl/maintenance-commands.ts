import type { CommandSpec } from './command.js';
import { CtlError, ExitCode } from './exit-codes.js';
import { parseGoInt } from './go-strconv.js';

export const compactionCommand: CommandSpec = {
  name: 'compaction',
  usage: '[options] <revision>',
  summary: 'Compacts the event history in synod',
  flags: [
    {
      name: 'physical',
      kind: 'bool',
      defaultText: 'false',
      description: "'true' to wait for compaction to physically remove all old revisions",
    },
  ],
  async run(context) {
    const [text] = context.args;
    if (text === undefined || context.args.length !== 1) throw new CtlError(ExitCode.badArgs, 'compaction command needs 1 argument');
    let revision: bigint;
    try {
      revision = parseGoInt(text, 10);
    } catch (error) {
      throw new CtlError(ExitCode.error, (error as Error).message);
    }
    const client = context.client();
    await client.compact(revision, { physical: context.flags.bool('physical') });
    context.io.stdout.write(`compacted revision ${revision}\n`);
  },
};

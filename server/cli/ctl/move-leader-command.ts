import type { CommandSpec } from './command.js';
import { CtlError, ExitCode } from './exit-codes.js';
import { parseGoHexUint64 } from './go-strconv.js';

/**
 * `move-leader <hex id>`, as etcdctl does it: ask every endpoint for its status (any failure ends the
 * command), find the one that is the leader, and send the transfer there; only the leader can move
 * leadership, so without it among the endpoints there is nothing to do (exit 128).
 */
export const moveLeaderCommand: CommandSpec = {
  name: 'move-leader',
  usage: '<transferee-member-id>',
  summary: 'Transfers leadership to another synod cluster member.',
  flags: [],
  async run(context) {
    const [text] = context.args;
    if (text === undefined || context.args.length !== 1) throw new CtlError(ExitCode.badArgs, 'move-leader command needs 1 argument');
    let target: bigint;
    try {
      target = parseGoHexUint64(text);
    } catch (error) {
      throw new CtlError(ExitCode.badArgs, (error as Error).message);
    }
    const endpoints = context.flags.strings('endpoints');
    // The checks every command makes before dialling: an endpoint is given, -w names a format.
    context.client();
    const print = context.printer('moveLeader');
    let leaderEndpoint: string | null = null;
    let leaderId = 0n;
    for (const endpoint of endpoints) {
      const status = await context.clientFor([endpoint]).status();
      if (status.leader === status.header.memberId) {
        leaderEndpoint = endpoint;
        leaderId = status.leader;
        break;
      }
    }
    if (leaderEndpoint === null) throw new CtlError(ExitCode.badArgs, `no leader endpoint given at [${endpoints.join(' ')}]`);
    const moved = await context.clientFor([leaderEndpoint]).cluster.moveLeader(target);
    print({ from: leaderId, to: target, header: moved.header });
  },
};

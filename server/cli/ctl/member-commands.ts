import type { CommandContext, CommandSpec } from './command.js';
import { CtlError, ExitCode } from './exit-codes.js';
import type { FlagSpec } from './flags.js';
import { goQuote, parseGoHexUint64 } from './go-strconv.js';

const badArgs = (message: string): CtlError => new CtlError(ExitCode.badArgs, message);

function peerUrlsFlag(whose: string): FlagSpec {
  return { name: 'peer-urls', kind: 'string', defaultText: '', description: `comma separated peer URLs for the ${whose} member.` };
}

/** A member id as etcdctl takes it: hex, at most 64 bits (exit 128 otherwise). */
export function parseMemberId(text: string): bigint {
  try {
    return parseGoHexUint64(text);
  } catch (error) {
    throw badArgs(`bad member ID arg (${(error as Error).message}), expecting ID in Hex`);
  }
}

/** The one argument of remove, update and promote: a hex member id. */
function memberIdArg(context: CommandContext): bigint {
  const [text] = context.args;
  if (text === undefined || context.args.length !== 1) throw badArgs('member ID is not provided');
  return parseMemberId(text);
}

/**
 * --peer-urls checked as etcdctl checks them (its types.NewURLs, with the same messages; exit 1):
 * http, https, unix or unixs, a host:port, no path. Returned trimmed; Synod's server itself takes
 * only http://host:port.
 */
export function parsePeerUrls(text: string): string[] {
  if (text === '') throw badArgs('member peer urls not provided');
  return text.split(',').map((raw) => {
    const url = raw.trim();
    const refuse = (message: string): never => {
      throw new CtlError(ExitCode.error, message);
    };
    const badEscape = /%(?![0-9a-fA-F]{2}).{0,2}/.exec(url);
    if (badEscape !== null) refuse(`parse ${goQuote(url)}: invalid URL escape ${goQuote(badEscape[0])}`);
    const parts = /^([a-zA-Z][a-zA-Z0-9+.-]*):(?:\/\/([^/?#]*))?([^?#]*)/.exec(url);
    const scheme = parts?.[1]?.toLowerCase() ?? '';
    if (!['http', 'https', 'unix', 'unixs'].includes(scheme)) refuse(`URL scheme must be http, https, unix, or unixs: ${url}`);
    const host = (parts?.[2] ?? '').replace(/^[^@]*@/, '');
    if (!/^(\[[^\]]*\]|[^:[\]]*):[^:]*$/.test(host)) refuse(`URL address does not have the form "host:port": ${url}`);
    if ((parts?.[3] ?? '') !== '') refuse(`URL must not contain a path: ${url}`);
    return url;
  });
}

export const memberListCommand: CommandSpec = {
  name: 'member list',
  usage: '',
  summary: 'Lists all members in the cluster',
  description: `When --write-out is set to simple, this command prints out comma-separated member lists for each endpoint.
The items in the lists are ID, Status, Name, Peer Addrs, Client Addrs, Is Learner.`,
  flags: [],
  async run(context) {
    const client = context.client();
    const print = context.printer('memberList');
    print(await client.cluster.memberList());
  },
};

export const memberAddCommand: CommandSpec = {
  name: 'member add',
  usage: '<memberName> [options]',
  summary: 'Adds a member into the cluster',
  flags: [peerUrlsFlag('new'), { name: 'learner', kind: 'bool', defaultText: 'false', description: 'indicates if the new member is raft learner' }],
  async run(context) {
    const [name] = context.args;
    if (name === undefined) throw badArgs('member name not provided');
    if (context.args.length > 1) throw badArgs('too many arguments');
    const peerURLs = parsePeerUrls(context.flags.string('peer-urls'));
    const client = context.client();
    const print = context.printer('memberAdd');
    const result = await client.cluster.memberAdd(peerURLs, { isLearner: context.flags.bool('learner') });
    print({ name, peerURLs, result });
  },
};

export const memberRemoveCommand: CommandSpec = {
  name: 'member remove',
  usage: '<memberID>',
  summary: 'Removes a member from the cluster',
  flags: [],
  async run(context) {
    const id = memberIdArg(context);
    const client = context.client();
    const print = context.printer('memberRemove');
    print({ id, result: await client.cluster.memberRemove(id) });
  },
};

export const memberUpdateCommand: CommandSpec = {
  name: 'member update',
  usage: '<memberID> [options]',
  summary: 'Updates a member in the cluster',
  flags: [peerUrlsFlag('updated')],
  async run(context) {
    const id = memberIdArg(context);
    const peerURLs = parsePeerUrls(context.flags.string('peer-urls'));
    const client = context.client();
    const print = context.printer('memberUpdate');
    print({ id, result: await client.cluster.memberUpdate(id, peerURLs) });
  },
};

export const memberPromoteCommand: CommandSpec = {
  name: 'member promote',
  usage: '<memberID>',
  summary: 'Promotes a non-voting member in the cluster',
  description: 'Promotes a non-voting learner member to a voting one in the cluster.',
  flags: [],
  async run(context) {
    const id = memberIdArg(context);
    const client = context.client();
    const print = context.printer('memberPromote');
    // Only the leader can promote; the client moves between the endpoints until it reaches it.
    print({ id, result: await client.cluster.memberPromote(id) });
  },
};

export const MEMBER_COMMANDS: readonly CommandSpec[] = [memberAddCommand, memberListCommand, memberPromoteCommand, memberRemoveCommand, memberUpdateCommand];

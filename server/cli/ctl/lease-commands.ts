import { errorCatalog } from '../../../client-sdk/index.js';
import type { CommandContext, CommandSpec } from './command.js';
import { CtlError, ExitCode } from './exit-codes.js';
import { parseGoInt } from './go-strconv.js';
import { keepLeaseAlive } from './lease-keep-alive.js';

/**
 * `lease grant|revoke|timetolive|list|keep-alive`, as etcdctl's (ctlv3/command/lease_command.go):
 * the same messages and exit codes. grant and revoke wrap a failure as "failed to grant lease
 * (...)" (exit 1); timetolive, list and keep-alive report it bare with exit 2, as etcdctl does.
 */

const badArgs = (message: string): CtlError => new CtlError(ExitCode.badArgs, message);

/** A lease id as etcdctl takes it: strconv.ParseInt(arg, 16, 64) (exit 128 otherwise). */
export function parseLeaseId(text: string): bigint {
  try {
    return parseGoInt(text, 16);
  } catch (error) {
    throw badArgs(`bad lease ID arg (${(error as Error).message}), expecting ID in Hex`);
  }
}

/** The one argument of revoke, timetolive and keep-alive; `needs` is etcdctl's message without it. */
function leaseIdArg(context: CommandContext, needs: string): bigint {
  const [text] = context.args;
  if (text === undefined || context.args.length !== 1) throw badArgs(needs);
  return parseLeaseId(text);
}

/** Runs `call`, turning its failure into etcdctl's message and exit code. */
async function failingAs<T>(call: () => Promise<T>, exitCode: typeof ExitCode.error | typeof ExitCode.badConnection, wrap?: string): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const message = (error as Error).message;
    throw new CtlError(exitCode, wrap === undefined ? message : `${wrap} (${message})`);
  }
}

export const leaseGrantCommand: CommandSpec = {
  name: 'lease grant',
  usage: '<ttl>',
  summary: 'Creates leases',
  flags: [],
  async run(context) {
    const [text] = context.args;
    if (text === undefined || context.args.length !== 1) throw badArgs('lease grant command needs TTL argument');
    let ttlSeconds: bigint;
    try {
      ttlSeconds = parseGoInt(text, 10);
    } catch (error) {
      throw badArgs(`bad TTL (${(error as Error).message})`);
    }
    const client = context.client();
    const print = context.printer('leaseGrant');
    // Granted, not kept alive: the lease outlives this process until its TTL runs out.
    const lease = await failingAs(() => client.lease.grant(Number(ttlSeconds), { keepAlive: false }), ExitCode.error, 'failed to grant lease');
    print({ header: lease.header, id: lease.id, ttlSeconds: lease.ttlSeconds });
  },
};

export const leaseRevokeCommand: CommandSpec = {
  name: 'lease revoke',
  usage: '<leaseID>',
  summary: 'Revokes leases',
  flags: [],
  async run(context) {
    const id = leaseIdArg(context, 'lease revoke command needs 1 argument');
    const client = context.client();
    const print = context.printer('leaseRevoke');
    const { header } = await failingAs(() => client.lease.revoke(id), ExitCode.error, 'failed to revoke lease');
    print({ id, header });
  },
};

export const leaseTimeToLiveCommand: CommandSpec = {
  name: 'lease timetolive',
  usage: '<leaseID> [options]',
  summary: 'Get lease information',
  flags: [{ name: 'keys', kind: 'bool', defaultText: 'false', description: 'Get keys attached to this lease' }],
  async run(context) {
    const id = leaseIdArg(context, 'lease timetolive command needs lease ID as argument');
    const withKeys = context.flags.bool('keys');
    const client = context.client();
    const print = context.printer('leaseTimeToLive');
    const result = await failingAs(() => client.lease.timeToLive(id, { keys: withKeys }), ExitCode.badConnection);
    print({ result, withKeys });
  },
};

export const leaseListCommand: CommandSpec = {
  name: 'lease list',
  usage: '',
  summary: 'List all active leases',
  flags: [],
  async run(context) {
    // etcdctl ignores arguments here, and so do we.
    const client = context.client();
    const print = context.printer('leaseList');
    print(await failingAs(() => client.lease.list(), ExitCode.badConnection));
  },
};

export const leaseKeepAliveCommand: CommandSpec = {
  name: 'lease keep-alive',
  usage: '[options] <leaseID>',
  summary: 'Keeps leases alive (renew)',
  description: `Renews the lease every third of its TTL and prints each renewal, until the lease is gone
(then "lease <id> expired or revoked.") or synodctl gets SIGINT or SIGTERM (exit 0).`,
  flags: [
    {
      name: 'once',
      kind: 'bool',
      defaultText: 'false',
      description: 'Resets the keep-alive time to its original value and exits immediately',
    },
  ],
  async run(context) {
    const id = leaseIdArg(context, 'lease keep-alive command needs lease ID as argument');
    const client = context.client();
    const print = context.printer('leaseKeepAlive');
    if (!context.flags.bool('once')) {
      await keepLeaseAlive(context, client, id, print);
      return;
    }
    const renewed = await failingAs(() => client.lease.renew(id), ExitCode.badConnection);
    // clientv3's KeepAliveOnce: a TTL of 0 means the lease does not exist.
    if (renewed.ttlSeconds <= 0) throw new CtlError(ExitCode.badConnection, errorCatalog.lease_not_found.message);
    print(renewed);
  },
};

export const LEASE_COMMANDS: readonly CommandSpec[] = [leaseGrantCommand, leaseRevokeCommand, leaseTimeToLiveCommand, leaseListCommand, leaseKeepAliveCommand];

import { Election, Session, observeElection, type Client, type GetResult, type LeaderInfo, type Leadership } from '../../../client-sdk/index.js';
import type { CommandSpec } from './command.js';
import { CtlError, ExitCode } from './exit-codes.js';
import { listenForInterrupt, whenAborted } from './interrupt.js';

/** etcd's default session TTL, which etcdctl elect uses (it has no --ttl flag). */
const ELECT_SESSION_TTL_SECONDS = 60;

/**
 * `synodctl elect <name> [proposal]` and `synodctl elect -l <name>`: etcdctl's elect, on the SDK's
 * Election (`<name>/<lease hex>`, lowest create revision leads), so it competes with and observes SDK
 * campaigns.
 */
export const electCommand: CommandSpec = {
  name: 'elect',
  usage: '<election-name> [proposal]',
  summary: 'Observes and participates in leader election',
  description: `With a proposal: campaigns in the election, prints the leader key and value once elected, and
stays leader until interrupted (SIGINT or SIGTERM), then resigns. With -l: prints the leader key and
value each time the leader changes or writes its key, until interrupted (a vacancy prints nothing).`,
  flags: [{ name: 'listen', short: 'l', kind: 'bool', defaultText: 'false', description: 'observation mode' }],
  async run(context) {
    const [name, proposal, ...extra] = context.args;
    if (name === undefined || extra.length > 0) throw new CtlError(ExitCode.badArgs, 'elect takes one election name argument and an optional proposal argument');
    const listen = context.flags.bool('listen');
    if (proposal === undefined && !listen) throw new CtlError(ExitCode.badArgs, 'no proposal argument but -l not set');
    if (proposal !== undefined && listen) throw new CtlError(ExitCode.badArgs, 'proposal given but -l is set');
    const client = context.client();
    const print = context.printer('get');
    const interrupt = listenForInterrupt();
    try {
      if (proposal === undefined) await observe(client, name, print, interrupt.signal);
      else await campaign(client, name, proposal, print, interrupt.signal);
    } finally {
      interrupt.dispose();
    }
  },
};

type PrintGet = (result: GetResult) => void;

async function campaign(client: Client, name: string, proposal: string, print: PrintGet, interrupt: AbortSignal): Promise<void> {
  const session = await Session.create(client, { ttlSeconds: ELECT_SESSION_TTL_SECONDS });
  try {
    let leadership: Leadership;
    try {
      leadership = await new Election(session, name).campaign(proposal, { signal: interrupt });
    } catch (error) {
      if (interrupt.aborted) throw new CtlError(ExitCode.error, 'context canceled');
      throw error;
    }
    print(await client.get(leadership.key));
    await Promise.race([whenAborted(interrupt), whenAborted(leadership.signal)]);
    if (!interrupt.aborted) {
      throw new CtlError(ExitCode.error, session.alive ? `elect: ${(leadership.signal.reason as Error).message}` : 'elect: session expired');
    }
    await leadership.resign();
  } finally {
    await session.close().catch(() => undefined);
  }
}

/** Prints each new leader and each write of the leader's key, as etcdctl's Observe loop does; vacancies print nothing. */
async function observe(client: Client, name: string, print: PrintGet, interrupt: AbortSignal): Promise<void> {
  // The header's cluster and member ids for -w json; each print carries the revision it was observed at.
  const { header } = await client.get(`${name}/`, { prefix: true, countOnly: true });
  try {
    for await (const leader of observeElection(client, name, { signal: interrupt })) {
      if (leader !== null) print(asGetResult(header, leader));
    }
  } catch (error) {
    if (!interrupt.aborted) throw new CtlError(ExitCode.error, `elect: observer lost: ${(error as Error).message}`);
  }
  if (!interrupt.aborted) throw new CtlError(ExitCode.error, 'elect: observer lost');
}

/** etcd's Observe hands out a made-up range response: the key-value, the revision, and no count. */
function asGetResult(header: GetResult['header'], leader: LeaderInfo): GetResult {
  return { header: { ...header, revision: leader.revision }, kvs: [leader.kv], more: false, count: 0n };
}

import { spawn } from 'node:child_process';
import { Mutex, Session, type LockGuard } from '../../../client-sdk/index.js';
import type { CommandContext, CommandSpec } from './command.js';
import { CtlError, ExitCode } from './exit-codes.js';
import { goSignalText, listenForInterrupt, whenAborted } from './interrupt.js';

/**
 * `synodctl lock <name> [command...]`: etcdctl's lock. It takes the SDK's Mutex (`<name>/<lease hex>`,
 * FIFO by create revision), so it excludes and queues with SDK locks and etcd-style clients. Without a
 * command it prints the lock key (as `get` prints it) and holds until SIGINT/SIGTERM; with one, it
 * runs the command holding the lock (env ETCD_LOCK_KEY, ETCD_LOCK_REV = the fencing token) and
 * releases when the command exits. ETCD_LOCK_REV differs from etcdctl's when the lock was contended:
 * etcdctl exports the revision of the read that found the lock free, which a holder that queued later
 * can undercut; the create revision is the same token the SDK's LockGuard reports, so tokens from both
 * compare safely at a fenced resource.
 */
export const lockCommand: CommandSpec = {
  name: 'lock',
  usage: '<lockname> [exec-command arg1 arg2 ...]',
  summary: 'Acquires a named lock',
  description: `Acquires a named lock: waits for it (first come, first served), then either prints the lock key
and holds the lock until interrupted (SIGINT or SIGTERM), or runs the given command while holding it and
releases it when the command exits. The command sees ETCD_LOCK_KEY (the lock key) and ETCD_LOCK_REV
(the key's create revision: the fencing token, which grows with every acquisition). Put '--' before a
command that has flags of its own: synodctl lock mylock -- sh -c 'echo $ETCD_LOCK_REV'.`,
  flags: [{ name: 'ttl', kind: 'int64', defaultText: '10', description: 'timeout for session' }],
  async run(context) {
    const [name, ...command] = context.args;
    if (name === undefined) throw new CtlError(ExitCode.badArgs, 'lock takes a lock name argument and an optional command to execute');
    const ttlSeconds = Number(context.flags.int64('ttl'));
    if (!(ttlSeconds > 0)) throw new CtlError(ExitCode.badArgs, `--ttl must be positive, got ${ttlSeconds}`);
    const client = context.client();
    const print = command.length === 0 ? context.printer('get') : null;
    const interrupt = listenForInterrupt();
    let session: Session | null = null;
    try {
      session = await Session.create(client, { ttlSeconds });
      let guard: LockGuard;
      try {
        guard = await new Mutex(session, name).lock({ signal: interrupt.signal });
      } catch (error) {
        if (interrupt.signal.aborted) throw new CtlError(ExitCode.error, 'context canceled');
        throw error;
      }
      if (print === null) {
        await runHoldingLock(context, guard, command);
        return;
      }
      const held = await client.get(guard.key);
      if (held.kvs.length === 0) throw new CtlError(ExitCode.error, 'lock lost on init');
      print(held);
      await Promise.race([whenAborted(interrupt.signal), whenAborted(guard.signal)]);
      if (!interrupt.signal.aborted) throw lostError(session, guard);
      await guard.unlock();
    } finally {
      interrupt.dispose();
      await session?.close().catch(() => undefined);
    }
  },
};

function lostError(session: Session, guard: LockGuard): CtlError {
  if (!session.alive) return new CtlError(ExitCode.error, 'session expired');
  return new CtlError(ExitCode.error, (guard.signal.reason as Error).message);
}

/**
 * Runs `command` while the lock is held, and releases the lock when it exits. As in etcdctl, SIGINT or
 * SIGTERM sent to synodctl alone do not stop the command (in a terminal, Ctrl-C reaches both). Unlike
 * etcdctl, a lock lost while the command runs (the session expired) sends it SIGTERM, since it no
 * longer runs under the lock, and synodctl fails.
 */
async function runHoldingLock(context: CommandContext, guard: LockGuard, command: readonly string[]): Promise<void> {
  const [file, ...args] = command as [string, ...string[]];
  const env = { ...context.io.env, ETCD_LOCK_KEY: guard.key.toString(), ETCD_LOCK_REV: guard.fencingToken.toString() };
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  child.stdout.on('data', (chunk: Buffer) => context.io.stdout.write(chunk));
  child.stderr.on('data', (chunk: Buffer) => context.io.stderr.write(chunk));
  const stopOnLoss = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  guard.signal.addEventListener('abort', stopOnLoss, { once: true });
  const outcome = await new Promise<{ code: number | null; signal: NodeJS.Signals | null } | { error: NodeJS.ErrnoException }>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => resolve({ error }));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  guard.signal.removeEventListener('abort', stopOnLoss);
  const lost = !guard.held;
  if (lost) throw new CtlError(ExitCode.error, `lock lost while the command ran: ${(guard.signal.reason as Error).message}`);
  await guard.unlock();
  if ('error' in outcome) {
    const reason = outcome.error.code === 'ENOENT' ? 'executable file not found in $PATH' : outcome.error.message;
    throw new CtlError(ExitCode.error, `exec: "${file}": ${reason}`);
  }
  if (outcome.signal !== null) throw new CtlError(ExitCode.error, goSignalText(outcome.signal));
  if (outcome.code !== 0) throw new CtlError(ExitCode.error, `exit status ${outcome.code}`);
}

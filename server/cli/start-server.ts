import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { openRaftMember } from '../member/open-member.js';
import type { RaftMember } from '../member/raft-member.js';
import { ClusterAdmin } from '../member/cluster-admin.js';
import { KvService } from '../api/kv-service.js';
import { ClusterService } from '../api/cluster-service.js';
import { Dispatcher } from '../api/dispatcher.js';
import { ClientServer } from '../api/client-server.js';
import { WatchSession } from '../api/watch-session.js';
import { LeaseService } from '../api/lease-service.js';
import { LeaseKeeper } from '../lease/lease-keeper.js';
import { createPeerTransport } from '../transport/peer-transport.js';
import type { PeerMembersAnswer } from '../member/bootstrap.js';
import { urlText, type ServerConfig } from './server-config.js';
import { SYNOD_VERSION } from '../version.js';
import { ServerMetrics } from '../metrics/server-metrics.js';

/** Frame overhead allowed on top of the request limit: base64 grows bytes by 4/3, plus JSON framing. */
const FRAME_OVERHEAD_BYTES = 512 * 1024;

/** Test hook: JSON map of advertised peer URL -> URL to dial instead (fault-injection proxies). */
const DIAL_OVERRIDES_ENV = 'SYNOD_TEST_PEER_DIAL_MAP';

/** A running member with its client listeners. */
export interface RunningServer {
  readonly member: RaftMember;
  readonly clientAddresses: readonly AddressInfo[];
  readonly peerPorts: readonly { host: string; port: number }[];
  readonly log: Logger;
  close(): Promise<void>;
}

async function fetchMembers(peerUrl: string): Promise<PeerMembersAnswer> {
  const response = await fetch(new URL('/synod/peer/members', peerUrl), { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`GET /synod/peer/members answered ${response.status}`);
  return (await response.json()) as PeerMembersAnswer;
}

/** Opens the data directory, recovers, joins the cluster, and starts serving clients on every listen URL. */
export async function startServer(config: ServerConfig, log: Logger = pino({ level: config.logLevel }, pino.destination(2))): Promise<RunningServer> {
  log.info({ version: SYNOD_VERSION, name: config.name, dataDir: config.dataDir }, 'starting synod member');
  const overrides = process.env[DIAL_OVERRIDES_ENV];
  const metrics = new ServerMetrics();
  const member = await openRaftMember({
    dataDir: config.dataDir,
    bootstrap: {
      name: config.name,
      initialAdvertisePeerUrls: config.initialAdvertisePeerUrls.map(urlText),
      initialCluster: config.initialCluster,
      initialClusterState: config.initialClusterState,
      initialClusterToken: config.initialClusterToken,
    },
    listenPeerUrls: config.listenPeerUrls.map(urlText),
    advertiseClientUrls: config.advertiseClientUrls.map(urlText),
    heartbeatMs: config.heartbeatIntervalMs,
    electionMs: config.electionTimeoutMs,
    snapshotCount: config.snapshotCount,
    snapshotCatchUpEntries: config.snapshotCatchUpEntries,
    maxLearners: config.maxLearners,
    log,
    createTransport: (options, handlers) => createPeerTransport(options, handlers, log),
    fetchMembers,
    onLogSync: (seconds) => metrics.observeLogSync(seconds),
    ...(overrides === undefined ? {} : { dialOverrides: JSON.parse(overrides) as Record<string, string> }),
  });
  member.on('fatal', () => (process.exitCode = 70));
  log.info(
    { memberId: member.identity.memberId, clusterId: member.identity.clusterId, revision: member.store.currentRevision, appliedIndex: member.appliedIndex },
    'recovered state',
  );
  for (const port of member.boundPeerPorts) log.info({ address: `${port.host}:${port.port}` }, 'serving peer traffic');
  const kv = new KvService(member, { requestBytesMax: config.maxRequestBytes, txnOpsMax: config.maxTxnOps });
  const header = (revision: number) => kv.header(revision);
  const cluster = new ClusterService(member, new ClusterAdmin(member, config.maxLearners), header);
  const leaseKeeper = new LeaseKeeper(member, {
    minTtlSeconds: Math.ceil((1.5 * config.electionTimeoutMs) / 1000),
    expiryCheckIntervalMs: Math.min(500, config.heartbeatIntervalMs * 5),
    expiriesPerSecondMax: 1000,
    checkpointIntervalMs: config.leaseCheckpointIntervalMs,
    checkpointsPerEntryMax: 1000,
  });
  leaseKeeper.start();
  const dispatcher = new Dispatcher(kv, cluster, new LeaseService(member, leaseKeeper, header), (method, code, seconds) =>
    metrics.observeRequest(method, code, seconds),
  );
  member.watchHub.onError = (error) => log.error({ err: error }, 'watch history read failed; unsynced watchers canceled');
  const watchLimits = {
    watchersPerConnectionMax: 65_536,
    watcherPendingBytesMax: 1024 * 1024,
    connectionPendingBytesMax: 16 * 1024 * 1024,
    fragmentBytes: config.maxRequestBytes,
  };
  const progressTimer = setInterval(() => member.watchHub.notifyProgress(), config.watchProgressNotifyIntervalMs);
  progressTimer.unref();
  const servers: ClientServer[] = [];
  const clientAddresses: AddressInfo[] = [];
  try {
    for (const url of config.listenClientUrls) {
      const server = new ClientServer(
        {
          host: url.hostname.replace(/^\[|\]$/g, ''),
          port: Number(url.port),
          frameBytesMax: Math.ceil((config.maxRequestBytes * 4) / 3) + FRAME_OVERHEAD_BYTES,
          connection: { requestsInFlightMax: 4096, requestTimeoutMs: config.requestTimeoutMs, sendBufferBytesMax: 16 * 1024 * 1024 },
          metrics: () => metrics.exposition(),
        },
        dispatcher,
        log,
        () => member.leader !== null && process.exitCode === undefined,
        (session) => new WatchSession(member.watchHub, member.store, header, session, watchLimits, () => !member.leaderlessFor(3 * config.electionTimeoutMs)),
      );
      clientAddresses.push(await server.listen());
      servers.push(server);
    }
  } catch (error) {
    await Promise.all(servers.map((server) => server.close()));
    await member.close();
    throw error;
  }
  metrics.attach({ member, clientConnections: () => servers.reduce((sum, server) => sum + server.connectionCount, 0) });
  for (const address of clientAddresses) log.info({ address: `${address.address}:${address.port}` }, 'serving client requests');
  let closing: Promise<void> | null = null;
  return {
    member,
    clientAddresses,
    peerPorts: member.boundPeerPorts,
    log,
    close: () => {
      closing ??= (async () => {
        clearInterval(progressTimer);
        leaseKeeper.stop();
        await member.close();
        await Promise.all(servers.map((server) => server.close()));
        log.info('stopped');
      })();
      return closing;
    },
  };
}

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RaftMember } from '../member/raft-member.js';

/** Latency buckets (seconds) for requests and disk syncs: 0.5 ms to about 8 s, doubling, as etcd's. */
const LATENCY_BUCKETS = Array.from({ length: 15 }, (_, i) => 0.0005 * 2 ** i);

/** What a scrape reads from the running member (set once the member is open). */
export interface MetricsSource {
  readonly member: RaftMember;
  readonly clientConnections: () => number;
}

/**
 * The member's Prometheus metrics, served at `/metrics` on every client listener. Names follow etcd's
 * (`etcd_server_has_leader` is `synod_server_has_leader`, `etcd_disk_wal_fsync_duration_seconds` is
 * `synod_disk_wal_fsync_duration_seconds`), so etcd dashboards and alerts translate by a prefix.
 * Gauges are read from the member when scraped; counters and histograms are fed as things happen.
 * Plus Node's process metrics (CPU, resident memory, heap, event-loop lag) under their usual names.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  private source: MetricsSource | null = null;
  private readonly requests: Counter<'method' | 'code'>;
  private readonly requestSeconds: Histogram<'method'>;
  private readonly walFsyncSeconds: Histogram;
  private readonly leaderChanges: Counter;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'synod_client_requests_total',
      help: 'Client requests answered, by method and result code ("ok" or an error code).',
      labelNames: ['method', 'code'],
      registers,
    });
    this.requestSeconds = new Histogram({
      name: 'synod_client_request_duration_seconds',
      help: 'Time from receiving a client request to answering it, by method.',
      labelNames: ['method'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.walFsyncSeconds = new Histogram({
      name: 'synod_disk_wal_fsync_duration_seconds',
      help: 'Time to write and sync one batch of Raft log entries and hard state.',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.leaderChanges = new Counter({ name: 'synod_server_leader_changes_seen_total', help: 'Leader changes seen by this member.', registers });
    this.gauge('synod_server_has_leader', 'Whether this member knows a leader (1) or not (0).', (m) => (m.leader === null ? 0 : 1));
    this.gauge('synod_server_is_leader', 'Whether this member is the leader (1) or not (0).', (m) => (m.leading ? 1 : 0));
    this.gauge('synod_server_is_learner', 'Whether this member is a learner (1) or not (0).', (m) => (m.configuration.learners.includes(m.raftStatus().id) ? 1 : 0));
    this.gauge('synod_server_raft_term', 'The Raft term of this member.', (m) => m.raftTerm);
    this.gauge('synod_server_proposals_committed_total', 'The Raft commit index.', (m) => m.raftStatus().hardState.commit);
    this.gauge('synod_server_proposals_applied_total', 'The Raft index applied to the state machine.', (m) => m.appliedIndex);
    this.gauge('synod_server_proposals_pending', 'Writes proposed through this member and not yet applied or failed.', (m) => m.pendingProposals);
    this.gauge('synod_mvcc_current_revision', 'The store revision.', (m) => m.store.currentRevision);
    this.gauge('synod_mvcc_compact_revision', 'The revision history was compacted to.', (m) => m.store.compactRevision);
    this.gauge('synod_mvcc_keys_total', 'Keys in the index: live ones, and deleted ones whose history is kept.', (m) => m.store.index.size);
    this.gauge('synod_watch_watchers', 'Active watchers on this member.', (m) => m.watchHub.size);
    this.gauge('synod_watch_unsynced_watchers', 'Watchers catching up from history (started in the past, or parked as slow).', (m) => m.watchHub.unsyncedCount);
    this.gauge('synod_lease_active', 'Leases granted and not yet revoked or expired.', (m) => m.lessor.size);
    this.gaugeOfSource('synod_client_connections', 'Open client connections.', (source) => source.clientConnections());
    this.gauge('synod_mvcc_db_total_size_in_bytes', 'Bytes the state database takes on disk.', async (m) => (await m.status()).dbSizeBytes);
  }

  /** Starts reading gauges from `source` and counting its leader changes. */
  attach(source: MetricsSource): void {
    this.source = source;
    // As etcd counts: every time a (new) leader becomes known, the first one included.
    if (source.member.leader !== null) this.leaderChanges.inc();
    source.member.on('leader', (leader: string | null) => {
      if (leader !== null) this.leaderChanges.inc();
    });
  }

  /** Records one answered client request. */
  observeRequest(method: string, code: string, seconds: number): void {
    this.requests.inc({ method, code });
    this.requestSeconds.observe({ method }, seconds);
  }

  /** Records one synced Raft log batch. */
  observeLogSync(seconds: number): void {
    this.walFsyncSeconds.observe(seconds);
  }

  /** The text exposition and its content type. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private gauge(name: string, help: string, read: (member: RaftMember) => number | Promise<number>): void {
    this.gaugeOfSource(name, help, (source) => read(source.member));
  }

  private gaugeOfSource(name: string, help: string, read: (source: MetricsSource) => number | Promise<number>): void {
    const metrics = this;
    new Gauge({
      name,
      help,
      registers: [this.registry],
      async collect() {
        if (metrics.source !== null) this.set(await read(metrics.source));
      },
    });
  }
}

import { computeClusterId, computeMemberId, type MemberIdentity } from './identity.js';
import type { MemberInfo } from './membership.js';

/** The bootstrap flags, as etcd names them. They matter only for a data directory that is still empty. */
export interface BootstrapConfig {
  readonly name: string;
  readonly initialAdvertisePeerUrls: readonly string[];
  /** name=url pairs; a name may appear several times (one per URL). */
  readonly initialCluster: string;
  readonly initialClusterState: 'new' | 'existing';
  readonly initialClusterToken: string;
}

/** What a member starts from when its data directory is empty. */
export interface InitialCluster {
  readonly identity: MemberIdentity;
  /** Every member, for a new cluster; the current members learned from the cluster, for `existing`. */
  readonly members: MemberInfo[];
  /** True when this member joins an existing cluster (it bootstraps nothing and waits for a snapshot). */
  readonly joining: boolean;
}

/** Parses `--initial-cluster` into name -> sorted peer URLs. */
export function parseInitialCluster(text: string): Map<string, string[]> {
  const cluster = new Map<string, string[]>();
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const eq = part.indexOf('=');
    if (eq <= 0 || eq === part.length - 1) throw new Error(`--initial-cluster: "${part}" is not name=url`);
    const name = part.slice(0, eq);
    const url = part.slice(eq + 1);
    try {
      new URL(url);
    } catch {
      throw new Error(`--initial-cluster: "${url}" is not a URL`);
    }
    cluster.set(name, [...(cluster.get(name) ?? []), url].sort());
  }
  if (cluster.size === 0) throw new Error('--initial-cluster is empty');
  return cluster;
}

function sameUrls(a: readonly string[], b: readonly string[]): boolean {
  const x = [...a].sort();
  const y = [...b].sort();
  return x.length === y.length && x.every((url, i) => url === y[i]);
}

/**
 * The identity and members of a new cluster, computed the same way on every initial member: ids come
 * from peer URLs and the token, the cluster id from the member ids.
 */
export function newClusterBootstrap(config: BootstrapConfig): InitialCluster {
  const cluster = parseInitialCluster(config.initialCluster);
  const mine = cluster.get(config.name);
  if (mine === undefined) throw new Error(`--initial-cluster has no member named "${config.name}" (--name)`);
  if (!sameUrls(mine, config.initialAdvertisePeerUrls)) {
    throw new Error(`--initial-cluster lists ${mine.join(',')} for "${config.name}" but --initial-advertise-peer-urls is ${config.initialAdvertisePeerUrls.join(',')}`);
  }
  const members: MemberInfo[] = [...cluster.entries()].map(([name, peerURLs]) => ({
    id: computeMemberId(peerURLs, config.initialClusterToken),
    name,
    peerURLs,
    clientURLs: [],
    isLearner: false,
  }));
  const ids = new Set(members.map((member) => member.id));
  if (ids.size !== members.length) throw new Error('--initial-cluster lists two members with the same peer URLs');
  const memberId = computeMemberId(mine, config.initialClusterToken);
  return {
    identity: { name: config.name, memberId, clusterId: computeClusterId([...ids], config.initialClusterToken) },
    members,
    joining: false,
  };
}

/** What a member answers on `GET /synod/peer/members`. */
export interface PeerMembersAnswer {
  readonly clusterId: string;
  readonly members: MemberInfo[];
}

/**
 * Joins an existing cluster: asks the other members listed in `--initial-cluster` for the member list,
 * and finds itself in it by its peer URLs (it must have been added with `member add` first).
 */
export async function joinExistingCluster(config: BootstrapConfig, fetchMembers: (peerUrl: string) => Promise<PeerMembersAnswer>): Promise<InitialCluster> {
  const cluster = parseInitialCluster(config.initialCluster);
  const problems: string[] = [];
  for (const [name, urls] of cluster) {
    if (name === config.name) continue;
    for (const url of urls) {
      try {
        const answer = await fetchMembers(url);
        const me = answer.members.find((member) => sameUrls(member.peerURLs, config.initialAdvertisePeerUrls));
        if (me === undefined) {
          throw new Error(`the cluster has no member with peer URLs ${config.initialAdvertisePeerUrls.join(',')}: add it first (synodctl member add)`);
        }
        return { identity: { name: config.name, memberId: me.id, clusterId: answer.clusterId }, members: answer.members, joining: true };
      } catch (error) {
        problems.push(`${url}: ${(error as Error).message}`);
      }
    }
  }
  throw new Error(`cannot join the existing cluster: ${problems.join('; ') || 'no other member in --initial-cluster'}`);
}

import type {
  DeleteResult,
  GetResult,
  HashKvResult,
  LeaseKeepAlive,
  LeaseTimeToLive,
  MemberAddResult,
  MemberListResult,
  PutResult,
  ResponseHeader,
  StatusResult,
  TxnOpResult,
  TxnResult,
  WatchEvent,
} from '../../../../client-sdk/index.js';

/** `member add`: the answer, with the name and peer URLs as given (for the SYNOD_* lines). */
export interface MemberAdded {
  readonly name: string;
  readonly peerURLs: readonly string[];
  readonly result: MemberAddResult;
}

/** `member remove`, `update` and `promote`: the member asked about and the list afterwards. */
export interface MemberChanged {
  readonly id: bigint;
  readonly result: MemberListResult;
}

export interface LeaderMoved {
  readonly from: bigint;
  readonly to: bigint;
  readonly header: ResponseHeader;
}

export interface EndpointStatus {
  readonly endpoint: string;
  readonly status: StatusResult;
}

/** One `endpoint health` probe; `took` is a Go duration ("6.84ms"), `error` empty when healthy. */
export interface EndpointHealth {
  readonly endpoint: string;
  readonly healthy: boolean;
  readonly took: string;
  readonly error: string;
}

export interface EndpointHashKv {
  readonly endpoint: string;
  readonly hashKv: HashKvResult;
}

/** A put or delete a watch delivered. */
export type WatchedChange = Extract<WatchEvent, { readonly type: 'put' | 'delete' }>;

/**
 * One watch response as etcdctl prints it (clientv3's WatchResponse): the changes one member message
 * delivered, none for a progress notification, or the cancel that ended the watch.
 */
export interface WatchResponse {
  readonly header: ResponseHeader;
  readonly events: readonly WatchedChange[];
  readonly compactRevision: bigint;
  readonly canceled: boolean;
}

export interface LeaseRevoked {
  readonly id: bigint;
  readonly header: ResponseHeader;
}

/** `lease timetolive`: the answer, and whether --keys asked for the attached keys. */
export interface LeaseTimeToLiveShown {
  readonly result: LeaseTimeToLive;
  readonly withKeys: boolean;
}

export interface LeaseList {
  readonly header: ResponseHeader;
  readonly ids: readonly bigint[];
}

/**
 * One function per kind of result a command prints. A printer for an output format implements the
 * kinds that format supports, as etcdctl 3.4 does: `-w table` prints only member lists and endpoint
 * results, `-w fields` no membership change and no move-leader.
 */
export interface PrintFunctions {
  put(result: PutResult): void;
  get(result: GetResult): void;
  del(result: DeleteResult): void;
  txn(result: TxnResult): void;
  memberList(result: MemberListResult): void;
  memberAdd(added: MemberAdded): void;
  memberRemove(changed: MemberChanged): void;
  memberUpdate(changed: MemberChanged): void;
  memberPromote(changed: MemberChanged): void;
  moveLeader(moved: LeaderMoved): void;
  endpointStatus(statuses: readonly EndpointStatus[]): void;
  endpointHealth(probes: readonly EndpointHealth[]): void;
  endpointHashKv(hashes: readonly EndpointHashKv[]): void;
  watch(response: WatchResponse): void;
  /** `lease grant`: the id and TTL granted (the same fields as a keepalive answer). */
  leaseGrant(granted: LeaseKeepAlive): void;
  leaseRevoke(revoked: LeaseRevoked): void;
  leaseTimeToLive(shown: LeaseTimeToLiveShown): void;
  leaseList(list: LeaseList): void;
  leaseKeepAlive(renewed: LeaseKeepAlive): void;
}

/** etcdctl's %016x of a lease id (int64): 16 hex digits, zero-padded, a sign taking one column. */
export function leaseHex(id: bigint): string {
  return id < 0n ? `-${(-id).toString(16).padStart(15, '0')}` : id.toString(16).padStart(16, '0');
}

export type PrintKind = keyof PrintFunctions;

/** What a format prints; a missing kind is "not supported as output format". */
export type Printer = Partial<PrintFunctions>;

export interface PrinterOptions {
  /** --hex: keys and values as \x.. escapes (simple format, as etcdctl). */
  readonly hex: boolean;
  /** get --print-value-only: values without their keys (simple format only). */
  readonly valueOnly: boolean;
}

function changesState(op: TxnOpResult): boolean {
  switch (op.type) {
    case 'put':
      return true;
    case 'delete':
      return op.deleted > 0n;
    case 'txn':
      return op.responses.some(changesState);
    case 'get':
      return false;
  }
}

/**
 * The revision etcd puts in the header of each response inside a txn: the store's revision when the
 * op ran, which is the txn's revision once an earlier (or this) op changed something, and the one
 * before until then. Synod leaves these headers out on the wire; etcdctl's json and fields output
 * show them, so they are derived here from the txn's own header.
 */
export function txnOpRevisions(responses: readonly TxnOpResult[], finalRevision: bigint): bigint[] {
  let revision = responses.some(changesState) ? finalRevision - 1n : finalRevision;
  return responses.map((op) => {
    if (changesState(op)) revision = finalRevision;
    return revision;
  });
}

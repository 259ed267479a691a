import { checkDeleteRange, checkPut, checkRange, checkTxn } from '../mvcc/validate.js';
import { decodeDeleteRange, decodePut, decodeRange, decodeTxn, int64ToNumber } from '../apply/kv-requests.js';
import type { Applied, WriteResult } from '../apply/applier.js';
import type { WriteMethod } from '../apply/entry.js';
import type {
  WireCompactionRequest,
  WireDeleteRangeRequest,
  WireHeader,
  WirePutRequest,
  WireRangeRequest,
  WireTxnRequest,
} from '../apply/wire-types.js';
import type { MemberApi } from '../member/member-api.js';
import { encodeDeleteRange, encodePut, encodeRange, encodeTxn } from './kv-responses.js';
import { opBytes, txnRequestBytes } from './request-size.js';
import { SynodError } from '../errors.js';

/** Limits on KV requests (etcd's flags of the same names). */
export interface KvLimits {
  readonly requestBytesMax: number;
  readonly txnOpsMax: number;
}

/**
 * The KV methods: validate, then read locally (after a read barrier unless serializable) or propose
 * through the member, and encode the answer with etcd's response header.
 */
export class KvService {
  constructor(
    private readonly member: MemberApi,
    private readonly limits: KvLimits,
  ) {}

  /** etcd's ResponseHeader for an answer at `revision`. */
  header(revision: number, raftTerm = this.member.raftTerm): WireHeader {
    return {
      cluster_id: this.member.identity.clusterId,
      member_id: this.member.identity.memberId,
      revision: String(revision),
      raft_term: String(raftTerm),
    };
  }

  async range(params: WireRangeRequest, signal?: AbortSignal): Promise<object> {
    const request = decodeRange(params);
    checkRange(request);
    this.checkSize(opBytes({ range: request }));
    if (!request.serializable) await this.member.readBarrier(signal);
    const store = this.member.store;
    const revision = store.currentRevision;
    const result = await store.range(request);
    return encodeRange(result, this.header(revision));
  }

  async put(params: WirePutRequest, signal?: AbortSignal): Promise<object> {
    const request = decodePut(params);
    checkPut(request);
    this.checkSize(opBytes({ put: request }));
    return this.write('kv.put', params, signal);
  }

  async deleteRange(params: WireDeleteRangeRequest, signal?: AbortSignal): Promise<object> {
    const request = decodeDeleteRange(params);
    checkDeleteRange(request);
    this.checkSize(opBytes({ deleteRange: request }));
    return this.write('kv.deleterange', params, signal);
  }

  async txn(params: WireTxnRequest, signal?: AbortSignal): Promise<object> {
    const request = decodeTxn(params);
    checkTxn(request, this.limits.txnOpsMax);
    this.checkSize(txnRequestBytes(request));
    return this.write('kv.txn', params, signal);
  }

  async compaction(params: WireCompactionRequest, signal?: AbortSignal): Promise<object> {
    const revision = int64ToNumber(params.revision, 'revision');
    // Checked here as well as at apply time, so an obviously bad revision never reaches the log.
    const store = this.member.store;
    if (revision <= store.compactRevision) {
      throw new SynodError('compacted', undefined, { compact_revision: String(store.compactRevision) });
    }
    if (revision > store.currentRevision) throw new SynodError('future_revision');
    return this.write('kv.compaction', params, signal);
  }

  private async write(method: WriteMethod, params: unknown, signal?: AbortSignal): Promise<object> {
    const applied: Applied = await this.member.propose(method, params, signal);
    if (!applied.outcome.ok) throw applied.outcome.error;
    return encodeWriteResult(applied.outcome.value, this.header(applied.revision, applied.term));
  }

  private checkSize(bytes: number): void {
    if (bytes > this.limits.requestBytesMax) {
      throw new SynodError('request_too_large', `request is too large (${bytes} bytes > ${this.limits.requestBytesMax})`);
    }
  }
}

function encodeWriteResult(value: WriteResult, header: WireHeader): object {
  switch (value.method) {
    case 'kv.put':
      return encodePut(value.result, header);
    case 'kv.deleterange':
      return encodeDeleteRange(value.result, header);
    case 'kv.txn':
      return encodeTxn(value.result, header);
    default:
      return { header };
  }
}

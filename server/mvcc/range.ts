import { compareBytes } from './bytes.js';
import type { KeyValue, RangeRequest, RangeResult, SortOrder } from './types.js';

/**
 * True when the range needs every candidate before it can apply the limit: an explicit sort order
 * (other than the natural ASCEND by KEY) or any revision filter. This is etcd's rule, checked against
 * etcd 3.4: with sort_order NONE the limit is pushed down even for a target other than KEY, so the
 * implied ascending sort orders only the first limit+1 keys.
 */
export function needsFullScan(request: RangeRequest): boolean {
  return (
    (request.sortOrder !== 'NONE' && effectiveSortOrder(request) !== 'NONE') ||
    request.minModRevision !== 0 ||
    request.maxModRevision !== 0 ||
    request.minCreateRevision !== 0 ||
    request.maxCreateRevision !== 0
  );
}

/** etcd's rule: a sort target other than KEY with order NONE sorts ascending. ASCEND by KEY is the natural order. */
export function effectiveSortOrder(request: RangeRequest): SortOrder {
  if (request.sortOrder === 'NONE' && request.sortTarget !== 'KEY') return 'ASCEND';
  if (request.sortOrder === 'ASCEND' && request.sortTarget === 'KEY') return 'NONE';
  return request.sortOrder;
}

/**
 * Turns the candidates of a range (live keys at the read revision, in key order) into the answer:
 * revision filters, sort, limit (`more` says the filtered set was larger), keys_only and count_only.
 * `count` is the number of keys in the range, which the filters and the limit do not reduce.
 */
export function finishRange(candidates: KeyValue[], count: number, request: RangeRequest): RangeResult {
  if (request.countOnly) return { kvs: [], more: false, count };
  let kvs = candidates.filter((kv) => passesFilters(kv, request));
  const order = effectiveSortOrder(request);
  if (order !== 'NONE') {
    if (request.sortTarget === 'KEY') {
      kvs.reverse();
    } else {
      const direction = order === 'DESCEND' ? -1 : 1;
      const compare = sortComparator(request.sortTarget);
      kvs.sort((a, b) => direction * compare(a, b));
    }
  }
  let more = false;
  if (request.limit > 0 && kvs.length > request.limit) {
    kvs = kvs.slice(0, request.limit);
    more = true;
  }
  if (request.keysOnly) kvs = kvs.map((kv) => ({ ...kv, value: '' }));
  return { kvs, more, count };
}

/** etcd's filters: 0 means no bound; any other value bounds, so a negative maximum keeps nothing. */
function passesFilters(kv: KeyValue, request: RangeRequest): boolean {
  if (request.minModRevision !== 0 && kv.modRevision < request.minModRevision) return false;
  if (request.maxModRevision !== 0 && kv.modRevision > request.maxModRevision) return false;
  if (request.minCreateRevision !== 0 && kv.createRevision < request.minCreateRevision) return false;
  if (request.maxCreateRevision !== 0 && kv.createRevision > request.maxCreateRevision) return false;
  return true;
}

function sortComparator(target: RangeRequest['sortTarget']): (a: KeyValue, b: KeyValue) => number {
  switch (target) {
    case 'KEY':
      return (a, b) => compareBytes(a.key, b.key);
    case 'VERSION':
      return (a, b) => a.version - b.version;
    case 'CREATE':
      return (a, b) => a.createRevision - b.createRevision;
    case 'MOD':
      return (a, b) => a.modRevision - b.modRevision;
    case 'VALUE':
      return (a, b) => compareBytes(a.value, b.value);
  }
}

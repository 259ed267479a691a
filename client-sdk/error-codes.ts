/**
 * The one catalog of error codes that cross the wire. The server turns every expected failure into one
 * of these codes; the SDK turns each code back into a typed error. Codes are stable: never rename one,
 * only add. Messages follow etcd's wording where etcd has the same error, so operators recognise them.
 */
export interface ErrorCodeInfo {
  /** The default human-readable message (a request may carry a more specific one). */
  readonly message: string;
  /** True when retrying the same request (possibly on another member) may succeed. */
  readonly retryable: boolean;
  /** True when a write that failed with this code may nevertheless have been applied. */
  readonly outcomeUnknown: boolean;
}

function code(message: string, retryable = false, outcomeUnknown = false): ErrorCodeInfo {
  return Object.freeze({ message, retryable, outcomeUnknown });
}

export const errorCatalog = Object.freeze({
  // The request itself is wrong: fix it, do not retry.
  malformed_request: code('request is not a JSON object with an id and a method'),
  unknown_method: code('unknown method'),
  invalid_argument: code('request does not match the method schema'),
  empty_key: code('key is not provided'),
  key_not_found: code('key not found'),
  value_provided: code('value is provided'),
  lease_provided: code('lease is provided'),
  too_many_ops: code('too many operations in txn request'),
  duplicate_key: code('duplicate key given in txn request'),
  invalid_sort_option: code('invalid sort option'),
  request_too_large: code('request is too large'),
  // The revision asked for is not available.
  compacted: code('mvcc: required revision has been compacted'),
  future_revision: code('mvcc: required revision is a future revision'),
  // Leases.
  lease_not_found: code('requested lease not found'),
  lease_exists: code('lease already exists'),
  lease_ttl_too_large: code('too large lease TTL'),
  // Membership and leadership.
  member_not_found: code('member not found'),
  member_exists: code('member ID already exists'),
  peer_url_exists: code('peer URL already exists'),
  member_not_learner: code('can only promote a learner member'),
  learner_not_ready: code('can only promote a learner member which is in sync with leader', true),
  too_many_learners: code('too many learner members in cluster'),
  not_enough_started: code('re-configuration failed due to not enough started members', true),
  bad_leader_transferee: code('bad leader transferee'),
  not_leader: code('not leader', true),
  // Load and availability: retry later or elsewhere.
  too_many_requests: code('too many requests', true),
  no_leader: code('no leader', true),
  /** The write was certainly not applied: a leader change lost it before it was committed. */
  leader_changed: code('leader changed', true),
  stopped: code('server stopped', true, true),
  timeout: code('request timed out', true, true),
  canceled: code('request canceled', false, true),
  connection_lost: code('connection lost before the answer arrived', true, true),
  unavailable: code('no endpoint is reachable', true),
  internal: code('internal error', false, true),
} satisfies Record<string, ErrorCodeInfo>);

/** Every code the wire may carry. */
export type ErrorCode = keyof typeof errorCatalog;

/** True when `value` is a code in the catalog. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(errorCatalog, value);
}

import { errorCatalog, isErrorCode, type ErrorCode } from './error-codes.js';
import type { ResponseHeader } from './kv-types.js';

export { errorCatalog, type ErrorCode } from './error-codes.js';

/**
 * Every failure the SDK reports is a SynodError (or a subclass) with a stable `code` from the shared
 * catalog. `retryable` says whether trying again may succeed; `outcomeUnknown` says a write may have
 * been applied even though it failed (a timeout or a lost connection after it was sent).
 */
export class SynodError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly outcomeUnknown: boolean;
  /** Machine-readable facts the server attached (e.g. compact_revision). */
  readonly details: Readonly<Record<string, string>>;

  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown; details?: Record<string, string>; outcomeUnknown?: boolean }) {
    super(message ?? errorCatalog[code].message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SynodError';
    this.code = code;
    this.retryable = errorCatalog[code].retryable;
    this.outcomeUnknown = options?.outcomeUnknown ?? errorCatalog[code].outcomeUnknown;
    this.details = Object.freeze({ ...options?.details });
  }
}

/**
 * The revision asked for was compacted; `compactRevision` is the oldest still readable. A watch that
 * ends this way also gives the `header` of the member's cancel message (null otherwise).
 */
export class CompactedError extends SynodError {
  readonly compactRevision: bigint;
  readonly header: ResponseHeader | null;
  constructor(message?: string, details: Record<string, string> = {}, header: ResponseHeader | null = null) {
    super('compacted', message, { details });
    this.name = 'CompactedError';
    this.compactRevision = BigInt(details['compact_revision'] ?? '0');
    this.header = header;
  }
}

/** The call did not finish in time. For a write, the outcome is unknown. */
export class TimeoutError extends SynodError {
  constructor(message?: string, options?: { cause?: unknown; outcomeUnknown?: boolean }) {
    super('timeout', message, options);
    this.name = 'TimeoutError';
  }
}

/** The connection dropped after the request was sent: for a write, the outcome is unknown. */
export class ConnectionLostError extends SynodError {
  constructor(message?: string, options?: { cause?: unknown; outcomeUnknown?: boolean }) {
    super('connection_lost', message, options);
    this.name = 'ConnectionLostError';
  }
}

/** No endpoint could be reached within the dial timeout. */
export class UnavailableError extends SynodError {
  constructor(message?: string, options?: { cause?: unknown }) {
    super('unavailable', message, { ...options, outcomeUnknown: false });
    this.name = 'UnavailableError';
  }
}

/** The caller's AbortSignal fired. */
export class CanceledError extends SynodError {
  constructor(message?: string, options?: { cause?: unknown; outcomeUnknown?: boolean }) {
    super('canceled', message, options);
    this.name = 'CanceledError';
  }
}

/** Builds the typed error for an error the server sent. */
export function errorFromWire(wire: { code?: unknown; message?: unknown; details?: unknown }): SynodError {
  const message = typeof wire.message === 'string' ? wire.message : undefined;
  const details = isStringRecord(wire.details) ? wire.details : {};
  if (!isErrorCode(wire.code)) return new SynodError('internal', `server sent an unknown error code ${String(wire.code)}: ${message ?? ''}`);
  switch (wire.code) {
    case 'compacted':
      return new CompactedError(message, details);
    case 'timeout':
      return new TimeoutError(message);
    default:
      return new SynodError(wire.code, message, { details });
  }
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && Object.values(value).every((v) => typeof v === 'string');
}

import { errorCatalog, type ErrorCode } from '../client-sdk/error-codes.js';

/**
 * An expected failure with a stable wire code from the shared catalog. Anything thrown inside the
 * server that is not a SynodError is a bug and reaches the client as `internal`.
 */
export class SynodError extends Error {
  readonly code: ErrorCode;
  /** Extra machine-readable facts (e.g. the compact revision), sent to the client as `details`. */
  readonly details: Readonly<Record<string, string>> | undefined;

  constructor(code: ErrorCode, message?: string, details?: Record<string, string>, options?: ErrorOptions) {
    super(message ?? errorCatalog[code].message, options);
    this.name = 'SynodError';
    this.code = code;
    this.details = details;
  }
}

/** A broken invariant: the member must stop rather than continue with corrupt state. */
export class AssertionFailure extends Error {
  constructor(message: string) {
    super(`assertion failed: ${message}`);
    this.name = 'AssertionFailure';
  }
}

/** Throws an AssertionFailure when `condition` is false. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionFailure(message);
}

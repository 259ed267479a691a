/**
 * etcdctl's exit codes (ctlv3/command/error.go), which synodctl keeps so scripts written against
 * etcdctl keep working. What etcdctl 3.4/3.5 actually returns for each failure:
 * - 1: the server refused the request, an endpoint could not be reached in time, or a flag was unknown
 *   or could not be parsed (cobra's own errors);
 * - 2: no endpoint was given at all;
 * - 3: the txn input on stdin could not be parsed;
 * - 4: a valid flag got a value the command cannot use (output format, sort order, consistency);
 * - 5: a watch was canceled by the server (its history was compacted);
 * - 128: wrong number of arguments or flags that cannot be combined.
 */
export const ExitCode = Object.freeze({
  success: 0,
  error: 1,
  badConnection: 2,
  invalidInput: 3,
  badFeature: 4,
  interrupted: 5,
  badArgs: 128,
});

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * A failure the CLI reports as `Error: <message>` on stderr before exiting with `exitCode`; with
 * `reported`, the command has already said what went wrong in etcdctl's own words (`Failed to get
 * the status of endpoint ...`) and the CLI only exits with the code, as etcdctl does.
 */
export class CtlError extends Error {
  readonly reported: boolean;

  constructor(
    readonly exitCode: ExitCodeValue,
    message: string,
    options: { readonly reported?: boolean } = {},
  ) {
    super(message);
    this.name = 'CtlError';
    this.reported = options.reported ?? false;
  }
}

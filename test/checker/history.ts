/**
 * The KV history file format (documented in README.md) and its conversion to checker operations.
 *
 * A history is a JSON array of records, or JSON lines with one record per line. Times are integers
 * from one monotonic clock. Every problem in a file is reported at once.
 */
import { checkOperations, type CheckOptions, type CheckResult } from './checker.js';
import { kvModel, type KvInput, type KvOperation, type KvOutput } from './kv-model.js';

/** The operations a record may describe. */
export type KvOpName = 'put' | 'get' | 'cas' | 'delete';

/** Output of a record: the op's output, `{ unknown: true }`, or `{ failed: true }` (definitely not applied). */
export type KvRecordOutput = KvOutput | { readonly failed: true };

/** One line of a history file. See README.md for the meaning of each field. */
export interface KvHistoryRecord {
  readonly clientId: number | string;
  readonly op: KvOpName;
  readonly key: string;
  /** The value written by put, or the new value of cas. */
  readonly value?: string;
  /** The value cas compares against; null means "key absent". */
  readonly expected?: string | null;
  readonly call: number;
  /** Response time, or null if the client never got one (then the output must be unknown). */
  readonly return: number | null;
  readonly output: KvRecordOutput;
}

/** A history file or array that does not follow the format; `problems` lists every issue found. */
export class HistoryFormatError extends Error {
  readonly code = 'HISTORY_FORMAT';
  constructor(readonly problems: readonly string[]) {
    super(`invalid history (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  ${problems.join('\n  ')}`);
    this.name = 'HistoryFormatError';
  }
}

const opNames: readonly string[] = ['put', 'get', 'cas', 'delete'];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function outputProblems(op: KvOpName, output: Record<string, unknown>): string[] {
  if ('unknown' in output) return output['unknown'] === true ? [] : ['output.unknown must be true when present'];
  if ('failed' in output) return output['failed'] === true ? [] : ['output.failed must be true when present'];
  switch (op) {
    case 'get':
      return typeof output['value'] === 'string' || output['value'] === null ? [] : ['get output needs value: string | null'];
    case 'cas':
      return typeof output['ok'] === 'boolean' ? [] : ['cas output needs ok: boolean'];
    case 'delete':
      return output['deleted'] === undefined || typeof output['deleted'] === 'boolean' ? [] : ['delete output deleted must be boolean'];
    case 'put':
      return [];
  }
}

function recordProblems(value: unknown): string[] {
  if (!isObject(value)) return ['not an object'];
  const problems: string[] = [];
  const { clientId, op, key, call, output } = value;
  const ret = value['return'];
  if (typeof clientId !== 'number' && typeof clientId !== 'string') problems.push('clientId must be a number or string');
  if (typeof op !== 'string' || !opNames.includes(op)) problems.push(`op must be one of ${opNames.join(', ')}`);
  if (typeof key !== 'string') problems.push('key must be a string');
  if ((op === 'put' || op === 'cas') && typeof value['value'] !== 'string') problems.push(`${String(op)} needs value: string`);
  if (op === 'cas' && typeof value['expected'] !== 'string' && value['expected'] !== null) {
    problems.push('cas needs expected: string | null');
  }
  if (!Number.isSafeInteger(call)) problems.push('call must be an integer');
  if (ret !== null && !Number.isSafeInteger(ret)) problems.push('return must be an integer or null');
  if (Number.isSafeInteger(call) && Number.isSafeInteger(ret) && (ret as number) < (call as number)) {
    problems.push('return is before call');
  }
  if (!isObject(output)) {
    problems.push('output must be an object');
  } else {
    if (opNames.includes(String(op))) problems.push(...outputProblems(op as KvOpName, output));
    if (ret === null && output['unknown'] !== true) problems.push('return: null needs output { unknown: true }');
  }
  return problems;
}

/** Checks that `values` are history records; throws `HistoryFormatError` listing every problem. */
export function validateKvHistory(values: readonly unknown[]): KvHistoryRecord[] {
  const problems = values.flatMap((value, index) => recordProblems(value).map((problem) => `record ${index}: ${problem}`));
  if (problems.length > 0) throw new HistoryFormatError(problems);
  return values as KvHistoryRecord[];
}

/** Parses a history file: a JSON array, or JSON lines (blank lines ignored), then validates it. */
export function parseKvHistory(text: string): KvHistoryRecord[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (error) {
      throw new HistoryFormatError([`not valid JSON: ${(error as Error).message}`]);
    }
    if (!Array.isArray(parsed)) throw new HistoryFormatError(['a JSON history must be an array']);
    return validateKvHistory(parsed);
  }
  const values: unknown[] = [];
  const problems: string[] = [];
  trimmed.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      values.push(JSON.parse(line));
    } catch (error) {
      problems.push(`line ${index + 1}: not valid JSON: ${(error as Error).message}`);
    }
  });
  if (problems.length > 0) throw new HistoryFormatError(problems);
  return validateKvHistory(values);
}

/** Serializes records as JSON lines, the format `parseKvHistory` reads back. */
export function toJsonLines(records: readonly KvHistoryRecord[]): string {
  return records.map((record) => JSON.stringify(record)).join('\n') + (records.length > 0 ? '\n' : '');
}

function inputOf(record: KvHistoryRecord): KvInput {
  switch (record.op) {
    case 'put':
      return { op: 'put', key: record.key, value: record.value! };
    case 'cas':
      return { op: 'cas', key: record.key, expected: record.expected!, value: record.value! };
    case 'get':
      return { op: 'get', key: record.key };
    case 'delete':
      return { op: 'delete', key: record.key };
  }
}

/**
 * Converts records to checker operations, with `id` = the record's index. Failed operations
 * (definitely not applied) and reads with an unknown outcome constrain nothing and are dropped; an
 * operation with an unknown outcome gets `return = Infinity`.
 */
export function toKvOperations(records: readonly KvHistoryRecord[]): KvOperation[] {
  const operations: KvOperation[] = [];
  records.forEach((record, id) => {
    if ('failed' in record.output) return;
    const unknown = record.output.unknown === true;
    if (unknown && record.op === 'get') return;
    operations.push({
      id,
      clientId: record.clientId,
      input: inputOf(record),
      output: unknown ? { unknown: true } : record.output,
      call: record.call,
      return: unknown || record.return === null ? Infinity : record.return,
    });
  });
  return operations;
}

/** Converts a checker operation back to a record (unknown outcomes get `return: null`). */
export function toKvRecord(operation: KvOperation): KvHistoryRecord {
  const { input } = operation;
  return {
    clientId: operation.clientId,
    op: input.op,
    key: input.key,
    ...(input.op === 'put' || input.op === 'cas' ? { value: input.value } : {}),
    ...(input.op === 'cas' ? { expected: input.expected } : {}),
    call: operation.call,
    return: operation.return === Infinity ? null : operation.return,
    output: operation.output,
  };
}

/** Validates `records` and checks them against the KV model (partitioned by key). */
export function checkKvHistory(
  records: readonly unknown[],
  options: CheckOptions = {},
): CheckResult<KvInput, KvOutput> {
  return checkOperations(kvModel, toKvOperations(validateKvHistory(records)), options);
}

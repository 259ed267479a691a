import type { Output } from '../io.js';
import { fieldsPrinter } from './fields-printer.js';
import { jsonPrinter } from './json-printer.js';
import type { Printer, PrinterOptions } from './printer.js';
import { simplePrinter } from './simple-printer.js';
import { tablePrinter } from './table-printer.js';

export type {
  EndpointHashKv,
  EndpointHealth,
  EndpointStatus,
  LeaderMoved,
  LeaseList,
  LeaseRevoked,
  LeaseTimeToLiveShown,
  MemberAdded,
  MemberChanged,
  PrintFunctions,
  PrintKind,
  Printer,
  PrinterOptions,
  WatchedChange,
  WatchResponse,
} from './printer.js';
export { leaseHex } from './printer.js';

/** The -w formats synodctl knows (etcdctl's, less protobuf). */
export const OUTPUT_FORMATS = ['simple', 'json', 'fields', 'table'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function isOutputFormat(name: string): name is OutputFormat {
  return (OUTPUT_FORMATS as readonly string[]).includes(name);
}

/**
 * The printer of one output format, writing to `out`; `err` takes what etcdctl prints on stderr
 * (`endpoint health` in simple format). `table` prints no KV result, as in etcdctl.
 */
export function createPrinter(format: OutputFormat, out: Output, options: PrinterOptions, err: Output = out): Printer {
  switch (format) {
    case 'simple':
      return simplePrinter(out, options, err);
    case 'json':
      return jsonPrinter(out);
    case 'fields':
      return fieldsPrinter(out);
    case 'table':
      return tablePrinter(out);
  }
}

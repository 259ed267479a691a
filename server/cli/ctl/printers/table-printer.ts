import type { Output } from '../io.js';
import { hashKvRows, healthRows, memberRows, statusRows, type Rows } from './cluster-rows.js';
import type { Printer } from './printer.js';
import { renderTable } from './table-layout.js';

/**
 * `-w table`: etcdctl lays out member lists and endpoint results as tables; every other result is
 * "table not supported as output format" (exit 4), refused before the request is sent.
 */
export function tablePrinter(out: Output): Printer {
  const print = ({ headers, rows }: Rows): void => out.write(renderTable(headers, rows));
  return {
    memberList: (result) => print(memberRows(result)),
    endpointStatus: (statuses) => print(statusRows(statuses)),
    endpointHealth: (probes) => print(healthRows(probes)),
    endpointHashKv: (hashes) => print(hashKvRows(hashes)),
  };
}

import type { Client, Member } from '../../client-sdk/index.js';
import { waitFor } from './helpers/wait-for.js';

/**
 * Helpers of the synodctl integration tests. etcdctl's JSON writes 64-bit ids as bare numbers,
 * which JSON.parse would round: integers of 16 digits or more are read as strings (BigInt-ready).
 */
export function parseGoJson(text: string): any {
  return JSON.parse(text.replace(/([:[,])(-?\d{16,})(?=[,}\]])/g, '$1"$2"'));
}

export const hex = (id: bigint): string => id.toString(16);

/** The member list once every member has started and published its name and client URLs. */
export function publishedMembers(client: Client, count: number): Promise<Member[]> {
  return waitFor('every member published', async () => {
    const { members } = await client.cluster.memberList();
    return members.length === count && members.every((member) => member.clientURLs.length > 0) ? members : undefined;
  });
}

/** `-w fields` output as [name, value] pairs (blank lines dropped). */
export function fieldPairs(text: string): [string, string][] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const match = /^"([A-Za-z]+)" : (.*)$/.exec(line);
      if (match === null) throw new Error(`not a fields line: ${line}`);
      return [match[1]!, match[2]!];
    });
}

/** The cells of a `-w table` body: the rows between the header rule and the bottom rule. */
export function tableRows(text: string): string[][] {
  const lines = text.trimEnd().split('\n');
  if (new Set(lines.map((line) => line.length)).size !== 1) throw new Error(`ragged table:\n${text}`);
  const rule = lines[0]!;
  if (!/^\+(-+\+)+$/.test(rule) || lines[2] !== rule || lines.at(-1) !== rule) throw new Error(`not a table:\n${text}`);
  return lines.slice(3, -1).map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
}

/** The header cells of a `-w table`. */
export function tableHeaders(text: string): string[] {
  return text.split('\n')[1]!.split('|').slice(1, -1).map((cell) => cell.trim());
}

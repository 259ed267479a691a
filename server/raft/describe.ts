import { decodeConfChange, describeConfChange } from './confchange/codec.js';
import type { ConfState, Entry, HardState, Message, Ready, Snapshot, SoftState } from './types.js';

/**
 * Human-readable renderings of core values, stable enough for golden transcripts and log lines.
 * None of them ever produces an empty line.
 */

/** Renders bytes as a quoted string when printable ASCII, else as hex. */
export function describeData(data: Uint8Array): string {
  let printable = true;
  for (const b of data) {
    if (b < 0x20 || b > 0x7e) {
      printable = false;
      break;
    }
  }
  if (printable) return JSON.stringify(String.fromCharCode(...data));
  let hex = '0x';
  for (const b of data) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/** `term/index EntryNormal "data"` or `term/index EntryConfChange v2 r1`. */
export function describeEntry(e: Entry): string {
  if (e.type === 'confChange') {
    let body: string;
    try {
      body = describeConfChange(decodeConfChange(e.data));
    } catch {
      body = `<undecodable ${describeData(e.data)}>`;
    }
    return `${e.term}/${e.index} EntryConfChange ${body}`;
  }
  return e.data.byteLength === 0 ? `${e.term}/${e.index} EntryNormal ""` : `${e.term}/${e.index} EntryNormal ${describeData(e.data)}`;
}

/** `HardState Term:2 Vote:1 Commit:5` (no vote renders as 0). */
export function describeHardState(hs: HardState): string {
  return `HardState Term:${hs.term} Vote:${hs.vote || '0'} Commit:${hs.commit}`;
}

/** `Lead:1 State:leader` (no leader renders as 0). */
export function describeSoftState(ss: SoftState): string {
  return `Lead:${ss.lead || '0'} State:${ss.raftState}`;
}

/** `Voters:[1 2] VotersOutgoing:[1 3] Learners:[4] ...`, empty optional parts omitted. */
export function describeConfState(cs: ConfState): string {
  let s = `Voters:[${cs.voters.join(' ')}]`;
  if (cs.votersOutgoing.length > 0) s += ` VotersOutgoing:[${cs.votersOutgoing.join(' ')}]`;
  s += ` Learners:[${cs.learners.join(' ')}]`;
  if (cs.learnersNext.length > 0) s += ` LearnersNext:[${cs.learnersNext.join(' ')}]`;
  if (cs.autoLeave) s += ' AutoLeave:true';
  return s;
}

/** `Index:5 Term:2 ConfState:...` (the data is not rendered). */
export function describeSnapshot(s: Snapshot): string {
  return `Index:${s.metadata.index} Term:${s.metadata.term} ConfState:${describeConfState(s.metadata.confState)}`;
}

/** `1->2 app Term:1 Log:1/2 Commit:2 Entries:[...]`, with only the fields that matter for the type. */
export function describeMessage(m: Message): string {
  let s = `${m.from || '0'}->${m.to || '0'} ${m.type} Term:${m.term} Log:${m.logTerm}/${m.index}`;
  if (m.reject) s += ` Rejected (Hint: ${m.rejectHint})`;
  if (m.commit !== 0) s += ` Commit:${m.commit}`;
  if (m.context !== '') s += ` Context:${JSON.stringify(m.context)}`;
  if (m.entries.length > 0) s += ` Entries:[${m.entries.map(describeEntry).join(', ')}]`;
  if (m.snapshot !== null) s += ` Snapshot: ${describeSnapshot(m.snapshot)}`;
  return s;
}

/** Multi-line rendering of a Ready (each line indented by `indent`). */
export function describeReady(rd: Ready, indent = ''): string[] {
  const lines: string[] = [`Ready MustSync=${rd.mustSync}:`];
  if (rd.softState !== null) lines.push(describeSoftState(rd.softState));
  if (rd.hardState !== null) lines.push(describeHardState(rd.hardState));
  if (rd.readStates.length > 0) {
    lines.push('ReadStates:');
    for (const rs of rd.readStates) lines.push(`  Index:${rs.index} RequestCtx:${JSON.stringify(rs.requestCtx)}`);
  }
  if (rd.entries.length > 0) {
    lines.push('Entries:');
    for (const e of rd.entries) lines.push(`  ${describeEntry(e)}`);
  }
  if (rd.snapshot !== null) lines.push(`Snapshot ${describeSnapshot(rd.snapshot)}`);
  if (rd.committedEntries.length > 0) {
    lines.push('CommittedEntries:');
    for (const e of rd.committedEntries) lines.push(`  ${describeEntry(e)}`);
  }
  if (rd.messages.length > 0) {
    lines.push('Messages:');
    for (const m of rd.messages) lines.push(`  ${describeMessage(m)}`);
  }
  return lines.map((l) => indent + l);
}

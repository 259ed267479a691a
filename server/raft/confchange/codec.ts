import { ConfChangeError } from '../errors.js';
import type { ConfChange, ConfChangeSingle, ConfChangeTransition, ConfChangeType } from '../types.js';

const TRANSITIONS: ReadonlySet<string> = new Set<ConfChangeTransition>(['auto', 'implicit', 'explicit']);
const CHANGE_TYPES: ReadonlySet<string> = new Set<ConfChangeType>(['addNode', 'removeNode', 'addLearner']);

/** Encodes a ConfChange into the `data` of a confChange entry (UTF-8 JSON). */
export function encodeConfChange(cc: ConfChange): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ t: cc.transition, c: cc.changes.map((s) => [s.type, s.nodeId]), x: cc.context }));
}

/** Decodes the `data` of a confChange entry; throws ConfChangeError on malformed input. */
export function decodeConfChange(data: Uint8Array): ConfChange {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data));
  } catch (err) {
    throw new ConfChangeError(`undecodable conf change entry: ${String(err)}`);
  }
  const obj = parsed as { t?: unknown; c?: unknown; x?: unknown };
  if (typeof obj !== 'object' || obj === null || typeof obj.t !== 'string' || !TRANSITIONS.has(obj.t)) {
    throw new ConfChangeError('conf change entry has no valid transition');
  }
  if (!Array.isArray(obj.c) || typeof obj.x !== 'string') throw new ConfChangeError('conf change entry is malformed');
  const changes: ConfChangeSingle[] = obj.c.map((pair: unknown) => {
    if (!Array.isArray(pair) || typeof pair[0] !== 'string' || !CHANGE_TYPES.has(pair[0]) || typeof pair[1] !== 'string') {
      throw new ConfChangeError('conf change entry has a malformed change');
    }
    return { type: pair[0] as ConfChangeType, nodeId: pair[1] };
  });
  return { transition: obj.t as ConfChangeTransition, changes, context: obj.x };
}

/** True when the change asks to leave a joint configuration (no changes). */
export function isLeaveJoint(cc: ConfChange): boolean {
  return cc.changes.length === 0;
}

/**
 * Whether applying `cc` enters a joint configuration, and if so whether it is left automatically.
 * `auto` with a single change is a simple change; every other non-empty change is joint.
 */
export function enterJointMode(cc: ConfChange): { joint: boolean; autoLeave: boolean } {
  if (isLeaveJoint(cc)) return { joint: false, autoLeave: false };
  const joint = cc.transition !== 'auto' || cc.changes.length > 1;
  return { joint, autoLeave: joint && cc.transition !== 'explicit' };
}

/** Renders a ConfChange compactly: `v2 l3 r1` (voter, learner, remove), plus the transition if not auto. */
export function describeConfChange(cc: ConfChange): string {
  const parts = cc.changes.map((c) => `${c.type === 'addNode' ? 'v' : c.type === 'addLearner' ? 'l' : 'r'}${c.nodeId}`);
  if (cc.transition !== 'auto') parts.unshift(`transition=${cc.transition}`);
  return parts.length === 0 ? 'leave-joint' : parts.join(' ');
}

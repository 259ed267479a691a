import { ConfChangeError } from '../errors.js';
import { Inflights } from '../tracker/inflights.js';
import { Progress } from '../tracker/progress.js';
import type { TrackerConfig } from '../tracker/tracker.js';
import type { ConfState, NodeId } from '../types.js';
import { checkConfigInvariants, type ConfigAndProgress } from './changer.js';

/**
 * Rebuilds a configuration and fresh progress from a ConfState (at startup or when a snapshot is
 * installed). Throws ConfChangeError when the ConfState is inconsistent (a learner that is also a voter,
 * learnersNext outside the outgoing voters, joint flags without a joint config).
 */
export function restoreConfig(
  cs: ConfState,
  options: { lastIndex: number; maxInflight: number; maxInflightBytes: number },
): ConfigAndProgress {
  const config: TrackerConfig = {
    voters: [new Set(cs.voters), new Set(cs.votersOutgoing)],
    learners: new Set(cs.learners),
    learnersNext: new Set(cs.learnersNext),
    autoLeave: cs.autoLeave,
  };
  if (config.voters[1].size === 0 && cs.autoLeave) throw new ConfChangeError('autoLeave set outside a joint config');
  const progress = new Map<NodeId, Progress>();
  const add = (id: NodeId, isLearner: boolean): void => {
    if (id === '') throw new ConfChangeError('empty node id in ConfState');
    if (progress.has(id) && !isLearner) return;
    progress.set(
      id,
      new Progress({
        match: 0,
        next: Math.max(options.lastIndex, 1),
        inflights: new Inflights(options.maxInflight, options.maxInflightBytes),
        isLearner,
        recentActive: true,
      }),
    );
  };
  for (const id of config.voters[0]) add(id, false);
  for (const id of config.voters[1]) add(id, false);
  for (const id of config.learnersNext) add(id, false);
  for (const id of config.learners) {
    if (progress.has(id)) throw new ConfChangeError(`${id} is both a learner and a voter`);
    add(id, true);
  }
  const restored = { config, progress };
  checkConfigInvariants(restored);
  return restored;
}

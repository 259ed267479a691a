import { ConfChangeError } from '../errors.js';
import { Inflights } from '../tracker/inflights.js';
import { Progress } from '../tracker/progress.js';
import { cloneTrackerConfig, isJoint, type TrackerConfig } from '../tracker/tracker.js';
import type { ConfChange, ConfChangeSingle, NodeId } from '../types.js';
import { enterJointMode, isLeaveJoint } from './codec.js';

/** A configuration plus the progress map that goes with it: what a membership change produces. */
export interface ConfigAndProgress {
  config: TrackerConfig;
  progress: Map<NodeId, Progress>;
}

/** What the changer needs to know beyond the current configuration. */
export interface ChangerContext {
  /** The leader's last index: new members start probing there. */
  lastIndex: number;
  maxInflight: number;
  maxInflightBytes: number;
}

/**
 * Computes configuration transitions without touching the live tracker: each method copies the input,
 * applies the change and checks every invariant, throwing `ConfChangeError` on an invalid transition.
 * Existing Progress objects are kept (not copied) for members that stay, so replication state survives.
 */
export class Changer {
  constructor(
    private readonly current: ConfigAndProgress,
    private readonly ctx: ChangerContext,
  ) {}

  /**
   * Enters a joint configuration: the current voters become the outgoing half and `changes` are applied
   * to the incoming half. `autoLeave` makes the leader propose leaving once the config is applied.
   */
  enterJoint(autoLeave: boolean, changes: readonly ConfChangeSingle[]): ConfigAndProgress {
    const next = this.copy();
    if (isJoint(next.config)) throw new ConfChangeError('config is already joint');
    if (next.config.voters[0].size === 0) throw new ConfChangeError("can't make a zero-voter config joint");
    next.config.voters[1] = new Set(next.config.voters[0]);
    this.apply(next, changes);
    next.config.autoLeave = autoLeave;
    checkConfigInvariants(next);
    return next;
  }

  /** Leaves the joint configuration: drops the outgoing half and turns `learnersNext` into learners. */
  leaveJoint(): ConfigAndProgress {
    const next = this.copy();
    const cfg = next.config;
    if (!isJoint(cfg)) throw new ConfChangeError("can't leave a non-joint config");
    for (const id of cfg.learnersNext) {
      cfg.learners.add(id);
      this.replaceProgress(next, id, { isLearner: true });
    }
    cfg.learnersNext.clear();
    for (const id of cfg.voters[1]) {
      if (!cfg.voters[0].has(id) && !cfg.learners.has(id)) next.progress.delete(id);
    }
    cfg.voters[1] = new Set();
    cfg.autoLeave = false;
    checkConfigInvariants(next);
    return next;
  }

  /** Applies changes that alter at most one voter, without joint consensus. */
  simple(changes: readonly ConfChangeSingle[]): ConfigAndProgress {
    const next = this.copy();
    if (isJoint(next.config)) throw new ConfChangeError("can't apply simple config change in joint config");
    this.apply(next, changes);
    const before = this.current.config.voters[0];
    const after = next.config.voters[0];
    let changed = 0;
    for (const id of before) if (!after.has(id)) changed++;
    for (const id of after) if (!before.has(id)) changed++;
    if (changed > 1) throw new ConfChangeError('more than one voter changed without entering joint config');
    checkConfigInvariants(next);
    return next;
  }

  private copy(): ConfigAndProgress {
    checkConfigInvariants(this.current);
    return { config: cloneTrackerConfig(this.current.config), progress: new Map(this.current.progress) };
  }

  private apply(next: ConfigAndProgress, changes: readonly ConfChangeSingle[]): void {
    for (const cc of changes) {
      if (cc.nodeId === '') continue;
      if (cc.type === 'addNode') this.makeVoter(next, cc.nodeId);
      else if (cc.type === 'addLearner') this.makeLearner(next, cc.nodeId);
      else this.remove(next, cc.nodeId);
    }
    if (next.config.voters[0].size === 0) throw new ConfChangeError('removed all voters');
  }

  private makeVoter(next: ConfigAndProgress, id: NodeId): void {
    const pr = next.progress.get(id);
    if (pr === undefined) {
      this.initProgress(next, id, false);
      return;
    }
    this.replaceProgress(next, id, { isLearner: false });
    next.config.learners.delete(id);
    next.config.learnersNext.delete(id);
    next.config.voters[0].add(id);
  }

  private makeLearner(next: ConfigAndProgress, id: NodeId): void {
    const pr = next.progress.get(id);
    if (pr === undefined) {
      this.initProgress(next, id, true);
      return;
    }
    if (pr.isLearner) return;
    // Remove it as a voter first, but keep its Progress: it stays a member.
    this.remove(next, id);
    next.progress.set(id, pr);
    if (next.config.voters[1].has(id)) {
      // Still a voter of the outgoing half: it becomes a learner when the joint config is left.
      next.config.learnersNext.add(id);
    } else {
      this.replaceProgress(next, id, { isLearner: true });
      next.config.learners.add(id);
    }
  }

  private remove(next: ConfigAndProgress, id: NodeId): void {
    if (!next.progress.has(id)) return;
    next.config.voters[0].delete(id);
    next.config.learners.delete(id);
    next.config.learnersNext.delete(id);
    if (!next.config.voters[1].has(id)) next.progress.delete(id);
  }

  private initProgress(next: ConfigAndProgress, id: NodeId, isLearner: boolean): void {
    if (isLearner) next.config.learners.add(id);
    else next.config.voters[0].add(id);
    next.progress.set(
      id,
      new Progress({
        // Probe from the last index: the first append tells us how far behind the new member is.
        match: 0,
        next: Math.max(this.ctx.lastIndex, 1),
        inflights: new Inflights(this.ctx.maxInflight, this.ctx.maxInflightBytes),
        isLearner,
        // A new member counts as active so CheckQuorum does not fire before it had a chance to answer.
        recentActive: true,
      }),
    );
  }

  /** Changes the learner flag on the copied map only, so a failed change never alters the live tracker. */
  private replaceProgress(next: ConfigAndProgress, id: NodeId, change: { isLearner: boolean }): void {
    const pr = next.progress.get(id)!;
    if (pr.isLearner === change.isLearner) return;
    const copy = Object.assign(Object.create(Object.getPrototypeOf(pr) as object) as Progress, pr);
    copy.isLearner = change.isLearner;
    next.progress.set(id, copy);
  }
}

/** Throws ConfChangeError when a configuration breaks one of the tracker's invariants. */
export function checkConfigInvariants({ config, progress }: ConfigAndProgress): void {
  const need = (id: NodeId, where: string): Progress => {
    const pr = progress.get(id);
    if (pr === undefined) throw new ConfChangeError(`no progress for ${id} (${where})`);
    return pr;
  };
  for (const id of config.voters[0]) need(id, 'voter');
  for (const id of config.voters[1]) need(id, 'outgoing voter');
  for (const id of config.learners) need(id, 'learner');
  for (const id of config.learnersNext) need(id, 'learnersNext');
  for (const id of config.learnersNext) {
    if (!config.voters[1].has(id)) throw new ConfChangeError(`${id} is in learnersNext, but not in the outgoing voters`);
    if (need(id, 'learnersNext').isLearner) throw new ConfChangeError(`${id} is in learnersNext, but is already marked as learner`);
  }
  for (const id of config.learners) {
    if (config.voters[0].has(id) || config.voters[1].has(id)) throw new ConfChangeError(`${id} is both a learner and a voter`);
    if (!need(id, 'learner').isLearner) throw new ConfChangeError(`${id} is a learner, but its progress is not marked learner`);
  }
  for (const [id, pr] of progress) {
    const member =
      config.voters[0].has(id) || config.voters[1].has(id) || config.learners.has(id) || config.learnersNext.has(id);
    if (!member) throw new ConfChangeError(`progress for ${id} but it is not a member`);
    if (pr.isLearner && !config.learners.has(id)) throw new ConfChangeError(`${id} is marked learner but is not one`);
  }
  if (!isJoint(config)) {
    if (config.learnersNext.size > 0) throw new ConfChangeError('learnersNext must be empty outside a joint config');
    if (config.autoLeave) throw new ConfChangeError('autoLeave must be false outside a joint config');
  }
}

/**
 * Computes the configuration that applying `cc` yields: leave-joint for an empty change list, a joint
 * configuration when the transition asks for one, a simple change otherwise. Throws ConfChangeError.
 */
export function applyConfChangeTo(changer: Changer, cc: ConfChange): ConfigAndProgress {
  if (isLeaveJoint(cc)) return changer.leaveJoint();
  const mode = enterJointMode(cc);
  return mode.joint ? changer.enterJoint(mode.autoLeave, cc.changes) : changer.simple(cc.changes);
}

import assert from 'node:assert/strict';
import type { SimOptions } from './params.js';
import { runSeed } from './run.js';

/**
 * Every bug the simulator found keeps the seeds that found it. Each seed failed before its fix (checked
 * by reverting the fix) and must pass now. A seed replays one run of the simulator as it is at this
 * commit: a change to how the simulator draws its decisions turns these into other runs, so each raft
 * bug also has a seed-independent unit test in test/unit/raft/sim-regressions.test.ts.
 */
interface Regression {
  readonly bug: string;
  readonly seeds: readonly SimOptions[];
}

const REGRESSIONS: readonly Regression[] = [
  {
    bug:
      'raft (replication.ts): a heartbeat response unpaused a follower whose inflights were full and the leader ' +
      'sent entries into the full window ("cannot add into a full inflights"); now it sends an empty append',
    seeds: [
      { seed: 2, members: 3 },
      { seed: 6, members: 3 },
      { seed: 1, members: 5 },
      { seed: 5, members: 5 },
    ],
  },
  {
    bug:
      'raft (step-leader.ts): a leader replaced through a joint configuration kept appending entries after its ' +
      'leave-joint, stepped down with a log longer than the others, and refused them the vote they needed: ' +
      'no leader ever again; now it takes no new entries while its leave-joint is pending',
    seeds: [{ seed: 576, members: 3 }],
  },
  {
    bug:
      'simulator (member.ts): a member that joined after the leader\'s last snapshot was sent that snapshot, ' +
      'whose ConfState does not contain it, refused it, forever; members now snapshot after every conf change',
    seeds: [
      { seed: 174, members: 3 },
      { seed: 180, members: 3 },
      { seed: 187, members: 3 },
    ],
  },
  {
    bug:
      'simulator (operator.ts): a member removed through a joint configuration was stopped as soon as the change ' +
      'committed; members that had not applied the leave-joint still needed its vote, and no leader was elected ' +
      'again; removed members now run until every member of the new configuration durably committed the change',
    seeds: [
      { seed: 1606, members: 3 },
      { seed: 1329, members: 3 },
      { seed: 1992, members: 3 },
    ],
  },
  {
    bug:
      'simulator (invariants.ts): a stale leader appending at an index the cluster had committed differently was ' +
      'reported as overwriting a committed entry; only a member that held the committed entry may not replace it',
    seeds: [
      { seed: 74, members: 3 },
      { seed: 11, members: 5 },
    ],
  },
];

describe('sim: regression seeds', function () {
  this.timeout(60_000);
  for (const { bug, seeds } of REGRESSIONS) {
    it(bug, () => {
      for (const options of seeds) {
        const result = runSeed(options);
        assert.equal(result.violation, null, `${result.replay}: ${JSON.stringify(result.violation)}`);
      }
    });
  }
});

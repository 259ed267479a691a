import { TestCluster } from '../helpers/cluster.js';
import type { ScenarioContext } from './context.js';
import { configWatchScenario } from './config-watch.js';
import { fencedLockScenario } from './fenced-lock.js';
import { schedulerScenario } from './scheduler.js';
import { serviceRegistryScenario } from './service-registry.js';
import { synodctlLockElectScenario } from './synodctl-lock-elect.js';
import { watchNoLeaderScenario } from './watch-no-leader.js';

/**
 * The coordination layer on one real 3-member cluster (started once: it is the slow part): the four
 * recipes run as separate processes and checked against what their READMEs promise, and synodctl's
 * lock and elect against SDK locks and campaigns.
 */
describe('coordination on a real 3-member cluster (recipes and synodctl lock/elect as processes)', function () {
  this.timeout(90_000);
  let shared: ScenarioContext | null = null;
  const context = (): ScenarioContext => {
    if (shared === null) throw new Error('the cluster is not started');
    return shared;
  };

  before(async function () {
    this.timeout(60_000);
    const cluster = await TestCluster.start({ size: 3 });
    shared = { cluster, endpoints: cluster.endpoints.join(',') };
  });
  after(async () => {
    await shared?.cluster.cleanup();
  });

  describe('lock safety (recipe fenced-lock)', () => fencedLockScenario(context));
  describe('election (recipe scheduler)', () => schedulerScenario(context));
  describe('registry (recipe service-registry)', () => serviceRegistryScenario(context));
  describe('config watch (recipe config-watch)', () => configWatchScenario(context));
  describe('synodctl lock and elect', () => synodctlLockElectScenario(context));
  describe('SDK watch (regression)', () => watchNoLeaderScenario(context));
});

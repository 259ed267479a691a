export { Session, type SessionOptions } from './session.js';
export { Mutex, LockGuard, type LockOptions } from './mutex.js';
export { LockLostError, waitForTurn, waitForSlot } from './queue.js';
export { Semaphore, SEMAPHORE_PERMITS_MAX, type SemaphoreOptions } from './semaphore.js';
export { ReadWriteLock } from './rwlock.js';
export { Election, Leadership, NotLeaderError, electionLeader, observeElection, type LeaderInfo } from './election.js';
